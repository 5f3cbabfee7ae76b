// The system view page in Debian's Chromium (launched once), fed the views the extension posts for
// the default example and the real sel4devkit dual-guest system: it must draw every domain, channel,
// IRQ, map and fixed region of the file, post the element's place when one is clicked or chosen
// with the keyboard, redraw on an edited file, keep its file through a reload, run under its CSP,
// and look right in light, dark and high-contrast themes (screenshots in test-results/webview/).
// Fails loudly when Chromium or the corpus is missing.
import * as assert from 'assert';
import { mkdirSync, readFileSync } from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { SystemViewController } from '../../src/extension/system-view-controller';
import type { SystemViewHostMessage } from '../../src/extension/system-view-protocol';
import { launchChromium, type Chromium } from '../e2e/browser';
import { cspProbes, post, posted, settle, standIn, themeColours } from '../webview/page-driver';
import { bundlePage, servePage, SYSTEM_VIEW_PAGE, type PageServer } from '../webview/page-server';
import { THEMES, type ThemeName } from '../webview/themes';
import { corpusPath, PROJECT_ROOT } from './corpus';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM library).
declare const document: any;

const SHOTS = path.resolve(PROJECT_ROOT, 'test-results', 'webview');

/** The message the extension posts for a file (through the same controller the panel uses). */
function viewMessage(file: string, title: string, text = readFileSync(file, 'utf8')): SystemViewHostMessage {
  const sent: SystemViewHostMessage[] = [];
  new SystemViewController({ postMessage: (m) => sent.push(m), reveal: () => undefined }, { uri: `file://${file}`, fileName: file, title }, text);
  return sent[0];
}

const SYSTEMS = {
  example: () => viewMessage(path.join(PROJECT_ROOT, 'examples', 'dual-guest', 'dual-guest.system'), 'dual-guest.system'),
  sel4devkit: () => viewMessage(corpusPath('sel4devkit-dual', 'program.system'), 'program.system'),
};

async function texts(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).allTextContents()).map((t) => t.trim());
}

describe('system view page (Chromium)', function () {
  this.timeout(60_000);
  let chromium: Chromium;
  let server: PageServer;

  before(async () => {
    const [browser, script] = await Promise.all([launchChromium(), bundlePage(SYSTEM_VIEW_PAGE)]);
    chromium = browser;
    server = await servePage(script, SYSTEM_VIEW_PAGE);
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  async function open(theme: ThemeName = 'dark', width = 1400): Promise<Page> {
    const page = await chromium.browser.newPage({ viewport: { width, height: 900 } });
    await page.addInitScript(standIn(THEMES[theme]));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('.placeholder', { timeout: 10_000 });
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(await posted(page), [{ type: 'ready' }]);
    return page;
  }

  async function show(page: Page, m: SystemViewHostMessage): Promise<void> {
    await post(page, m);
    await settle(page);
  }

  for (const [name, make] of Object.entries(SYSTEMS)) {
    it(`draws every domain, channel, IRQ, map and fixed region of the ${name}`, async () => {
      const m = make();
      const v = m.view;
      assert.strictEqual(m.errors, 0, 'the file parses without errors');
      const page = await open();
      try {
        await show(page, m);
        assert.deepStrictEqual(
          await page.locator('g.domain').evaluateAll((els) => els.map((e) => e.getAttribute('data-domain'))),
          v.domains.map((d) => d.name),
        );
        for (const d of v.domains) {
          const box = (await texts(page, `g.domain[data-domain="${d.name}"] .domain-sub`)).join(' ');
          assert.ok(box.includes(`prio ${d.priority}`) && box.includes(`cpu ${d.cpus[0]}`), `${d.name}: ${box}`);
          for (const irq of d.irqs) assert.ok(box.includes(`${irq.label}→${irq.id}`), `${d.name}: ${box}`);
          // Its address space: one labelled row per map (and the stack, guard page and IPC buffer of a PD).
          const labels = await texts(page, `article.space[data-space="${d.name}"] g.row:not(.gap) .label`);
          assert.deepStrictEqual(
            labels,
            d.space.map((s) => s.label),
            d.name,
          );
        }
        assert.strictEqual(await page.locator('g.link.channel').count(), v.channels.length);
        assert.strictEqual(await page.locator('g.link.vm').count(), v.domains.filter((d) => d.kind === 'vm').length);
        assert.deepStrictEqual(
          await texts(page, 'table.channels tbody tr td:nth-child(1)'),
          v.channels.map((c) => c.ends[0].pd),
        );
        assert.deepStrictEqual(await texts(page, 'table.irqs tbody tr td:nth-child(1)'), ['IRQ 58']);
        const fixed = v.regions.filter((r) => r.physAddr !== undefined).sort((a, b) => a.physAddr! - b.physAddr!);
        assert.deepStrictEqual(
          await texts(page, '#physical g.row:not(.gap) .label'),
          fixed.map((r) => r.name),
        );
        assert.deepStrictEqual(
          await texts(page, '#physical g.row:not(.gap) .addr'),
          fixed.map((r) => `0x${r.physAddr!.toString(16)}`),
        );
        assert.strictEqual(await page.locator('table.placed tbody tr').count(), v.regions.length - fixed.length);
        // The IPC buffer where Microkit 2.3 puts it on this board (AArch64, hypervisor, 40-bit PA).
        assert.deepStrictEqual(await texts(page, 'article.space[data-space="uart_driver"] g.row.ipc .addr'), ['0xfffffff000']);
        assert.strictEqual(await page.locator('g.row.overlaps').count(), 0);
      } finally {
        await page.close();
      }
    });
  }

  it("posts the element's place when a box, a channel, a map or a setvar is clicked or chosen with Enter", async () => {
    const m = SYSTEMS.example();
    const v = m.view;
    const page = await open();
    try {
      await show(page, m);
      const uart = v.domains.find((d) => d.name === 'uart_driver')!;
      await page.locator('g.domain[data-domain="uart_driver"]').click();
      await page.locator('g.link.channel').nth(2).locator('text.end-label').first().click();
      const map = uart.space.findIndex((s) => s.label === 'uart');
      await page.locator('article.space[data-space="uart_driver"] g.row:not(.gap)').nth(map).focus();
      await page.keyboard.press('Enter');
      await page.locator('article.space[data-space="CLIENT_VMM-1"] table.setvars .ref').first().click();
      const vmm = v.domains.find((d) => d.name === 'CLIENT_VMM-1')!;
      assert.deepStrictEqual((await posted(page)).slice(1), [
        { type: 'reveal', ref: uart.ref },
        { type: 'reveal', ref: v.channels[2].ref },
        { type: 'reveal', ref: uart.space[map].ref },
        { type: 'reveal', ref: vmm.setvars[0].ref },
      ]);
      // Where a click leads: the lines of the file these elements are on.
      const lines = readFileSync(path.join(PROJECT_ROOT, 'examples', 'dual-guest', 'dual-guest.system'), 'utf8').split('\n');
      assert.match(lines[uart.ref.start.line], /<protection_domain name="uart_driver"/);
      assert.match(lines[uart.space[map].ref!.start.line], /<map mr="uart"/);
      assert.match(lines[vmm.setvars[0].ref.start.line], /setvar_vaddr="guest_ram_vaddr"/);
    } finally {
      await page.close();
    }
  });

  it('redraws an edited file, says when it has errors, and keeps its file through a reload', async () => {
    const file = path.join(PROJECT_ROOT, 'examples', 'dual-guest', 'dual-guest.system');
    const text = readFileSync(file, 'utf8');
    const page = await open();
    try {
      await show(page, viewMessage(file, 'dual-guest.system', text));
      assert.strictEqual((await texts(page, '#status'))[0], 'no errors');
      // An edit: the driver's priority drops, a map now overlaps the one before it, a tag is half typed.
      const edited = text
        .replace('<protection_domain name="uart_driver" priority="100">', '<protection_domain name="uart_driver" priority="98">')
        .replace('<map mr="tx_queue_serial_driver" vaddr="0x4001000"', '<map mr="tx_queue_serial_driver" vaddr="0x4000800"')
        .replace('</system>', '<channel><end pd="uart_driver" </system>');
      await show(page, viewMessage(file, 'dual-guest.system', edited));
      const sub = (await texts(page, 'g.domain[data-domain="uart_driver"] .domain-sub')).join(' ');
      assert.ok(sub.includes('prio 98'), sub);
      assert.deepStrictEqual(await texts(page, '.column-head'), ['priority 99', 'priority 98', 'priority 50']);
      assert.ok((await page.locator('article.space[data-space="uart_driver"] g.row.overlaps').count()) >= 2);
      assert.match((await texts(page, '#status'))[0], /^\d+ errors? in the file: showing what parsed$/);
      await page.reload();
      await page.waitForSelector('.placeholder');
      assert.deepStrictEqual(await page.evaluate(() => JSON.parse(document.defaultView.sessionStorage.getItem('vscodeState'))), { uri: `file://${file}` });
    } finally {
      await page.close();
    }
  });

  it('runs under its CSP: no violation from the page itself; inline script and eval are refused', async () => {
    const page = await open();
    try {
      await show(page, SYSTEMS.sel4devkit());
      assert.deepStrictEqual(await page.evaluate(() => document.defaultView.__violations), []);
      const probe = await cspProbes(page);
      assert.deepStrictEqual(probe, { inline: false, evalProbe: 'EvalError', fnProbe: 'EvalError' });
    } finally {
      await page.close();
    }
  });

  for (const [name, make] of Object.entries(SYSTEMS)) {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      it(`screenshot of the ${name} in the ${theme} theme`, async () => {
        const page = await open(theme);
        try {
          await show(page, make());
          const colours = await themeColours(page, theme);
          assert.deepStrictEqual(colours.actual, colours.expected);
          // Text is filled, never outlined (a high-contrast card's border stroke is inherited in SVG).
          const strokes = await page
            .locator('svg text')
            .evaluateAll((els) => [...new Set(els.map((e) => e.ownerDocument.defaultView.getComputedStyle(e).stroke))]);
          assert.deepStrictEqual(strokes, ['none']);
          await page.screenshot({ path: path.join(SHOTS, `system-view-${name}-${theme}.png`), fullPage: true });
        } finally {
          await page.close();
        }
      });
    }
  }
});
