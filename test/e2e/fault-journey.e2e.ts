// A fault as a new user meets it, in a real VS Code (code-server) on a copy of the real sel4devkit
// files (../shared/corpus/sel4devkit-dual; missing, the test fails loudly): enable a device in the
// overlay, see the error at that line, boot, read the VMM's fault block on the Serial port terminal
// and the cause in the guest's, "Go to source", apply the quick fix (offered once), boot again with
// both guests answering and no stale toast, then Kill All Terminals and "Show terminals". A
// screenshot per step goes to test-results/e2e/fault-journey-*.png.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { packageVsix } from '../../scripts/package-vsix';
import { corpusPath } from '../conformance/corpus';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';
import {
  commandTitle,
  focusTerminal,
  readNotifications,
  runCommand,
  screenshot,
  terminalNames,
  waitForNotification,
  waitForProblem,
  waitForTerminals,
  waitForTerminalText,
  waitForUnwrapped,
} from './workbench';

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string };
const extensionId = `${manifest.publisher}.${manifest.name}`;

const GUEST_1 = 'guest 1 · client_linux-1';
const GUEST_2 = 'guest 2 · client_linux-2';
const SERIAL = 'Serial port';
const OVERLAY = 'maaxboard-overlay.dts';
/** The overlay's line (1-based) that disables serial@30860000 (uart1) in the corpus file. */
function uartStatusLine(text: string): number {
  const lines = text.split('\n');
  const node = lines.findIndex((l) => l.includes('serial@30860000 {'));
  assert.ok(node >= 0 && lines[node + 1].includes('status = "disabled";'), 'the corpus overlay no longer disables serial@30860000 on the next line');
  return node + 2;
}

describe('e2e: a device enabled by mistake, from the overlay line to a good boot (sel4devkit-dual)', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;
  let statusLine = 0;

  before(async function () {
    requireCodeServer();
    const corpus = path.dirname(corpusPath('sel4devkit-dual', 'program.system'));
    statusLine = uartStatusLine(readFileSync(path.join(corpus, OVERLAY), 'utf8'));
    const vsix = await packageVsix();
    session = await E2ESession.open({ workspace: corpus, vsix: [vsix], name: 'fault-journey' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `fault-journey-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  function open(): E2ESession {
    assert.ok(session, 'the session did not start');
    return session;
  }

  async function goToLine(line: number): Promise<void> {
    const { page } = open();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget .quick-input-box input').fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  it('1. enabling uart1 in the overlay puts an error at that line', async () => {
    const { page } = open();
    // From the Explorer, as a new user opens a file (Quick Open's file search may still be indexing).
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: OVERLAY }).first().click();
    await page.locator('.tab.active', { hasText: OVERLAY }).waitFor({ state: 'visible', timeout: 30_000 });
    await session!.waitForActivation(extensionId, 60_000);
    await page.locator('.editor-instance .monaco-editor').first().click();
    await goToLine(statusLine);
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('status = "okay";');
    await page.locator('.monaco-editor .view-line', { hasText: 'status = "okay";' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+S');
    const rows = await waitForProblem(page, new RegExp(`serial@30860000 .*not mapped into .*line ${statusLine} `), 60_000);
    assert.ok(rows.length > 0);
    await screenshot(page, 'fault-journey-1-error-at-overlay-line');
  });

  it("2. boot: the Serial port shows the VMM's fault block, the guest terminal the cause; the status bar says halted", async () => {
    const { page } = open();
    await runCommand(page, commandTitle('microkitDualGuest.boot'));
    await waitForTerminals(page, [GUEST_1, GUEST_2, SERIAL]);
    // Both guests read the same overlay: both stop, and two fault toasts cover the terminal tabs.
    await waitForNotification(page, /client_linux-1 stopped: .*not mapped/, 90_000);
    await waitForNotification(page, /client_linux-2 stopped: .*not mapped/, 30_000);
    await screenshot(page, 'fault-journey-2a-fault-toasts');
    // Put them away as a user would, with Escape (they stay in the notification centre), to reach the terminals.
    await page.keyboard.press('Escape');
    await page.locator('.notifications-toasts .notification-list-item').first().waitFor({ state: 'hidden', timeout: 10_000 });
    await focusTerminal(page, SERIAL);
    await waitForUnwrapped(
      open().page,
      /CLIENT_VMM-1\|ERROR: unexpected memory fault on address: 0x3086[0-9a-f]+.*Failed to handle virtual memory fault/,
      90_000,
    );
    await screenshot(page, 'fault-journey-2b-serial-port-fault-block');
    await focusTerminal(page, GUEST_1);
    // The notice's first line may have scrolled by; the cause names the device, its driver and the address.
    const text = await waitForUnwrapped(
      open().page,
      /is not mapped into client_linux-1 \(read at 0x3086[0-9a-f]+; enabled at .*maaxboard-overlay\.dts:\d+:\d+\)/,
      30_000,
    );
    assert.match(text, /\/soc@0\/bus@30800000\/serial@30860000, which its driver imx-uart probes, is not mapped/);
    assert.match(text, /the kernel's last lines:/);
    await page
      .locator('.statusbar-item', { hasText: /Dual guest: halted/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'fault-journey-2c-guest-cause');
  });

  it('3. the fault message\'s "Go to source" opens the overlay line that enabled the device', async () => {
    const { page } = open();
    await runCommand(page, 'Notifications: Show Notifications');
    const entry = page.locator('.notifications-center .notification-list-item', { hasText: /client_linux-1 stopped/ }).first();
    await entry.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'fault-journey-3a-notification');
    await entry.locator('.monaco-button', { hasText: 'Go to source' }).click();
    // Close the notification centre with its own button (it covers the terminal tabs).
    const centre = page.locator('.notifications-center.visible');
    if (await centre.isVisible()) {
      await centre.locator('.notifications-center-header .action-label[aria-label*="Hide Notifications"]').click();
      await centre.waitFor({ state: 'hidden', timeout: 10_000 });
    }
    await page.locator('.tab.active', { hasText: OVERLAY }).waitFor({ state: 'visible', timeout: 15_000 });
    await page
      .locator('.statusbar-item', { hasText: new RegExp(`^Ln ${statusLine}, Col`) })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'fault-journey-3b-go-to-source');
  });

  it('4. the quick fix is offered once and disables the device at that line', async () => {
    const { page } = open();
    await page.locator('.editor-instance .monaco-editor').first().click();
    await goToLine(statusLine);
    await page.keyboard.press('End');
    await page.keyboard.press('Control+.');
    const rows = page.locator('.action-widget .monaco-list-row', { hasText: /Disable serial@30860000/ });
    await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.strictEqual(await rows.count(), 1, `the fix is listed ${await rows.count()} times`);
    await screenshot(page, 'fault-journey-4a-quick-fix-once');
    // The only fix is the focused row: Enter applies it.
    await page.keyboard.press('Enter');
    await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'status = "okay";' }).first().waitFor({ state: 'detached', timeout: 10_000 });
    await page.keyboard.press('Control+S');
    await screenshot(page, 'fault-journey-4b-fixed');
  });

  it('5. boot again: both guests answer, and no fault toast is left', async () => {
    const { page } = open();
    await runCommand(page, commandTitle('microkitDualGuest.boot'));
    for (const [name, vm] of [
      [GUEST_1, 'client_linux-1'],
      [GUEST_2, 'client_linux-2'],
    ]) {
      await focusTerminal(page, name);
      await waitForTerminalText(page, new RegExp(`${vm} login:`), 120_000);
    }
    await page
      .locator('.statusbar-item', { hasText: /Dual guest: running/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    const toasts = await readNotifications(page);
    assert.deepStrictEqual(
      toasts.filter((t) => /stopped|fault/.test(t)),
      [],
      `stale toasts: ${toasts.join(' | ')}`,
    );
    await screenshot(page, 'fault-journey-5-both-guests');
  });

  it('6. Kill All Terminals, then "Show terminals" brings all three back', async () => {
    const { page } = open();
    await runCommand(page, 'Terminal: Kill All Terminals');
    const deadline = Date.now() + 15_000;
    while ((await terminalNames(page)).length > 0 && (await page.locator('.terminal-tabs-entry').first().isVisible())) {
      assert.ok(Date.now() < deadline, `terminals left: ${(await terminalNames(page)).join(' | ')}`);
      await page.waitForTimeout(250);
    }
    await screenshot(page, 'fault-journey-6a-killed');
    await runCommand(page, commandTitle('microkitDualGuest.showTerminals'));
    const names = await waitForTerminals(page, [GUEST_1, GUEST_2, SERIAL]);
    assert.strictEqual(names.length, 3, names.join(' | '));
    // The guests run on: a terminal made again shows what they print.
    await focusTerminal(page, GUEST_1);
    await page.keyboard.press('Enter');
    await waitForTerminalText(page, /client_linux-1 login:\s*$/, 30_000);
    await screenshot(page, 'fault-journey-6b-shown-again');
  });
});
