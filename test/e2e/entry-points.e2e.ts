// Where the extension meets a user who has only a Microkit system: the packaged VSIX in code-server,
// a folder holding nothing but a .system file. With no file opened, the extension activates and the
// status bar says "Dual guest: stopped"; the .system editor's title has the Boot button; the Run and
// Debug view offers "Boot dual guests"; a click on the status item boots (here: the guests have no
// device trees, and the boot says so). Screenshots in test-results/e2e/entry-*.png and the README's
// docs/images/entry-points.png.
import * as assert from 'assert';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageVsix } from '../../scripts/package-vsix';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';
import { commandTitle, openFile, readmePicture, runCommand, screenshot, waitForNotification } from './workbench';

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string };
const extensionId = `${manifest.publisher}.${manifest.name}`;
const SYSTEM_FILE = 'dual-guest.system';
const BOOT_TITLE = 'Boot dual guests';

describe('e2e: entry points in a folder holding only a .system file', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;
  let folder: string;

  before(async function () {
    requireCodeServer();
    const vsix = await packageVsix();
    folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'mdg-lone-system-')), 'lone-system');
    mkdirSync(folder);
    copyFileSync(path.join(PROJECT_ROOT, 'examples', 'dual-guest', SYSTEM_FILE), path.join(folder, SYSTEM_FILE));
    session = await E2ESession.open({ workspace: folder, vsix: [vsix], name: 'entry-points' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `entry-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
    rmSync(path.dirname(folder), { recursive: true, force: true });
  });

  function open(): E2ESession {
    assert.ok(session, 'the session did not start');
    return session;
  }

  const statusItem = (s: E2ESession) => s.page.locator('.statusbar-item', { hasText: /Dual guest: stopped/ }).first();

  it('activates on the .system file and shows "Dual guest: stopped" without any file opened', async () => {
    const s = open();
    assert.deepStrictEqual(readdirSync(s.workspace), [SYSTEM_FILE]);
    const line = await s.waitForActivation(extensionId, 60_000);
    assert.match(line, /activationEvent: 'workspaceContains:[^']*\*\*\/\*\.system'/);
    await statusItem(s).waitFor({ state: 'visible', timeout: 30_000 });
    assert.strictEqual(await s.page.locator('.tabs-container .tab').count(), 0, 'an editor is open');
    await screenshot(s.page, 'entry-1-status-bar');
  });

  it('has the Boot button in the title of the .system editor', async () => {
    const s = open();
    await openFile(s.page, SYSTEM_FILE);
    const button = s.page.locator(`.editor-actions .action-label[aria-label="${BOOT_TITLE}"]`).first();
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    await statusItem(s).waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(s.page, 'entry-2-editor-title');
    await readmePicture(s.page, 'entry-points');
  });

  it('offers "Boot dual guests" in the Run and Debug view', async () => {
    const s = open();
    await runCommand(s.page, 'View: Show Run and Debug');
    const button = s.page.locator('.welcome-view-content a.monaco-button, .welcome-view-content .monaco-button', { hasText: BOOT_TITLE }).first();
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(s.page, 'entry-3-run-and-debug');
  });

  it("boots on a click of the status bar item (the lone .system's guests have no device trees: the boot says so)", async () => {
    const s = open();
    await statusItem(s).click();
    const message = await waitForNotification(s.page, /cannot boot 'client_linux-1'/, 60_000);
    assert.match(message, /device tree files are missing/);
    await screenshot(s.page, 'entry-4-boot-from-status-bar');
    // The palette command is the same one the button and the item run.
    assert.strictEqual(commandTitle('microkitDualGuest.boot'), `Microkit Dual Guest: ${BOOT_TITLE}`);
  });

  it('leaves no error in the extension host log or uncaught in the page', () => {
    const s = open();
    assert.deepStrictEqual(s.extensionHostErrors([], [extensionId]), []);
    assert.deepStrictEqual(s.pageErrors, []);
  });
});
