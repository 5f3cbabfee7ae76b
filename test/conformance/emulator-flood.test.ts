// Flow control under a flood: guest 1 runs `yes` for 10 s of virtual time while the extension side
// (session, terminals, serial log) keeps its memory bounded and guest 2 still answers typed input.
// In fast mode that is ~180 MB of output and 10-60 s of compute, so it lives in the slow suite; the
// unit suite checks the credit window itself (test/unit/host/credit-window.test.ts).
import { strict as assert } from 'assert';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { DualGuestSession } from '../../src/host/dual-guest-session';
import { startEmulatorWorker } from '../../src/host/node-worker';
import { CREDIT_WINDOW_BYTES } from '../../src/host/protocol';
import { EXAMPLE, RecordingUi, count, waitFor, workerBundle } from '../unit/host/worker-harness';
import type { SerialTerminal } from '../../src/host/serial-terminal';
import { cpuMillisSince, cpuTimeBudget } from '../cpu-time';

/** A UI whose terminals keep only a scrollback's worth of text, as VS Code's do. */
class ScrollbackUi extends RecordingUi {
  written = 0;
  override serialLine(): void {
    /* the recorder's own ring is what is bounded; the test keeps nothing */
  }
  override addTerminal(t: SerialTerminal): void {
    this.terminals.push(t);
    this.text.set(t.name, '');
    t.open((s) => {
      this.written += s.length;
      const all = (this.text.get(t.name) ?? '') + s;
      this.text.set(t.name, all.length > 65536 ? all.slice(-65536) : all);
    });
  }
}

function retainedHeapMb(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('host: a flooding guest', function () {
  cpuTimeBudget(this, 120_000, 600_000);
  let session: DualGuestSession;
  after(async () => {
    await session?.dispose();
  });

  it('`yes` for 10 s of virtual time: bounded memory on the extension side, the other guest still answers', async () => {
    const ui = new ScrollbackUi();
    session = new DualGuestSession(() => startEmulatorWorker(workerBundle()), ui);
    let maxUnacked = 0,
      lastTime = 0,
      outputMessages = 0;
    const booted = await session.boot({ projectFile: EXAMPLE, fast: true });
    assert.equal(booted.type, 'booted');
    const client = session.emulatorClient!;
    client.on('status', (m) => {
      maxUnacked = Math.max(maxUnacked, m.unackedBytes);
      lastTime = m.timeNs;
    });
    client.on('output', () => {
      outputMessages++;
    });
    const [g1, g2] = ui.terminals;
    await waitFor('login prompts', () => ui.of('client_linux-2').includes('login:') && ui.of('client_linux-1').includes('login:'));
    g1.handleInput('root\r');
    await waitFor('shell 1', () => count(ui.of('client_linux-1'), '# ') >= 1);
    const baselineMb = retainedHeapMb();

    const wall0 = Date.now();
    const cpu0 = process.cpuUsage();
    g1.handleInput('yes\r');
    await waitFor('the flood', () => ui.of('client_linux-1').endsWith('y\r\ny\r\ny\r\n'));
    const start = (await session.snapshot())!.timeNs;
    let maxHeapMb = baselineMb,
      answered = false;
    let loggedIn = false;
    while (lastTime - start < 10e9) {
      await new Promise((r) => setTimeout(r, 500));
      maxHeapMb = Math.max(maxHeapMb, retainedHeapMb());
      if (!loggedIn && lastTime - start > 2e9) {
        loggedIn = true;
        g2.handleInput('root\r');
      }
      if (loggedIn && !answered && count(ui.of('client_linux-2'), '# ') >= 1) {
        answered = true;
        g2.handleInput('echo still   here\r');
      }
      // The emulator's worker runs in this process: a stall is CPU spent without virtual time.
      if (cpuMillisSince(cpu0) > 100_000) break;
    }
    await waitFor('guest 2 answers during the flood', () => ui.of('client_linux-2').includes('\r\nstill here\r\n'), 10_000);
    const virtualS = (lastTime - start) / 1e9;
    const wallS = (Date.now() - wall0) / 1000;
    const floodMb = ui.written / 1e6;
    console.log(
      `      flood: ${virtualS.toFixed(1)} s virtual in ${wallS.toFixed(1)} s wall; ${floodMb.toFixed(1)} MB of text to the terminals in ${outputMessages} frames; ` +
        `extension-side heap after GC ${baselineMb.toFixed(1)} MB -> max ${maxHeapMb.toFixed(1)} MB (+${(maxHeapMb - baselineMb).toFixed(1)}); max unacknowledged ${(maxUnacked / 1024).toFixed(0)} KiB`,
    );
    assert.ok(virtualS >= 10, `only ${virtualS} s of virtual time`);
    assert.ok(floodMb > 10, 'the guest did not flood');
    assert.ok(ui.of('client_linux-1').endsWith('y\r\n'), 'guest 1 is still flooding');
    assert.ok(maxUnacked <= CREDIT_WINDOW_BYTES * 2, `unacknowledged output reached ${maxUnacked}`);
    assert.ok(maxHeapMb - baselineMb < 24, `extension-side heap grew by ${maxHeapMb - baselineMb} MB`);
    // Ctrl-C stops it.
    g1.handleInput('\x03');
    await waitFor('the flood stops', () => ui.of('client_linux-1').endsWith('# '));
  });
});
