// A guest that faults on a device its tree enables, as the extension shows it, against the REAL
// worker: the VMM's block on the Serial port terminal, the kernel's last lines and the cause in the
// guest's terminal, a Problems entry and "Go to source" at the enabling line, "halted" once both
// guests stopped; and two boots at once leave one worker, whose output reaches the terminals.
import { strict as assert } from 'assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DualGuestSession } from '../../../src/host/dual-guest-session';
import type { EmulatorClient } from '../../../src/host/emulator-client';
import { startEmulatorWorker } from '../../../src/host/node-worker';
import { EXAMPLE, RecordingUi, count, waitFor, workerBundle } from './worker-harness';

const VM1 = 'client_linux-1',
  VM2 = 'client_linux-2';
const LINE = 'Serial port (uart_driver)';
const DISABLED = '&uart1 {\n\tstatus = "disabled";';
const ENABLED = '&uart1 {\n\tstatus = "okay";';

/** A copy of the example whose guests named in `enable` set uart1's status to "okay". */
function exampleEnablingUart1(enable: string[]): { project: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdg-fault-'));
  cpSync(path.dirname(EXAMPLE), dir, { recursive: true });
  for (const f of enable) {
    const file = path.join(dir, f);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(DISABLED), f);
    writeFileSync(file, text.replace(DISABLED, ENABLED));
  }
  return { project: path.join(dir, 'dual-guest.json'), dir };
}

function lineOf(file: string, needle: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
}

describe('host: a guest fault as the extension shows it', function () {
  this.timeout(30_000);
  let session: DualGuestSession | undefined;
  before(() => {
    workerBundle();
  });
  afterEach(async () => {
    await session?.dispose();
    session = undefined;
  });

  it('the VMM block on the Serial port, the cause in the guest terminal, a problem and a source at the enabling line; the other guest runs on', async () => {
    const { project, dir } = exampleEnablingUart1(['guest-1.dts']);
    const ui = new RecordingUi();
    session = new DualGuestSession(() => startEmulatorWorker(workerBundle()), ui);
    assert.equal((await session.boot({ projectFile: project, fast: true })).type, 'booted');
    await waitFor('the fault', () => ui.failures.length > 0);
    await waitFor('guest 2 boots', () => ui.of(VM2).includes(`${VM2} login:`));
    const line = ui.of(LINE);
    assert.match(line, /CLIENT_VMM-1\|ERROR: unexpected memory fault on address: 0x3086[0-9a-f]{4}, FSR: 0x920000[0-9a-f]{2}/);
    assert.match(line, /CLIENT_VMM-1\|ERROR: Failed to handle virtual memory fault/);
    const guest = ui.of(VM1);
    assert.match(guest, /client_linux-1 stopped: unexpected memory fault at 0x3086/);
    assert.match(guest, /the kernel's last lines:\r\n\[ *\d+\.\d{6}\] /);
    const guest1 = path.join(dir, 'guest-1.dts');
    const statusLine = lineOf(guest1, 'status = "okay"');
    assert.ok(guest.includes(`/soc@0/bus@30800000/serial@30860000, which its driver imx-uart probes, is not mapped into ${VM1}`), guest.slice(-600));
    assert.ok(guest.includes(`enabled at ${guest1}:${statusLine + 1}:2`), guest.slice(-400));
    assert.equal(ui.failureSources[0]?.file, guest1);
    assert.equal(ui.failureSources[0]?.start.line, statusLine);
    assert.deepEqual(
      ui.problems.map((d) => [d.severity, d.range?.file, d.range?.start.line]),
      [['error', guest1, statusLine]],
    );
    assert.match(ui.problems[0].message, /not mapped into client_linux-1/);
    const last = ui.statuses[ui.statuses.length - 1];
    assert.equal(last.state, 'running');
    assert.deepEqual(
      last.guests.map((g) => g.state),
      ['halted', 'running'],
    );
    assert.ok(last.problem);
    // A good boot clears the session's problem.
    writeFileSync(guest1, readFileSync(guest1, 'utf8').replace(ENABLED, DISABLED));
    assert.equal((await session.boot({ projectFile: project, fast: true })).type, 'booted');
    assert.deepEqual(ui.problems, []);
    await waitFor('guest 1 boots', () => ui.of(VM1).includes(`${VM1} login:`));
  });

  it('"halted" once every guest has stopped', async () => {
    const { project } = exampleEnablingUart1(['guest-1.dts', 'guest-2.dts']);
    const ui = new RecordingUi();
    session = new DualGuestSession(() => startEmulatorWorker(workerBundle()), ui);
    await session.boot({ projectFile: project, fast: true });
    await waitFor('both faults', () => ui.failures.length === 2);
    await waitFor('halted', () => ui.lastStatus().includes('Dual guest: halted'));
    assert.deepEqual(
      session.runState.guests.map((g) => g.state),
      ['halted', 'halted'],
    );
  });

  it("two boots at once (a toast's Restart, then Boot): one worker is left, and its output reaches the terminals", async () => {
    const ui = new RecordingUi();
    const clients: EmulatorClient[] = [];
    session = new DualGuestSession(() => {
      const c = startEmulatorWorker(workerBundle());
      clients.push(c);
      return c;
    }, ui);
    assert.equal((await session.boot({ projectFile: EXAMPLE, fast: true })).type, 'booted');
    await waitFor('a login prompt', () => ui.of(VM1).includes(`${VM1} login:`));
    const [a, b] = await Promise.all([session.restart(), session.restart()]);
    assert.deepEqual([a?.type, b?.type], ['bootFailed', 'booted'], JSON.stringify([a, b]));
    // Every worker but the session's own has ended: none runs on unseen.
    assert.deepEqual(
      clients.map((c) => c.alive),
      clients.map((c) => c === session!.emulatorClient),
    );
    const logins = count(ui.of(VM2), `${VM2} login:`);
    await waitFor('guest 2 boots again and its terminal shows it', () => count(ui.of(VM2), `${VM2} login:`) > logins);
    // A boot that Stop overtakes ends too.
    const booting = session.restart();
    await session.stop();
    assert.equal((await booting)?.type, 'bootFailed');
    assert.ok(clients.every((c) => !c.alive));
  });
});
