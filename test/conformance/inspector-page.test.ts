// The inspector page in Debian's Chromium (launched once): fed real emulator snapshots, it must show
// their numbers, send the controls' messages, keep its filter through a reload, run under its CSP
// without inline script or eval, and look right in light, dark and high-contrast themes (screenshots
// in test-results/webview/). Fails loudly when Chromium is missing.
import * as assert from 'assert';
import { mkdirSync } from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { EmulatorSnapshot } from '../../src/emulator/emulator';
import { toWireSnapshot, bytesToHex, type HostMessage } from '../../src/extension/inspector-protocol';
import { launchChromium, type Chromium } from '../e2e/browser';
import { cspProbes, post as postAny, settle, standIn, themeColours } from '../webview/page-driver';
import { bundlePage, servePage, type PageServer } from '../webview/page-server';
import { recordSnapshots } from '../webview/record';
import { THEMES, type ThemeName } from '../webview/themes';
import { formatNs, queueFill } from '../../webview/src/model';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM library).
declare const window: any, document: any;
type HTMLElement = any;

const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'webview');

/** Posts a message as the extension would, and returns once the page has handled it. */
function post(page: Page, m: HostMessage): Promise<void> {
  return postAny(page, m);
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent())?.trim() ?? '';
}

describe('inspector page (Chromium)', function () {
  this.timeout(60_000);
  let chromium: Chromium;
  let server: PageServer;
  let snaps: EmulatorSnapshot[];

  before(async () => {
    snaps = recordSnapshots();
    const [browser, script] = await Promise.all([launchChromium(), bundlePage()]);
    chromium = browser;
    server = await servePage(script);
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  async function open(theme: ThemeName = 'dark'): Promise<Page> {
    const page = await chromium.browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.addInitScript(standIn(THEMES[theme]));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('#pause', { timeout: 10_000 });
    assert.deepStrictEqual(errors, []);
    return page;
  }

  /** The first recorded snapshot with bytes waiting in some queue and descriptors in a virtqueue. */
  function busySnapshot(): EmulatorSnapshot {
    const s = snaps.find((x) => x.queues.some((q) => queueFill(q) > 0) && x.guests[0].virtio.queues[0].descriptors.length > 0);
    assert.ok(s, 'the recording has a snapshot with bytes in flight');
    return s;
  }

  it('shows the numbers of a real snapshot', async () => {
    const page = await open();
    try {
      assert.deepStrictEqual(await page.evaluate(() => (window as any).__posted), [{ type: 'ready' }]);
      const s = busySnapshot();
      await post(page, { type: 'session', attached: true, paused: false, halted: false, speed: 1 });
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(s) });
      await settle(page);
      assert.strictEqual(await page.locator('article.queue').count(), s.queues.length);
      for (const q of s.queues) {
        const card = `article.queue[data-queue="${q.name}"]`;
        assert.strictEqual(await text(page, `${card} [data-field=capacity]`), String(q.capacity));
        assert.strictEqual(await text(page, `${card} [data-field=head]`), String(q.head));
        assert.strictEqual(await text(page, `${card} [data-field=tail]`), String(q.tail));
        assert.strictEqual(await text(page, `${card} [data-field=fill]`), `${queueFill(q)} / ${q.capacity}`);
        assert.strictEqual(await text(page, `${card} [data-field=producer_signalled]`), String(q.producerSignalled));
        if (q.bytes.length > 0) {
          const dump = await text(page, `${card} pre.hexdump`);
          const hexPairs = bytesToHex(q.bytes).match(/../g)!.join(' ');
          assert.ok(dump.includes(hexPairs), `${q.name}: ${dump} has ${hexPairs}`);
          assert.ok(dump.includes(`|${String.fromCharCode(...q.bytes)}|`), `${q.name}: text column`);
        }
      }
      for (const g of s.guests) {
        for (const q of g.virtio.queues) {
          const card = `article.virtq[data-virtq="${g.vm}/${q.name}"]`;
          assert.strictEqual(await text(page, `${card} [data-field=availIdx]`), String(q.availIdx));
          assert.strictEqual(await text(page, `${card} [data-field=usedIdx]`), String(q.usedIdx));
          assert.strictEqual(await text(page, `${card} [data-field=lastSeen]`), String(q.lastSeen));
          assert.strictEqual(await page.locator(`${card} table.descs tbody tr`).count(), q.descriptors.length);
          const d0 = q.descriptors[0];
          assert.deepStrictEqual(await page.locator(`${card} table.descs tbody tr`).first().locator('td').allTextContents(), [
            '0',
            `0x${d0.addr.toString(16).padStart(8, '0')}`,
            String(d0.len),
            d0.flags === 2 ? 'WRITE' : d0.flags === 0 ? '0' : await text(page, `${card} table.descs tbody tr td:nth-child(4)`),
            String(d0.next),
          ]);
          assert.strictEqual(await page.locator(`${card} table.ring`).nth(0).locator('tbody tr').count(), q.availRing.length);
          const unseen = q.availIdx === undefined ? 0 : Math.min(q.num, (q.availIdx - q.lastSeen) & 0xffff);
          assert.strictEqual(await page.locator(`${card} table.ring`).nth(0).locator('tbody tr.unseen').count(), unseen);
        }
      }
      for (const g of s.guests) {
        assert.strictEqual(await text(page, `table.irqs tr[data-row=injected] td[data-guest="${g.vm}"]`), String(g.irq.injected));
        assert.strictEqual(await text(page, `table.irqs tr[data-row=acked] td[data-guest="${g.vm}"]`), String(g.irq.acked));
        assert.strictEqual(
          await text(page, `table.irqs tr[data-row=pending] td[data-guest="${g.vm}"]`),
          g.irq.pending.length ? g.irq.pending.join(', ') : 'none',
        );
      }
      assert.strictEqual(await page.locator('.node').count(), s.pds.length + s.guests.length);
      assert.strictEqual(await page.locator('.edge').count(), s.channels.length + s.guests.length);
      assert.strictEqual(await page.locator('.timeline li').count(), Math.min(80, s.events.length));
      assert.strictEqual(await text(page, '#status'), 'Running');
    } finally {
      await page.close();
    }
  });

  it('flashes the PDs whose notification count grew, and filters the timeline per guest', async () => {
    const page = await open();
    try {
      const a = snaps[0],
        b = snaps[snaps.length - 1];
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(a) });
      await settle(page);
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(b) });
      await settle(page);
      const grew = b.pds
        .filter((p) => p.notifications > a.pds.find((x) => x.name === p.name)!.notifications)
        .map((p) => p.name)
        .sort();
      assert.ok(grew.length > 0);
      const flashing = (await page.locator('.node.pd.flash').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')!))).sort();
      assert.deepStrictEqual(flashing, grew);
      for (const p of b.pds) {
        assert.strictEqual(await page.locator(`.node[data-node="${p.name}"] .node-sub`).getAttribute('data-count'), String(p.notifications));
      }
      // Filter: the second guest's events only.
      const g = b.guests[1];
      await page.evaluate((vm) => {
        const d = document.getElementById('guest-filter') as HTMLElement & { value: string };
        d.value = vm;
        d.dispatchEvent(new Event('change'));
      }, g.vm);
      await settle(page);
      const lines = await page.locator('.timeline li .detail').allTextContents();
      const expected = b.events.filter((e) => e.detail.includes(g.vm) || e.detail.includes(g.vmm));
      assert.ok(expected.length > 0);
      assert.deepStrictEqual(
        lines,
        expected.slice(-80).map((e) => e.detail),
      );
      // The filter survives a reload (webview state).
      await page.reload();
      await page.waitForSelector('#pause');
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(b) });
      await settle(page);
      assert.deepStrictEqual(
        await page.locator('.timeline li .detail').allTextContents(),
        expected.slice(-80).map((e) => e.detail),
      );
    } finally {
      await page.close();
    }
  });

  it('keeps focus and scroll position in a section while snapshots stream in', async () => {
    const page = await open();
    try {
      const last = snaps[snaps.length - 1];
      // The same run a few events earlier, then as it is now.
      assert.ok(last.events.length > 30, `only ${last.events.length} events recorded`);
      await post(page, { type: 'snapshot', snapshot: { ...toWireSnapshot(last), events: last.events.slice(0, -3) } });
      await settle(page);
      await page.locator('ol.timeline').focus();
      const top = await page.evaluate(() => {
        const list = document.querySelector('ol.timeline');
        list.scrollTop = 30;
        return list.scrollTop;
      });
      assert.ok(top > 0, 'the timeline scrolls');
      const timeline = () => page.locator('ol.timeline').evaluate((el) => el.textContent);
      const before = await timeline();
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(last) });
      await settle(page);
      assert.notStrictEqual(await timeline(), before, 'the timeline was redrawn with new events');
      const after = await page.evaluate(() => ({
        keep: document.activeElement?.getAttribute('data-keep'),
        top: document.querySelector('ol.timeline').scrollTop,
      }));
      assert.deepStrictEqual(after, { keep: 'timeline', top });
    } finally {
      await page.close();
    }
  });

  it('sends pause, step, resume and speed, with the mouse and the keyboard', async () => {
    const page = await open();
    try {
      const posted = () => page.evaluate(() => (window as any).__posted.slice(1));
      // No session: every control is disabled.
      await post(page, { type: 'session', attached: false, paused: false, halted: false, speed: 1 });
      await page.locator('#step').click({ force: true });
      assert.deepStrictEqual(await posted(), []);
      assert.strictEqual(await text(page, '#status'), 'No emulator running');
      await post(page, { type: 'session', attached: true, paused: false, halted: false, speed: 1 });
      await page.locator('#pause').click();
      await post(page, { type: 'session', attached: true, paused: true, halted: false, speed: 1 });
      assert.strictEqual(await text(page, '#status'), 'Paused');
      await page.locator('#step').focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      await page.evaluate(() => {
        const d = document.getElementById('speed') as HTMLElement & { value: string };
        d.value = '0.5';
        d.dispatchEvent(new Event('change'));
      });
      assert.deepStrictEqual(await posted(), [{ type: 'pause' }, { type: 'step' }, { type: 'resume' }, { type: 'setSpeed', factor: 0.5 }]);
      // Every guest stopped: Halted, and nothing to pause, step or resume.
      await post(page, { type: 'session', attached: true, paused: false, halted: true, speed: 0.5 });
      assert.strictEqual(await text(page, '#status'), 'Halted');
      for (const id of ['#pause', '#step', '#resume'])
        assert.notStrictEqual(await page.locator(id).getAttribute('disabled'), null, `${id} is enabled while halted`);
    } finally {
      await page.close();
    }
  });

  it('travels in time: the slider and the steps ask for moments, a moment is drawn until Return to live', async () => {
    const page = await open();
    try {
      const sent = () => page.evaluate(() => (window as any).__posted.filter((m: { type: string }) => m.type === 'travel' || m.type === 'live'));
      const live = snaps[snaps.length - 1];
      // A past moment whose queues differ from the live ones.
      const past = snaps.find((x) => JSON.stringify(x.queues.map((q) => [q.head, q.tail])) !== JSON.stringify(live.queues.map((q) => [q.head, q.tail])));
      assert.ok(past, 'the recording has a moment whose queues differ from the last');
      await post(page, { type: 'session', attached: true, paused: false, halted: false, speed: 1 });
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(live) });
      await settle(page);
      assert.strictEqual(await text(page, '#travel-label'), 'Live');
      assert.notStrictEqual(await page.locator('#return-live').getAttribute('disabled'), null);
      const max = Number(await page.locator('#travel-slider').getAttribute('max'));
      assert.strictEqual(max, Math.floor(live.timeNs / 1e6));
      // Dragging: the first position goes at once; later ones wait for the answer, and only the newest goes.
      const drag = (v: number) =>
        page.evaluate((value) => {
          const el = document.getElementById('travel-slider');
          el.value = String(value);
          el.dispatchEvent(new Event('input'));
        }, v);
      await drag(1);
      await drag(2);
      await drag(3);
      assert.deepStrictEqual(await sent(), [{ type: 'travel', to: { timeNs: 1e6 } }]);
      const moment = { timeNs: past.timeNs, event: 7, activation: 11 },
        end = { timeNs: live.timeNs, event: 90, activation: 120 };
      await post(page, { type: 'past', moment, end, snapshot: toWireSnapshot(past) });
      await settle(page);
      assert.deepStrictEqual((await sent()).slice(1), [{ type: 'travel', to: { timeNs: 3e6 } }]);
      await post(page, { type: 'past', moment, end, snapshot: toWireSnapshot(past) });
      await settle(page);
      // The moment is what the page shows: its queues, its clock, and a clear mark.
      for (const q of past.queues) assert.strictEqual(await text(page, `article.queue[data-queue="${q.name}"] [data-field=tail]`), String(q.tail));
      assert.strictEqual(await text(page, '#travel-label'), `Viewing t = ${formatNs(past.timeNs)} (event 7, activation 11) of ${formatNs(live.timeNs)}`);
      assert.strictEqual(await text(page, '#status'), 'Time travel');
      assert.strictEqual(Number(await page.locator('#travel-slider').inputValue()), Math.floor(past.timeNs / 1e6));
      for (const id of ['#pause', '#step', '#resume'])
        assert.notStrictEqual(await page.locator(id).getAttribute('disabled'), null, `${id} is enabled in the past`);
      // A live snapshot arriving meanwhile is not drawn over the moment.
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(live) });
      await settle(page);
      assert.strictEqual(await text(page, '#travel-label'), `Viewing t = ${formatNs(past.timeNs)} (event 7, activation 11) of ${formatNs(live.timeNs)}`);
      // Steps by event and by activation, each answered before the next.
      const steps = ['#back-event', '#forward-event', '#back-activation', '#forward-activation'];
      for (const id of steps) {
        await page.locator(id).click();
        await post(page, { type: 'past', moment, end, snapshot: toWireSnapshot(past) });
      }
      assert.deepStrictEqual((await sent()).slice(2), [
        { type: 'travel', to: { step: 'event', dir: -1 } },
        { type: 'travel', to: { step: 'event', dir: 1 } },
        { type: 'travel', to: { step: 'activation', dir: -1 } },
        { type: 'travel', to: { step: 'activation', dir: 1 } },
      ]);
      await settle(page);
      await page.screenshot({ path: path.join(SHOTS, 'inspector-time-travel.png'), fullPage: true });
      // Return to live: asked for, then the live snapshot is drawn again.
      await page.locator('#return-live').click();
      assert.deepStrictEqual((await sent()).at(-1), { type: 'live' });
      await post(page, { type: 'live' });
      await settle(page);
      assert.strictEqual(await text(page, '#travel-label'), 'Live');
      for (const q of live.queues) assert.strictEqual(await text(page, `article.queue[data-queue="${q.name}"] [data-field=tail]`), String(q.tail));
      assert.strictEqual(await text(page, '#status'), 'Running');
    } finally {
      await page.close();
    }
  });

  it('runs under its CSP: no violation from the page itself; inline script and eval are refused', async () => {
    const page = await open();
    try {
      await post(page, { type: 'snapshot', snapshot: toWireSnapshot(busySnapshot()) });
      await settle(page);
      assert.deepStrictEqual(await page.evaluate(() => (window as any).__violations), []);
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.ok(csp && /script-src 'nonce-[^']+'/.test(csp) && !csp.includes('unsafe'), csp ?? '');
      const probe = await cspProbes(page);
      assert.strictEqual(probe.inline, false, 'an inline script ran');
      assert.deepStrictEqual({ evalProbe: probe.evalProbe, fnProbe: probe.fnProbe }, { evalProbe: 'EvalError', fnProbe: 'EvalError' });
      const violations: string[] = await page.evaluate(() => (window as any).__violations);
      assert.ok(
        violations.some((v) => v.startsWith('script-src')),
        violations.join(', '),
      );
    } finally {
      await page.close();
    }
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`screenshot in the ${theme} theme`, async () => {
      const page = await open(theme);
      try {
        await post(page, { type: 'session', attached: true, paused: true, halted: false, speed: 1 });
        // The last moment with bytes in flight (after both guests got input), and the one before it,
        // so the PDs it notified flash.
        let i = snaps.length - 1;
        while (i > 0 && !snaps[i].queues.some((q) => queueFill(q) > 0)) i--;
        assert.ok(i > 0);
        await post(page, { type: 'snapshot', snapshot: toWireSnapshot(snaps[i - 1]) });
        await settle(page);
        await post(page, { type: 'snapshot', snapshot: toWireSnapshot(snaps[i]) });
        await settle(page);
        // Text and background really come from the theme's variables.
        const colours = await themeColours(page, theme);
        assert.deepStrictEqual(colours.actual, colours.expected);
        await page.screenshot({ path: path.join(SHOTS, `inspector-${theme}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    });
  }
});
