// The protocol checker and time travel in a real VS Code (code-server 4.100.3) with the packaged VSIX:
// the default example with a broken VMM (its vmm.c, run on libvmm as WebAssembly, puts bytes in its
// serial TX queue at init and never notifies virt_tx: a lost wake-up). The finding is in the queue
// inspector and in the Problems panel; moving the inspector's timeline back shows that moment's
// queues (and the terminals the output up to it); Return to live shows the live session, which runs
// on. Without clang and wasm-ld, or without the pinned sDDF and libvmm beside the clone, the test is one pending
// test saying why (never a pass).
import * as assert from 'assert';
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './code-server';
import { openRealComponentsSession, queueCounters, realComponentsSkipReason } from './real-setup';
import { E2ESession } from './session';
import { commandTitle, focusTerminal, runCommand, screenshot, waitForProblem, waitForTerminals, waitForTerminalText, webviewContent } from './workbench';

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string };
const extensionId = `${manifest.publisher}.${manifest.name}`;
const VM_1 = 'client_linux-1';
const GUEST_1 = `guest 1 · ${VM_1}`;

// Browser globals used inside evaluate callbacks (the project compiles without the DOM library).
declare const Event: any;

/** The example's vmm.c with the bug: bytes into the TX queue at init, no notify. */
function breakVmm(file: string): void {
  const start = '    guest_start(kernel_pc, GUEST_DTB_GPA, GUEST_INIT_RAM_DISK_GPA);';
  const src = readFileSync(file, 'utf8');
  assert.ok(src.includes(start), 'the example vmm.c starts its guest where the test expects');
  writeFileSync(file, src.replace(start, `    serial_enqueue_batch(&serial_tx_queue, 6, "early\\n"); /* no microkit_notify: the bug */\n${start}`));
}

describe('e2e: protocol findings and time travel in the queue inspector', function () {
  this.timeout(720_000);
  const reason = realComponentsSkipReason();
  if (reason) {
    it(`SKIPPED (not run, not passed): ${reason}`);
    before(() => console.log(`      time-travel e2e test skipped: ${reason}`));
    return;
  }
  let session: E2ESession | undefined;

  before(async function () {
    session = await openRealComponentsSession('time-travel', extensionId, (workspace) => breakVmm(path.join(workspace, 'vmm.c')));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `time-travel-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  it("shows the broken VMM's lost wake-up in the inspector and Problems; the timeline goes back and returns to live", async () => {
    assert.ok(session, 'the session did not start');
    const { page } = session;
    await runCommand(page, commandTitle('microkitDualGuest.boot'));
    // The boot compiles libvmm and the broken vmm.c to WebAssembly first (minutes on a busy machine).
    await page
      .locator('.statusbar-item', { hasText: /Dual guest: running/ })
      .first()
      .waitFor({ state: 'visible', timeout: 420_000 });
    await waitForTerminals(page, [GUEST_1]);
    await focusTerminal(page, GUEST_1);
    await waitForTerminalText(page, new RegExp(`${VM_1} login:$`), 120_000);
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    await waitForTerminalText(page, /\n# ?$/, 30_000);

    // The finding, at the VMM's element of the .system, in Problems.
    await waitForProblem(page, /lost wake-up: CLIENT_VMM-1 produced 6 bytes into CLIENT_VMM-1 -> serial_virt_tx/, 30_000);

    await runCommand(page, commandTitle('microkitDualGuest.openQueueInspector'));
    const inspector = await webviewContent(page);
    const finding = inspector.locator('li.finding[data-rule="protocol-lost-wakeup"]', { hasText: 'CLIENT_VMM-1' });
    await finding.first().waitFor({ state: 'visible', timeout: 30_000 });
    await inspector.locator('article.queue[data-queue]').first().waitFor({ state: 'visible', timeout: 30_000 });
    await inspector.locator('#travel-slider:not([disabled])').waitFor({ state: 'attached', timeout: 30_000 });
    const live = await queueCounters(inspector);

    // Back to 1 ms after power-on: only the VMMs' 6 lost bytes are in the queues, and no guest has printed.
    await inspector.locator('#travel-slider').evaluate((el) => {
      el.value = '1';
      el.dispatchEvent(new Event('input'));
    });
    await inspector.locator('#travel-label', { hasText: /^Viewing t = 0\.00/ }).waitFor({ state: 'visible', timeout: 60_000 });
    const past = await queueCounters(inspector);
    assert.notStrictEqual(past, live, 'the queues shown did not change');
    assert.match(past, /CLIENT_VMM-1 -> serial_virt_tx 0 6\n/);
    assert.strictEqual(await inspector.locator('#status').textContent(), 'Time travel');
    // The terminal shows the output up to that moment under a notice.
    await focusTerminal(page, GUEST_1);
    await waitForTerminalText(page, /viewing t = 0\.00\d+s \(time travel\)/, 30_000);
    await screenshot(page, 'time-travel-1-past');

    await inspector.locator('#return-live').click();
    await inspector.locator('#travel-label', { hasText: /^Live$/ }).waitFor({ state: 'visible', timeout: 30_000 });
    // Live again: the machine runs on (its clock moves) and the terminal takes input.
    const clock = async (): Promise<string> => (await inspector.locator('#clock').textContent()) ?? '';
    const before = await clock();
    const deadline = Date.now() + 30_000;
    while ((await clock()) === before) {
      assert.ok(Date.now() < deadline, `the live clock stayed at ${before}`);
      await page.waitForTimeout(250);
    }
    await focusTerminal(page, GUEST_1);
    await page.keyboard.type('echo back-live');
    await page.keyboard.press('Enter');
    await waitForTerminalText(page, /\nback-live\n# ?$/, 30_000);
    await screenshot(page, 'time-travel-2-live');
  });

  it('leaves no error in the extension host log or uncaught in the page', () => {
    assert.ok(session);
    assert.deepStrictEqual(session.extensionHostErrors([], [extensionId]), []);
    assert.deepStrictEqual(session.pageErrors, []);
  });
});
