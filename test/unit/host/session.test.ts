// The extension's emulator side against the REAL emulator in a REAL worker thread: boot the bundled
// example, type to each guest through the switch sequence, resize, pause, resume, reset, crash and
// restart, and a boot that stops on errors in the files.
import { strict as assert } from 'assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE, ROOT, count, newSession, waitFor, workerBundle, type RecordingUi } from './worker-harness';
import type { DualGuestSession } from '../../../src/host/dual-guest-session';
import { formatVirtualSeconds } from '../../../src/host/serial-log';

const VM1 = 'client_linux-1',
  VM2 = 'client_linux-2';
const LINE = 'Serial port (uart_driver)';

async function statusAfter(session: DualGuestSession): Promise<{ state: string; timeNs: number }> {
  // A snapshot's reply comes after every message the worker sent before it: a barrier.
  const snap = await session.snapshot();
  return { state: '', timeNs: snap?.timeNs ?? -1 };
}

describe('host: dual-guest session over the real worker', function () {
  this.timeout(20_000);
  let session: DualGuestSession;
  let ui: RecordingUi;

  before(() => {
    workerBundle();
  });
  afterEach(async () => {
    await session?.dispose();
  });

  async function bootToLogin(): Promise<void> {
    ({ session, ui } = newSession());
    const outcome = await session.boot({ projectFile: EXAMPLE, fast: true });
    assert.equal(outcome.type, 'booted', outcome.type === 'bootFailed' ? outcome.summary : '');
    assert.deepEqual(
      ui.terminals.map((t) => t.name),
      [`guest 1 · ${VM1}`, `guest 2 · ${VM2}`, LINE],
    );
    await waitFor('both login prompts', () => ui.of(VM1).includes(`${VM1} login:`) && ui.of(VM2).includes(`${VM2} login:`));
  }

  async function login(vm: string, client: number): Promise<void> {
    const term = ui.terminals.find((t) => t.name.endsWith(` · ${vm}`))!;
    const before = count(ui.of(vm), '# ');
    term.handleInput('root\r');
    await waitFor(`a shell on ${vm}`, () => count(ui.of(vm), '# ') > before);
    assert.equal(client, term.target);
  }

  it('exports the session as a Chrome/Perfetto trace, and has no protocol finding in Problems', async () => {
    await bootToLogin();
    await login(VM1, 0);
    const trace = await session.trace();
    assert.ok(trace.json, trace.error);
    const file = JSON.parse(trace.json) as { traceEvents: { ph: string; cat?: string; args?: { name?: string } }[] };
    assert.ok(file.traceEvents.some((e) => e.ph === 'M' && e.args?.name === 'serial_virt_rx'));
    assert.ok(file.traceEvents.some((e) => e.cat === 'irq') && file.traceEvents.some((e) => e.ph === 'C'));
    assert.deepEqual(
      ui.problems.filter((d) => d.code?.startsWith('protocol-')),
      [],
    );
  });

  it('travels in time: a past moment has the queues and terminal output of then; Return to live shows the live session again', async () => {
    await bootToLogin();
    // Read before anything is typed: every moment before it precedes the login and the echo.
    const beforeInput = (await statusAfter(session)).timeNs;
    await login(VM1, 0);
    ui.terminals[0].handleInput('echo later-output\r');
    await waitFor('the later output', () => ui.of(VM1).includes('later-output\r\n'));
    const live = await session.snapshot();
    assert.ok(live);
    const answers: { moment?: { timeNs: number; event: number }; error?: string; live?: boolean }[] = [];
    const sub = session.onTravel((e) => answers.push(e === 'live' ? { live: true } : { moment: e.past?.moment, error: e.error }));
    const before = ui.of(VM1).length;
    // Halfway to the login prompt: during the boot, whatever the pacing of the live session.
    const at = Math.floor(beforeInput / 2);
    session.travel({ timeNs: at });
    await waitFor('the moment', () => answers.length === 1);
    assert.equal(answers[0].error, undefined);
    // The machine stops at the end of the turn that crosses the moment (a fresh run does the same).
    const shownAt = answers[0].moment!.timeNs;
    assert.ok(shownAt >= at && shownAt < at + 2_000_000, JSON.stringify({ at, shownAt }));
    const past = ui.of(VM1).slice(before);
    assert.ok(past.includes(`viewing t = ${formatVirtualSeconds(shownAt).trim()} (time travel)`), past.slice(0, 200));
    assert.ok(!past.includes('later-output') && !past.includes('# '), past);
    const pausedAt = (await statusAfter(session)).timeNs;
    // Steps by event move the moment one event on, then back.
    session.travel({ step: 'event', dir: 1 });
    await waitFor('a step', () => answers.length === 2);
    assert.ok(answers[1].moment!.event > answers[0].moment!.event, JSON.stringify(answers));
    session.travel({ step: 'event', dir: -1 });
    await waitFor('a step back', () => answers.length === 3);
    assert.ok(answers[2].moment!.event < answers[1].moment!.event, JSON.stringify(answers));
    // The live machine waited: its time did not move while the past was shown.
    assert.equal((await statusAfter(session)).timeNs, pausedAt);
    const beforeLive = ui.of(VM1).length;
    session.returnToLive();
    await waitFor('live again', () => answers.some((a) => a.live));
    assert.ok(ui.of(VM1).slice(beforeLive).includes('later-output'), 'the live output is shown again');
    await waitFor('time moves again', () => ui.lastStatus().includes('running'));
    sub.dispose();
  });

  it('boots the example: each guest terminal shows only its own console; the line terminal shows both', async () => {
    await bootToLogin();
    assert.ok(!ui.of(VM1).includes(`${VM2} login:`), 'guest 2 output leaked into guest 1');
    assert.ok(!ui.of(VM2).includes(`${VM1} login:`), 'guest 1 output leaked into guest 2');
    assert.ok(ui.of(LINE).includes(`${VM1} login:`) && ui.of(LINE).includes(`${VM2} login:`));
    assert.ok(
      ui.logs.some((l) => l.includes('model: probing /virtio-console@150000')),
      'emulator logs reach the output channel',
    );
    assert.ok(
      ui.serialLines.some((l) => /^\[\d{4}-\d\d-\d\dT.*Z +\d+\.\d{6}s\] Welcome to Buildroot$/.test(l)),
      ui.serialLines.slice(-3).join('\n'),
    );
    assert.equal(ui.cleared, 1);
    // The serial port terminal's banner and the status tooltip name the switch character and its source.
    assert.ok(
      ui.of(LINE).includes("switch character '@' (from the project file dual-guest.json): '@' N Enter sends input to client N (from 0)"),
      ui.of(LINE).slice(0, 300),
    );
    assert.ok(!ui.of(VM1).includes('switch character'));
    assert.match(ui.statuses[ui.statuses.length - 1].tooltip, /\nSwitch character: '@' \(from the project file dual-guest\.json\)$/);
  });

  it('without a project file: the setting wins over serial_config.h, which wins over the default', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mdg-switch-'));
    for (const f of ['dual-guest.system', 'board.dts', 'guest-1.dts', 'guest-2.dts']) cpSync(path.join(path.dirname(EXAMPLE), f), path.join(dir, f));
    writeFileSync(path.join(dir, 'serial_config.h'), "#include <microkit.h>\n#define SERIAL_SWITCH_CHAR '#'\n");
    const system = path.join(dir, 'dual-guest.system');
    ({ session, ui } = newSession());
    let outcome = await session.boot({ projectFile: system, fast: true });
    assert.equal(outcome.type, 'booted');
    assert.ok(ui.of(LINE).includes("switch character '#' (from SERIAL_SWITCH_CHAR in serial_config.h:2): '#' N Enter"), ui.of(LINE).slice(0, 300));
    outcome = await session.boot({ projectFile: system, fast: true, switchChar: { value: 0x21, label: 'the setting S' } });
    assert.equal(outcome.type === 'booted' && outcome.switchChar, 0x21);
    assert.match(ui.statuses[ui.statuses.length - 1].tooltip, /Switch character: '!' \(from the setting S\)$/);
  });

  it('typing reaches each guest through the RX virtualiser; switching is typed on the line', async () => {
    await bootToLogin();
    await login(VM1, 0);
    await login(VM2, 1);
    const g1 = ui.terminals[0],
      g2 = ui.terminals[1];
    // Words the shell joins with one space: the answer differs from the echoed command line.
    g1.handleInput('echo one   42\r');
    await waitFor('guest 1 answers', () => ui.of(VM1).includes('\r\none 42\r\n'));
    g2.handleInput('echo two   43\r');
    await waitFor('guest 2 answers', () => ui.of(VM2).includes('\r\ntwo 43\r\n'));
    assert.ok(!ui.of(VM2).includes('one 42') && !ui.of(VM1).includes('two 43'));
    // The virtualiser's own log shows the switch the extension typed (client numbers 0-based).
    assert.ok(
      ui.logs.some((l) => l.includes('VIRT_RX|LOG: switching to client 1')),
      ui.logs.filter((l) => l.includes('VIRT_RX')).join('\n'),
    );
    // A literal switch character typed in a guest terminal reaches that guest as itself.
    g2.handleInput('echo a@b   c\r');
    await waitFor('the @ arrives', () => ui.of(VM2).includes('\r\na@b c\r\n'));
    // "Switch serial input" types just the sequence; the status bar names the guest with input.
    assert.equal((await session.snapshot())?.serial.currentClient, 1);
    session.switchInput(0);
    let current = 1;
    await waitFor('the virtualiser switched', () => {
      void session.snapshot().then((snap) => {
        current = snap?.serial.currentClient ?? -1;
      });
      return current === 0;
    });
    await waitFor('the status bar shows the input guest', () => ui.lastStatus().includes(`input: ${VM1}`), 5000);
  });

  it('resize is recorded and reported once; pause stops virtual time, resume restarts it', async () => {
    await bootToLogin();
    ui.terminals[0].setDimensions({ columns: 132, rows: 40 });
    ui.terminals[0].setDimensions({ columns: 100, rows: 30 });
    await waitFor('the size is recorded', () => session.unappliedSizes.get(VM1) === '100x30');
    assert.equal(ui.logs.filter((l) => l.startsWith(`terminal size of ${VM1}`)).length, 1);

    session.pause();
    await waitFor('paused', () => ui.lastStatus().includes('paused'));
    const t1 = (await statusAfter(session)).timeNs;
    await new Promise((r) => setTimeout(r, 150));
    const t2 = (await statusAfter(session)).timeNs;
    assert.equal(t2, t1, 'virtual time moved while paused');
    session.resume();
    await waitFor('running again', () => ui.lastStatus().includes('running'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok((await statusAfter(session)).timeNs > t2);
  });

  it('reset reboots only that guest: the other terminal keeps working and shows no reboot', async () => {
    await bootToLogin();
    await login(VM1, 0);
    await login(VM2, 1);
    const logins1 = count(ui.of(VM1), `${VM1} login:`);
    const kernels1 = count(ui.of(VM1), 'Run /init as init process');
    const other = ui.of(VM2).length,
      line = ui.of(LINE).length;
    session.reset(0);
    // Guest 2's shell answers at once, with input still routed to it (no switch needed).
    ui.terminals[1].handleInput('echo still here\r');
    await waitFor('guest 2 answers', () => ui.of(VM2).slice(other).includes('still here\r\n# '));
    await waitFor('guest 1 boots again', () => count(ui.of(VM1), `${VM1} login:`) > logins1);
    assert.ok(ui.of(VM1).includes(`reset requested for ${VM1}`));
    // A fresh kernel, not a new getty: the boot log came again.
    assert.equal(count(ui.of(VM1), 'Run /init as init process'), kernels1 + 1);
    // Guest 2 saw neither a notice nor a reboot; the serial line carried guest 1's boot, not guest 2's.
    const otherAfter = ui.of(VM2).slice(other);
    assert.ok(!otherAfter.includes('reset requested') && !otherAfter.includes('Booting Linux') && !otherAfter.includes('login:'), otherAfter);
    assert.ok(ui.of(LINE).slice(line).includes('Booting Linux'));
    assert.equal(count(ui.of(LINE).slice(line), `${VM2} login:`), 0);
    assert.ok(
      ui.logs.some((l) => l.includes('CLIENT_VMM-1|INFO: Restarted guest')),
      ui.logs.join('\n'),
    );
    assert.equal(ui.failures.length, 0);
    // Both guests take commands afterwards.
    await login(VM1, 0);
    const before2 = ui.of(VM2).length;
    ui.terminals[1].handleInput('echo again\r');
    await waitFor('guest 2 answers again', () => ui.of(VM2).slice(before2).includes('again\r\n# '));
  });

  it('reset brings a stopped guest back and clears the problem in the status bar', async () => {
    await bootToLogin();
    await login(VM2, 1);
    ui.terminals[1].handleInput('poweroff\r');
    await waitFor('guest 2 reported stopped', () => ui.failures.some((f) => f.startsWith(`${VM2} stopped`)), 10_000);
    assert.ok(ui.statuses[ui.statuses.length - 1].problem);
    const logins = count(ui.of(VM2), `${VM2} login:`);
    session.reset(1);
    await waitFor('guest 2 boots again', () => count(ui.of(VM2), `${VM2} login:`) > logins);
    assert.equal(ui.statuses[ui.statuses.length - 1].problem, false);
    await login(VM2, 1);
  });

  it('a crash in the worker is reported in the terminals and the status bar; restart boots again', async () => {
    await bootToLogin();
    session.emulatorClient!.simulateCrash('test crash');
    await waitFor('the crash report', () => ui.failures.length > 0);
    assert.match(ui.failures[0], /internal error: test crash/);
    assert.ok(ui.of(VM1).includes('test crash') && ui.of(VM2).includes('test crash'));
    assert.ok(ui.statuses[ui.statuses.length - 1].problem && ui.lastStatus().includes('crashed'));
    assert.equal(session.running, false);
    const logins = count(ui.of(VM1), `${VM1} login:`);
    const outcome = await session.restart();
    assert.equal(outcome?.type, 'booted');
    await waitFor('a login prompt after restart', () => count(ui.of(VM1), `${VM1} login:`) > logins);
    await login(VM1, 0);
  });

  it('a worker that dies (terminated from outside) is a crash too, and the host process lives on', async () => {
    await bootToLogin();
    const client = session.emulatorClient! as unknown as { worker: { terminate(): Promise<number> } };
    await client.worker.terminate();
    await waitFor('the crash report', () => ui.failures.length > 0);
    assert.match(ui.failures[0], /exited unexpectedly/);
  });

  it('a guest that fails is reported in its terminal', async () => {
    await bootToLogin();
    await login(VM2, 1);
    ui.terminals[1].handleInput('poweroff\r');
    await waitFor('guest 2 reported stopped', () => ui.failures.some((f) => f.startsWith(`${VM2} stopped`)), 10_000);
    assert.ok(ui.of(VM2).includes(`${VM2} stopped`));
    // The other guest still answers.
    await login(VM1, 0);
  });

  it('streams snapshots for the queue inspector while asked; step advances a paused machine by one event', async () => {
    await bootToLogin();
    const seen: number[] = [];
    const sub = session.onSnapshot((snap) => seen.push(snap.timeNs));
    session.setSnapshotStreaming(true, 20);
    await waitFor('three snapshots', () => seen.length >= 3);
    assert.ok(seen[2] > seen[0], 'snapshots show time moving');
    session.pause();
    await waitFor('paused', () => ui.lastStatus().includes('paused'));
    const before = (await session.snapshot())!.timeNs;
    const n = seen.length;
    session.step();
    await waitFor('the step snapshot', () => seen.length > n && seen[seen.length - 1] > before);
    assert.ok(ui.lastStatus().includes('paused'));
    session.setSnapshotStreaming(false, 0);
    sub.dispose();
  });

  it('a recording of the input replays to the same output on a fresh board', async () => {
    await bootToLogin();
    await login(VM1, 0);
    ui.terminals[0].handleInput('echo rec   1\r');
    await waitFor('the answer', () => ui.of(VM1).includes('\r\nrec 1\r\n'));
    const log = await session.recording();
    assert.ok(log && log.records.length >= 2);
    await session.dispose();
    ({ session, ui } = newSession());
    await session.boot({ projectFile: EXAMPLE, fast: true, replay: log });
    await waitFor('the replayed answer', () => ui.of(VM1).includes('\r\nrec 1\r\n'));
  });

  it('input beyond the bounded queue is dropped and reported; the guest still answers what fits', async () => {
    await bootToLogin();
    await login(VM1, 0);
    ui.terminals[0].handleInput('x'.repeat(100_000));
    await waitFor('the drop is reported', () => ui.logs.some((l) => /^100000 typed bytes dropped/.test(l)), 5000);
    ui.terminals[0].handleInput('echo after   drop\r');
    await waitFor('the answer', () => ui.of(VM1).includes('\r\nafter drop\r\n'));
    assert.equal(ui.logs.filter((l) => l.includes('typed bytes dropped')).length, 1, 'reported once');
  });

  it('errors in the files stop the boot with positioned diagnostics and a message saying what to fix', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mdg-badproject-'));
    cpSync(path.dirname(EXAMPLE), dir, { recursive: true });
    const dts = path.join(dir, 'guest-1.dts');
    writeFileSync(dts, readFileSync(dts, 'utf8').replace(/\};\s*$/, '};\n/ { broken = <1 2; };\n'));
    ({ session, ui } = newSession());
    const outcome = await session.boot({ projectFile: path.join(dir, 'dual-guest.json'), fast: true });
    assert.equal(outcome.type, 'bootFailed');
    assert.equal(ui.bootFailures.length, 1);
    const errs = ui.bootFailures[0].diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errs.length > 0 && errs.every((d) => d.range !== undefined), JSON.stringify(errs));
    assert.ok(errs.some((d) => d.range!.file === dts));
    assert.match(ui.bootFailures[0].summary, /^Cannot boot: fix .*guest-1\.dts:\d+\.\d+-\d+\.\d+: /);
    assert.ok(ui.lastStatus().includes('failed'));
    assert.equal(ui.terminals.length, 0, 'no terminals for a board that did not boot');
    assert.ok(ROOT);
  });

  it('a VM the project file leaves out ("boot": false) gets no terminal; the other boots', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mdg-oneguest-'));
    cpSync(path.dirname(EXAMPLE), dir, { recursive: true });
    const json = path.join(dir, 'dual-guest.json');
    const project = JSON.parse(readFileSync(json, 'utf8'));
    project.guests[VM1].boot = false;
    writeFileSync(json, JSON.stringify(project));
    ({ session, ui } = newSession());
    const outcome = await session.boot({ projectFile: json, fast: true });
    assert.equal(outcome.type, 'booted', outcome.type === 'bootFailed' ? outcome.summary : '');
    assert.deepEqual(
      ui.terminals.map((t) => t.name),
      [`guest 1 · ${VM2}`, LINE],
    );
    await waitFor('the login prompt of the booted guest', () => ui.of(VM2).includes(`${VM2} login:`));
    assert.ok(!ui.of(LINE).includes(`${VM1} login:`));
  });

  it('a VM with no tree named or found is left out with a warning and gets no terminal; the other boots', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mdg-treeless-'));
    cpSync(path.dirname(EXAMPLE), dir, { recursive: true });
    rmSync(path.join(dir, 'guest-1.dts'));
    const json = path.join(dir, 'dual-guest.json');
    const project = JSON.parse(readFileSync(json, 'utf8'));
    delete project.guests[VM1];
    writeFileSync(json, JSON.stringify(project));
    ({ session, ui } = newSession());
    const outcome = await session.boot({ projectFile: json, fast: true });
    assert.equal(outcome.type, 'booted', outcome.type === 'bootFailed' ? outcome.summary : '');
    assert.ok(
      outcome.diagnostics.some((d) => d.severity === 'warning' && d.message.startsWith(`'${VM1}' is not booted: no device tree is named or found for it`)),
      JSON.stringify(outcome.diagnostics),
    );
    assert.deepEqual(
      ui.terminals.map((t) => t.name),
      [`guest 1 · ${VM2}`, LINE],
    );
    await waitFor('the login prompt of the booted guest', () => ui.of(VM2).includes(`${VM2} login:`));
    assert.ok(ui.of(LINE).includes(`warning: '${VM1}' is not booted: no device tree is named or found for it`), ui.of(LINE));
  });

  it('a guest that owns the passed-through i.MX UART (MaaXBoard): its terminal shows ttymxc0 and typing reaches it directly', async () => {
    ({ session, ui } = newSession());
    const outcome = await session.boot({ projectFile: path.join(ROOT, 'test', 'fixtures', 'maaxboard-passthrough', 'dual-guest.json'), fast: true });
    assert.equal(outcome.type, 'booted', outcome.type === 'bootFailed' ? outcome.summary : '');
    assert.equal(ui.terminals[0].name, 'guest 1 · linux');
    await waitFor('the login prompt on ttymxc0', () => ui.of('linux').includes('linux login:'));
    assert.ok(ui.of('linux').includes('printk: console [ttymxc0] enabled'));
    ui.terminals[0].handleInput('root\r');
    await waitFor('a shell', () => ui.of('linux').includes('# '));
    ui.terminals[0].handleInput('uname -m\r');
    await waitFor('the answer', () => ui.of('linux').includes('uname -m\r\naarch64\r\n'));
  });

  it('a guest that owns the passed-through UART (QEMU virt): its terminal shows it alone and typing reaches it with no switch sequence', async () => {
    ({ session, ui } = newSession());
    const outcome = await session.boot({ projectFile: path.join(ROOT, 'test', 'fixtures', 'qemu-virt', 'dual-guest.json'), fast: true });
    assert.equal(outcome.type, 'booted', outcome.type === 'bootFailed' ? outcome.summary : '');
    assert.equal(ui.terminals[0].name, 'guest 1 · linux');
    await waitFor('the login prompt on ttyAMA0', () => ui.of('linux').includes('linux login:'));
    assert.ok(ui.of('linux').includes('ttyAMA0 at MMIO 0x9000000'));
    ui.terminals[0].handleInput('root\r');
    await waitFor('a shell', () => ui.of('linux').includes('# '));
    ui.terminals[0].handleInput('uname -n\r');
    await waitFor('the answer', () => ui.of('linux').includes('uname -n\r\nlinux\r\n'));
    assert.ok(!ui.of('linux').includes('\x1c'));
  });
});
