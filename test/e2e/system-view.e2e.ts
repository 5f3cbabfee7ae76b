// The system view in a real VS Code (code-server 4.100.3) with the packaged VSIX, on a copy of
// examples/dual-guest, through the UI only: the button in the .system editor's title opens the
// picture beside the file, a click on a box and on a map selects that element in the editor, and
// an edit in the editor redraws the picture. Screenshots go to test-results/e2e/system-view-*.png
// (and the README's docs/images/system-view.png). Needs scripts/e2e-setup.sh.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { packageVsix } from '../../scripts/package-vsix';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';
import { readmePicture, runCommand, screenshot, webviewContent } from './workbench';

interface Manifest {
  name: string;
  publisher: string;
}

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as Manifest;
const extensionId = `${manifest.publisher}.${manifest.name}`;
const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'dual-guest');
const SYSTEM_FILE = 'dual-guest.system';
const LINES = readFileSync(path.join(EXAMPLE, SYSTEM_FILE), 'utf8').split('\n');

/** Same reason as smoke.e2e.ts: none so far. */
const FOREIGN_LOG_ERRORS: readonly RegExp[] = [];

/** The 1-based line of the example that holds `text`. */
function lineOf(text: string): number {
  const i = LINES.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `'${text}' is not in the example`);
  return i + 1;
}

/**
 * Waits until the .system editor's cursor is on this line with text selected. Read from the editor
 * (its active line number and selection), not the status bar: the status bar shows the cursor only
 * while the editor has the focus, and a click in a webview may leave the focus there.
 */
async function waitForSelectionAt(page: Page, line: number): Promise<void> {
  const editor = page.locator('.editor-instance', { has: page.locator('.monaco-editor') }).first();
  await editor
    .locator('.line-numbers.active-line-number', { hasText: new RegExp(`^${line}$`) })
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 });
  await editor.locator('.selected-text').first().waitFor({ state: 'attached', timeout: 15_000 });
}

describe('e2e: the system view of a .system file', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;
  let view: FrameLocator;

  before(async function () {
    requireCodeServer();
    const vsix = await packageVsix();
    session = await E2ESession.open({ workspace: EXAMPLE, vsix: [vsix], name: 'system-view' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `system-view-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  function open(): E2ESession {
    assert.ok(session, 'the session did not start');
    return session;
  }

  it("opens beside the file from the editor title's button", async () => {
    const { page } = open();
    // From the Explorer, as a user opening the example does (Quick Open waits for the file search).
    await page.locator('.explorer-viewlet .monaco-list-row', { hasText: SYSTEM_FILE }).first().click();
    await page.locator(`.tabs-container .tab[data-resource-name="${SYSTEM_FILE}"]`).first().waitFor({ state: 'visible', timeout: 30_000 });
    const button = page.locator('.editor-actions .action-label[aria-label="Show system view"]').first();
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    await button.click();
    view = await webviewContent(page);
    await view.locator('g.domain[data-domain="uart_driver"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.strictEqual(await view.locator('g.domain').count(), 7);
    assert.strictEqual(await view.locator('g.link.channel').count(), 6);
    await page
      .locator('.tab', { hasText: `System: ${SYSTEM_FILE}` })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await readmePicture(page, 'system-view');
  });

  it('selects the element a click names: a protection domain, then one of its maps', async () => {
    const { page } = open();
    await view.locator('g.domain[data-domain="uart_driver"]').click();
    await waitForSelectionAt(page, lineOf('<protection_domain name="uart_driver"'));
    await page.locator('.tab.active', { hasText: SYSTEM_FILE }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'system-view-2a-domain-selected');
    await view.locator('article.space[data-space="uart_driver"] g.row.map', { hasText: /^0x5000000/ }).click();
    await waitForSelectionAt(page, lineOf('<map mr="uart" vaddr="0x5000000"'));
    await screenshot(page, 'system-view-2b-map-selected');
  });

  it('redraws as the file is edited: the map moved onto another shows both in red', async () => {
    const { page } = open();
    // The map is selected (the previous step): delete it and type it again elsewhere, as a user would.
    await runCommand(page, 'View: Focus First Editor Group');
    await page.keyboard.press('Delete');
    await page.keyboard.type('<map mr="uart" vaddr="0x4000000" perms="rw" cached="false" />');
    const overlapping = view.locator('article.space[data-space="uart_driver"] g.row.overlaps');
    const deadline = Date.now() + 30_000;
    while ((await overlapping.count()) < 2) {
      assert.ok(Date.now() < deadline, 'the view did not redraw the edited map');
      await page.waitForTimeout(200);
    }
    assert.deepStrictEqual((await overlapping.locator('.label').allTextContents()).sort(), ['rx_queue_serial_driver', 'uart']);
    await screenshot(page, 'system-view-3-edited');
    assert.deepStrictEqual(open().extensionHostErrors(FOREIGN_LOG_ERRORS, [extensionId]), []);
  });
});
