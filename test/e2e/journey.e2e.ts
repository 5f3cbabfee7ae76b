// The whole mission as a user lives it, in a real VS Code (code-server 4.100.3) with the packaged
// VSIX, on a copy of examples/dual-guest, only through the UI (palette, keyboard, clicks): boot the
// two guests, log in and run commands in their terminals, break and quick-fix a guest overlay,
// hover a map in the .system file, watch the queue inspector move, stop. A screenshot per step goes
// to test-results/e2e/journey-*.png. Needs scripts/e2e-setup.sh; run with `npm run test:e2e`.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { FrameLocator, Page } from 'playwright-core';
import { packageVsix } from '../../scripts/package-vsix';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';
import {
  commandTitle,
  escapeRegExp,
  focusTerminal,
  logIn,
  openFile,
  readmePicture,
  readTerminal,
  runCommand,
  runInShell,
  screenshot,
  waitForProblem,
  waitForTerminals,
  waitForTerminalText,
  webviewContent,
} from './workbench';

interface Manifest {
  name: string;
  publisher: string;
}

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as Manifest;
const extensionId = `${manifest.publisher}.${manifest.name}`;
const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'dual-guest');

/** The example's VMs (examples/dual-guest/dual-guest.system), and their terminals' names ("guest N · <vm>"). */
const VM_1 = 'client_linux-1';
const VM_2 = 'client_linux-2';
const GUEST_1 = `guest 1 · ${VM_1}`;
const GUEST_2 = `guest 2 · ${VM_2}`;
/** The host UART's terminal is named after the serial driver: "Serial port (<driver>)". */
const HOST_UART = 'Serial port';

/** Same reason as smoke.e2e.ts: none so far. */
const FOREIGN_LOG_ERRORS: readonly RegExp[] = [];

/**
 * The queue inspector's counters: each queue card's head and tail. Read in one call into the page: a
 * locator round trip per card and field took 17 to 28 s on a loaded machine while a guest floods.
 */
async function queueCounters(inspector: FrameLocator): Promise<Record<string, string>> {
  const cards = await inspector.locator('article.queue[data-queue]').evaluateAll((els) =>
    els.map((card) => ({
      name: card.getAttribute('data-queue') ?? '?',
      head: card.querySelector('[data-field="head"]')?.textContent ?? '',
      tail: card.querySelector('[data-field="tail"]')?.textContent ?? '',
    })),
  );
  const out: Record<string, string> = {};
  for (const c of cards) {
    out[`${c.name}.head`] = c.head.trim();
    out[`${c.name}.tail`] = c.tail.trim();
  }
  return out;
}

/**
 * The middle of the first occurrence of `needle` in the editor line whose text matches `lineText`, and
 * the height of that line.
 */
async function textBox(page: Page, lineText: RegExp, needle: string): Promise<{ x: number; y: number; lineHeight: number }> {
  const line = page.locator('.monaco-editor .view-line', { hasText: lineText }).first();
  await line.waitFor({ state: 'visible', timeout: 15_000 });
  const box = await line.evaluate((el, n) => {
    const SHOW_TEXT = 4; // NodeFilter.SHOW_TEXT (no DOM lib in the test's types)
    const walker = el.ownerDocument.createTreeWalker(el, SHOW_TEXT);
    // Monaco renders spaces as U+00A0; compare on plain spaces.
    const texts: NonNullable<ReturnType<typeof walker.nextNode>>[] = [];
    let all = '';
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      texts.push(t);
      all += (t.nodeValue ?? '').replace(/\u00a0/g, ' ');
    }
    const at = all.indexOf(n);
    if (at < 0) return undefined;
    let offset = at + Math.floor(n.length / 2);
    for (const t of texts) {
      const len = (t.nodeValue ?? '').length;
      if (offset < len) {
        const range = el.ownerDocument.createRange();
        range.setStart(t, offset);
        range.setEnd(t, offset + 1);
        const r = range.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, lineHeight: el.getBoundingClientRect().height };
      }
      offset -= len;
    }
    return undefined;
  }, needle);
  assert.ok(box, `"${needle}" is not on the editor line matching ${lineText}`);
  return box;
}

/**
 * For a failure message: where the pointer is, what is under it, and which hovers are on screen (the
 * language server's requests are in the log channel of the session's logs, traced at "messages").
 */
async function pointerReport(page: Page, at: { x: number; y: number }): Promise<string> {
  return page.locator('body').evaluate((body, { x, y }) => {
    const doc = body.ownerDocument;
    const under = doc.elementFromPoint(x, y);
    const hovers = [...doc.querySelectorAll('.monaco-hover')]
      .filter((h) => h.getBoundingClientRect().height > 0)
      .map((h) => JSON.stringify((h.textContent ?? '').slice(0, 80)));
    return (
      `${new Date().toISOString()} pointer at ${Math.round(x)},${Math.round(y)} over <${under?.tagName.toLowerCase() ?? 'nothing'} class="${under?.className ?? ''}">` +
      `${JSON.stringify((under?.textContent ?? '').slice(0, 40))}; hovers on screen: ${hovers.join(', ') || 'none'}`
    );
  }, at);
}

describe('e2e journey: boot, log in, fix a mistake, hover, inspect, stop (examples/dual-guest)', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;

  before(async function () {
    requireCodeServer();
    const vsix = await packageVsix();
    // The language client's trace ("messages": each request, its answer's time) goes to the saved logs,
    // so that a failing step shows which requests the server was sent and how it answered.
    session = await E2ESession.open({ workspace: EXAMPLE, vsix: [vsix], name: 'journey', settings: { 'microkitDualGuest.trace.server': 'messages' } });
    // The workspace holds dual-guest.json, so the extension activates on its own; until the
    // extension host has scanned it, the palette does not list its commands yet.
    await session.waitForActivation(extensionId, 60_000);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `journey-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  function open(): E2ESession {
    assert.ok(session, 'the session did not start');
    return session;
  }

  it('1. "Boot dual guests" opens a terminal per guest and one for the host UART', async () => {
    const { page } = open();
    await runCommand(page, commandTitle('microkitDualGuest.boot'));
    const names = await waitForTerminals(page, [GUEST_1, GUEST_2, HOST_UART]);
    assert.strictEqual(names.filter((n) => n.includes(GUEST_1)).length, 1, `terminals: ${names.join(' | ')}`);
    assert.strictEqual(names.filter((n) => n.includes(GUEST_2)).length, 1, `terminals: ${names.join(' | ')}`);
    assert.strictEqual(names.filter((n) => n.includes(HOST_UART)).length, 1, `terminals: ${names.join(' | ')}`);
    await page
      .locator('.statusbar-item', { hasText: /Dual guest: running/ })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    await focusTerminal(page, GUEST_1);
    // The kernel log scrolls by; booted means getty's prompt.
    await waitForTerminalText(page, new RegExp(`${VM_1} login:$`), 90_000);
    await screenshot(page, 'journey-1-booted');
    await readmePicture(page, 'booted');
  });

  it('2. logs in to guest 1 and reads uname -a; guest 2 counts virtio interrupts', async () => {
    const { page } = open();
    await focusTerminal(page, GUEST_1);
    await logIn(page, VM_1);
    const uname = await runInShell(page, 'uname -a');
    assert.match(uname, new RegExp(`^Linux ${escapeRegExp(VM_1)} \\S+ .*aarch64`), `uname -a printed:\n${uname}`);
    await screenshot(page, 'journey-2a-guest1-uname');

    await focusTerminal(page, GUEST_2);
    await logIn(page, VM_2);
    const interrupts = await runInShell(page, 'cat /proc/interrupts');
    const virtio = interrupts.split('\n').filter((l) => /virtio/.test(l));
    assert.ok(virtio.length > 0, `/proc/interrupts has no virtio line:\n${interrupts}`);
    // "  13:        512     GICv3  74 Level     virtio0": the count is the column after "<irq>:".
    const counts = virtio.map((l) => Number(l.trim().split(/\s+/)[1]));
    assert.ok(
      counts.some((n) => n > 0),
      `no virtio interrupt counted:\n${virtio.join('\n')}`,
    );
    await screenshot(page, 'journey-2b-guest2-interrupts');
    await readmePicture(page, 'switching');
  });

  it('3. a guest overlay without console=hvc0 gets a diagnostic, and its quick fix clears it', async () => {
    const { page } = open();
    await openFile(page, 'guest-1.dts');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.click();
    // Replace "console=hvc0 " by nothing with the editor's Replace (Ctrl+H), as a person would.
    await page.keyboard.press('Control+H');
    const find = page.locator('.find-widget .find-part textarea, .find-widget .find-part input').first();
    await find.waitFor({ state: 'visible', timeout: 10_000 });
    await find.fill('console=hvc0 ');
    const replace = page.locator('.find-widget .replace-part textarea, .find-widget .replace-part input').first();
    await replace.fill('');
    await page.locator('.find-widget .matchesCount', { hasText: /^1 of 1$/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await replace.focus();
    await page.keyboard.press('Control+Alt+Enter');
    await page.locator('.find-widget .matchesCount', { hasText: /No results/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('.find-widget .codicon-widget-close').first().click();
    await page.locator('.find-widget.visible').waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'bootargs = "earlycon=hvc0 nosmp' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+S');

    const rows = await waitForProblem(page, /console=hvc0/);
    await screenshot(page, 'journey-3a-diagnostic');
    await readmePicture(page, 'fault-explained');
    // Double-clicking the problem puts the cursor on it in the editor; Ctrl+. lists its fixes.
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: /console=hvc0/ }).first();
    await marker.dblclick();
    await page.locator('.editor-instance .monaco-editor.focused').first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: /console=hvc0/ }).first();
    await fix.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'journey-3b-quick-fix');
    // The widget lists the fix among others; arrow down to it (by what is highlighted) and apply it.
    const highlighted = page.locator('.action-widget .monaco-list-row.focused').first();
    for (let i = 0; i < 10 && !/console=hvc0/.test((await highlighted.getAttribute('aria-label')) ?? ''); i++) {
      await page.keyboard.press('ArrowDown');
    }
    assert.match((await highlighted.getAttribute('aria-label')) ?? '', /console=hvc0/, 'the quick-fix list never highlighted the console=hvc0 fix');
    await page.keyboard.press('Enter');
    await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await page
      .locator('.monaco-editor .view-line', { hasText: 'bootargs = "console=hvc0 earlycon=hvc0' })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+S');
    // Gone from the Problems panel.
    const deadline = Date.now() + 30_000;
    let left = rows;
    while (left.some((r) => /console=hvc0/.test(r))) {
      assert.ok(Date.now() < deadline, `the diagnostic stayed after the quick fix:\n${left.join('\n')}`);
      await page.waitForTimeout(250);
      left = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
    }
    await screenshot(page, 'journey-3c-fixed');
  });

  it("4. hovering a map in the .system file shows the region's size", async () => {
    const { page } = open();
    await openFile(page, 'dual-guest.system');
    // Line 38 is the first map of client_vm_ram_1 (the VMM's); Ctrl+G brings it on screen.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget .quick-input-box input').fill(':38');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    // client_vm_ram_1 is 0xf000000 bytes = 240 MiB (examples/dual-guest/dual-guest.system). Only its
    // own hover counts: the map on line 40 names another region, whose hover also says "size".
    const hover = page.locator('.monaco-hover', { hasText: 'client_vm_ram_1' }).filter({ visible: true }).first();
    // The hover appears after the pointer rests on the word. If the server was not ready, Monaco
    // asks again only once the pointer has left the word: leave (to the empty line 39, where nothing
    // has a hover) and come back, driven by whether the hover is on screen. The word is measured
    // again on every attempt, so that the pointer goes where the word is now, not where it was.
    const deadline = Date.now() + 30_000;
    const attempts: string[] = [];
    while (!(await hover.isVisible())) {
      assert.ok(Date.now() < deadline, `no hover with the region size appeared over the map; the attempts:\n${attempts.join('\n')}`);
      const at = await textBox(page, /client_vm_ram_1.*guest_ram_vaddr/, 'client_vm_ram_1');
      await page.mouse.move(at.x + 600, at.y + at.lineHeight);
      await page.mouse.move(at.x, at.y);
      await hover.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
      attempts.push(await pointerReport(page, at));
    }
    const text = await hover.innerText();
    assert.match(text, /0xf000000 \(240 MiB\)/, `the hover says:\n${text}`);
    await screenshot(page, 'journey-4-hover');
  });

  it("5. the queue inspector's counters move while a guest prints", async () => {
    const { page } = open();
    await runCommand(page, commandTitle('microkitDualGuest.openQueueInspector'));
    const inspector = await webviewContent(page);
    await inspector.locator('article.queue[data-queue]').first().waitFor({ state: 'visible', timeout: 30_000 });
    const idle = await queueCounters(inspector);
    await screenshot(page, 'journey-5a-inspector');

    await focusTerminal(page, GUEST_1);
    await page.keyboard.type('yes');
    await waitForTerminalText(page, /# yes$/, 10_000);
    await page.keyboard.press('Enter');
    await waitForTerminalText(page, /\ny\ny\ny$/, 20_000);
    // The inspector is still on screen beside the terminal panel: its counters must change.
    const deadline = Date.now() + 20_000;
    let moved = idle;
    while (JSON.stringify(moved) === JSON.stringify(idle)) {
      assert.ok(Date.now() < deadline, `the inspector's counters did not move: ${JSON.stringify(idle)}`);
      await page.waitForTimeout(250);
      moved = await queueCounters(inspector);
    }
    await screenshot(page, 'journey-5b-inspector-moving');
    await readmePicture(page, 'inspector');
    // Ctrl-C until the prompt is back (a flood can hide the first ^C's echo for a moment).
    const rxBefore = await queueCounters(inspector);
    let prompt = false;
    for (let i = 0; i < 4 && !prompt; i++) {
      await page.keyboard.press('Control+C');
      prompt = await waitForTerminalText(page, /\n# ?$/, 10_000).then(
        () => true,
        () => false,
      );
    }
    assert.ok(
      prompt,
      `Ctrl-C never gave the prompt back. Queue counters before: ${JSON.stringify(rxBefore)}, now: ${JSON.stringify(await queueCounters(inspector))}; the terminal shows:\n${await readTerminal(page)}`,
    );
  });

  it('6. stops the guests', async () => {
    const { page } = open();
    await runCommand(page, commandTitle('microkitDualGuest.stop'));
    await page
      .locator('.statusbar-item', { hasText: /Dual guest: (stopped)/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 })
      .catch(async () => {
        const items = await page.locator('.statusbar-item').allInnerTexts();
        assert.fail(`the status bar never said stopped; it shows: ${items.join(' | ')}`);
      });
    await screenshot(page, 'journey-6-stopped');
  });

  it('leaves no error in the extension host log, in its own log channels, or uncaught in the page', async () => {
    const s = open();
    assert.deepStrictEqual(s.extensionHostErrors(FOREIGN_LOG_ERRORS, [extensionId]), []);
    assert.deepStrictEqual(s.pageErrors, []);
  });
});
