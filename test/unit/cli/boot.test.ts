// `dual-guest boot` in-process on the package's own example (examples/dual-guest): arguments, help,
// the quit key, piped input, errors in the files, determinism, record/replay, colour, and the
// interactive terminal (raw mode, quit key, signals, no busy-waiting while idle, realtime pacing).
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { MemoryFileHost } from '../../../src/common/host';
import { bootBanner, bootUsage, packageRoot, parseBootArgs } from '../../../src/cli/boot';
import { loadProject } from '../../../src/system/project';
import { parseRecording } from '../../../src/cli/boot-session';
import { LineSplitter } from '../../../src/cli/script-input';
import { DEFAULT_QUIT_KEY, describeKey, quitKeyFor } from '../../../src/cli/terminal';
import { bootInteractive, bootPiped, count, waitFor } from './boot-harness';

const EXAMPLE = path.join(packageRoot(), 'examples', 'dual-guest');
const LOGIN = 'root\n@1\nroot\n';

describe('cli boot: arguments and keys', () => {
  it('parses the options and the project argument', () => {
    assert.deepEqual(parseBootArgs(['--realtime', '--seed', '7', '--record=r.json', '--no-colour', 'x.system']).parsed, {
      realtime: true,
      seed: 7,
      logs: false,
      record: 'r.json',
      colour: false,
      target: 'x.system',
    });
    assert.deepEqual(parseBootArgs([]).parsed, { realtime: false, seed: 1, logs: false });
    assert.equal(parseBootArgs(['--colour', '--fast']).parsed?.colour, true);
    assert.equal(parseBootArgs(['--help']).help, true);
  });

  it('rejects bad usage with a message', () => {
    assert.match(parseBootArgs(['--seed', 'x']).error ?? '', /--seed wants a non-negative integer/);
    assert.match(parseBootArgs(['--script']).error ?? '', /--script needs a file/);
    assert.match(parseBootArgs(['--frobnicate']).error ?? '', /unknown option/);
    assert.match(parseBootArgs(['a', 'b']).error ?? '', /one project at a time/);
    assert.match(parseBootArgs(['--script', 's', '--replay', 'r']).error ?? '', /choose one/);
    assert.match(parseBootArgs(['--switch-char', '@@']).error ?? '', /--switch-char wants one character, Ctrl-<key> or a byte value \(0x1c\), not '@@'/);
    assert.match(parseBootArgs(['--switch-char']).error ?? '', /--switch-char needs a character/);
  });

  it('--switch-char takes a character, a control key or a byte value', () => {
    assert.equal(parseBootArgs(['--switch-char', '@']).parsed?.switchChar, 0x40);
    assert.equal(parseBootArgs(['--switch-char=Ctrl-\\']).parsed?.switchChar, 0x1c);
    assert.equal(parseBootArgs(['--switch-char', '0x1d']).parsed?.switchChar, 0x1d);
  });

  it('the banner names the switch character, where it came from, and the quit key', () => {
    const system = readFileSync(path.join(EXAMPLE, 'dual-guest.system'), 'utf8');
    const bare = { project: loadProject('/v/dual-guest.system', new MemoryFileHost({ '/v/dual-guest.system': system })) };
    assert.equal(
      bootBanner(bare, 0x1d, (f) => f.slice(3)),
      "dual-guest boot: dual-guest.system: 2 clients; switch character Ctrl-\\ (sdfgen's default): Ctrl-\\ N Enter sends input to client N (from 0); Ctrl-] quits",
    );
    const flagged = {
      project: loadProject('/v/dual-guest.system', new MemoryFileHost({ '/v/dual-guest.system': system }), {
        switchChar: { value: 0x40, label: '--switch-char' },
      }),
    };
    assert.match(
      bootBanner(flagged, 0x1d, (f) => f),
      /switch character '@' \(from --switch-char\): '@' N Enter sends input/,
    );
    const json = {
      project: loadProject(
        '/v/dual-guest.system',
        new MemoryFileHost({ '/v/dual-guest.system': system, '/v/dual-guest.json': '{"serial":{"switchChar":"@"}}' }),
        { switchChar: { value: 0x1c, label: '--switch-char' } },
      ),
    };
    assert.match(
      bootBanner(json, 0x1d, (f) => f.slice(3)),
      /^dual-guest boot: dual-guest.json: 2 clients; switch character '@' \(from the project file dual-guest.json, over --switch-char's Ctrl-\\\)/,
    );
  });

  it('--help documents the quit key, the switch sequence and every option; exit 0', async () => {
    const r = await bootPiped(['--help'], '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, bootUsage() + '\n');
    for (const word of ['Ctrl-]', '"@1" Enter', '--script', '--realtime', '--fast', '--record', '--replay', '--seed', '--colour', '--no-colour']) {
      assert.ok(r.stdout.includes(word), word);
    }
    const bad = await bootPiped(['--seed'], '');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^dual-guest boot: --seed needs a number\n/);
  });

  it('the quit key is Ctrl-] and never the configured switch character', () => {
    assert.equal(DEFAULT_QUIT_KEY, 0x1d);
    assert.equal(describeKey(quitKeyFor(0x40)), 'Ctrl-]');
    assert.equal(describeKey(quitKeyFor(0x1d)), 'Ctrl-^');
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), (sw) => quitKeyFor(sw) !== sw));
  });

  it('script lines: each ends in \\r, whatever the line ends and however the input is chunked', () => {
    const text = fc.array(fc.constantFrom('a', 'b', '@', '1', ' ', '\r', '\n', '\r\n'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
        const splitter = new LineSplitter();
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let from = 0;
        for (const p of [...points, input.length]) {
          for (const l of splitter.push(Buffer.from(input.slice(from, p), 'latin1'))) pieces.push(Buffer.from(l).toString('latin1'));
          from = p;
        }
        const rest = splitter.end();
        const expected = input.replace(/\r\n|\n/g, '\r');
        assert.equal(pieces.join('') + (rest ? Buffer.from(rest).toString('latin1') : ''), expected);
        for (const p of pieces) assert.ok(p.endsWith('\r') && p.indexOf('\r') === p.length - 1, JSON.stringify(p));
        if (rest) assert.ok(!Buffer.from(rest).includes(0x0d));
      }),
    );
  });
});

describe('cli boot: piped input (the default example)', function () {
  this.timeout(60000);

  it('boots the default example with no argument, types each line once the guests wait, and exits', async () => {
    const r = await bootPiped([], `${LOGIN}uname -n\n@0\nuname -n\n`, { cwd: '/tmp' });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith('Begin input\r\n'), r.stdout.slice(0, 80));
    assert.equal(count(r.stdout, 'login: '), 2);
    // One line, as virt_tx writes it: the second guest's answer after the switch, then the first's.
    const second = r.stdout.indexOf('uname -n\r\nclient_linux-2\r\n# ');
    const first = r.stdout.indexOf('uname -n\r\nclient_linux-1\r\n# ');
    assert.ok(second > 0 && first > second, r.stdout.slice(-400));
    assert.equal(r.session?.emulator.snapshot().serial.currentClient, 0);
    assert.equal(r.stderr, '');
  });

  it("--logs prints the INFO lines the board prints: the VMMs' LOG_VMM lines", async () => {
    const r = await bootPiped(['--logs'], '', { cwd: '/tmp' });
    assert.equal(r.code, 0, r.stderr);
    // libvmm linux.c:114 and guest.c:105 (LOG_VMM, include/libvmm/util/util.h:32).
    for (const vmm of ['CLIENT_VMM-1', 'CLIENT_VMM-2']) {
      assert.match(r.stderr, new RegExp(`^${vmm}\\|INFO: Copying guest DTB to GPA 0x[0-9a-f]+ \\(0x[0-9a-f]+ bytes\\)$`, 'm'));
      assert.match(r.stderr, new RegExp(`^${vmm}\\|INFO: starting guest at 0x[0-9a-f]+, DTB at 0x[0-9a-f]+, initial RAM disk at 0x[0-9a-f]+$`, 'm'));
    }
  });

  it('without a project file the switch character comes from serial_config.h, or from --switch-char over it', async () => {
    const files: Record<string, string> = {};
    for (const f of ['dual-guest.system', 'board.dts', 'guest-1.dts', 'guest-2.dts']) files[`/v/${f}`] = readFileSync(path.join(EXAMPLE, f), 'utf8');
    files['/v/serial_config.h'] = '#pragma once\n#include <microkit.h>\n#define SERIAL_SWITCH_CHAR 64\n';
    const header = await bootPiped(['/v/dual-guest.system'], `${LOGIN}uname -n\n`, { files });
    assert.equal(header.code, 0, header.stderr);
    assert.deepEqual([header.session?.switchChar, header.session?.project.serial.switchCharOrigin.kind], [0x40, 'header']);
    // "@1" Enter reached virt_rx as a switch: the second guest answered.
    assert.ok(header.stdout.includes('uname -n\r\nclient_linux-2\r\n# '), header.stdout.slice(-300));
    assert.equal(header.stderr, '');
    // The flag wins over the header: '@' is then an ordinary key, and the first guest gets "@1".
    const flagged = await bootPiped(['/v/dual-guest.system', '--switch-char', 'Ctrl-\\', '--record', '/rec/sw.json'], 'root\n@1\n', { files });
    assert.deepEqual([flagged.session?.switchChar, flagged.session?.project.serial.switchCharOrigin.kind], [0x1c, 'override']);
    assert.equal(flagged.session?.emulator.snapshot().serial.currentClient, 0);
    // Its recording replays with the switch character it was made with, without the flag.
    const replay = await bootPiped(['/v/dual-guest.system', '--replay', '/rec/sw.json'], '', {
      files: { ...files, '/rec/sw.json': flagged.written.get('/rec/sw.json')! },
    });
    assert.equal(replay.session?.switchChar, 0x1c);
    assert.equal(replay.stdout, flagged.stdout);
    // A header whose value cannot be read: a positioned warning on standard error, and the default.
    files['/v/serial_config.h'] = '#define SERIAL_SWITCH_CHAR SWITCH_KEY\n';
    const broken = await bootPiped(['/v/dual-guest.system'], '', { files, cwd: '/v' });
    assert.equal(broken.session?.switchChar, 0x1c);
    assert.match(
      broken.stderr,
      /^serial_config\.h:1:9: warning: the switch character cannot be taken from SERIAL_SWITCH_CHAR: 'SWITCH_KEY' is not a macro defined here/,
    );
  });

  it('types a last line without a line end as it is (no Enter)', async () => {
    const r = await bootPiped([EXAMPLE], 'root\nuname -n');
    assert.equal(r.code, 0);
    assert.ok(r.stdout.endsWith('# uname -n'), JSON.stringify(r.stdout.slice(-40)));
  });

  it('same files, input and seed: byte-identical transcripts; a recording replays byte for byte', async () => {
    const input = `${LOGIN}cat /proc/uptime\n@0\necho hi\n`;
    const a = await bootPiped([EXAMPLE, '--seed', '5', '--record', '/rec/a.json'], input);
    const b = await bootPiped([EXAMPLE, '--seed', '5'], input);
    assert.equal(a.code, 0);
    assert.equal(a.stdout, b.stdout);
    const text = a.written.get('/rec/a.json');
    assert.ok(text, 'the recording was written');
    const rec = parseRecording(text).recording!;
    assert.equal(rec.seed, 5);
    assert.equal(rec.records.length, 6);
    assert.equal(Buffer.from(rec.records[1].bytes).toString('latin1'), '@1\r');
    const replay = await bootPiped([EXAMPLE, '--replay', '/rec/a.json'], '', { files: { '/rec/a.json': text } });
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(replay.stdout, a.stdout);
  });

  it('a malformed recording or a missing script is bad usage (exit 2), not a crash', async () => {
    const r = await bootPiped([EXAMPLE, '--replay', '/rec/bad.json'], '', {
      files: { '/rec/bad.json': '{"version":1,"seed":1,"records":[{"timeNs":0,"bytes":[300]}],"endNs":5}' },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /record 0: expected/);
    // A guest reset recorded by the extension is kept as a reset; a bad guest index is refused.
    assert.deepEqual(parseRecording('{"version":1,"seed":1,"records":[{"timeNs":7,"bytes":[],"resetGuest":1}],"endNs":9}').recording!.records, [
      { timeNs: 7, bytes: [], resetGuest: 1 },
    ]);
    assert.match(
      parseRecording('{"version":1,"seed":1,"records":[{"timeNs":7,"bytes":[],"resetGuest":"a"}],"endNs":9}').error!,
      /record 0: 'resetGuest' must be a guest index/,
    );
    const s = await bootPiped([EXAMPLE, '--script', '/nope/script.txt'], '');
    assert.equal(s.code, 2);
    assert.match(s.stderr, /cannot read the script '\/nope\/script\.txt'/);
  });

  it('--script types the file like piped input', async () => {
    const r = await bootPiped([EXAMPLE, '--script', '/s/login.txt'], 'ignored\n', { files: { '/s/login.txt': 'root\r\nuname -n\r\n' } });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /# uname -n\r\nclient_linux-1\r\n# $/);
    assert.ok(!r.stdout.includes('ignored'));
  });

  it('--colour wraps each client in its ANSI colour; --no-colour overrides the project', async () => {
    const c = await bootPiped([EXAMPLE, '--colour'], '');
    assert.match(c.stdout, /\x1b\[31m[^\x1b]*client_linux-1 login: \x1b\[0m/);
    assert.match(c.stdout, /\x1b\[32m[^\x1b]*client_linux-2 login: \x1b\[0m/);
    const n = await bootPiped([EXAMPLE, '--no-colour'], '');
    assert.ok(!n.stdout.includes('\x1b['));
  });

  it('errors in the files stop the boot with file:line:col diagnostics and exit 1', async () => {
    const guest2 = path.join(EXAMPLE, 'guest-2.dts');
    const broken = readFileSync(guest2, 'utf8').replace(/;\s*$/, '') + '\n/ { oops = <1 2>\n';
    const r = await bootPiped([EXAMPLE], 'root\n', { files: { [guest2]: broken }, cwd: packageRoot() });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^examples\/dual-guest\/guest-2\.dts:\d+:\d+: error: /m);
    assert.match(r.stderr, /not booted: the files have errors\n$/);
  });
});

describe('cli boot: interactive terminal', function () {
  this.timeout(60000);

  it('raw mode on, keys to the guests, Ctrl-] quits and restores the terminal', async () => {
    const t = bootInteractive([EXAMPLE]);
    await waitFor(() => count(t.run.stdout, 'login: ') === 2, 30000, 'both login prompts');
    assert.deepEqual(t.terminal.rawModes, [true]);
    assert.match(
      t.run.stderr,
      /switch character '@' \(from the project file dual-guest\.json\): '@' N Enter sends input to client N \(from 0\); Ctrl-\] quits\r\n/,
    );
    t.terminal.type('root\r');
    await waitFor(() => t.run.stdout.endsWith('# '), 10000, 'the shell prompt');
    // Idle: no busy-waiting while the guests wait for input. Busy-waiting would use most of every
    // window; the best of three windows discounts the JIT and GC threads finishing earlier work.
    const idleMs: number[] = [];
    for (let w = 0; w < 3; w++) {
      const cpu = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 300));
      const used = process.cpuUsage(cpu);
      idleMs.push((used.user + used.system) / 1000);
    }
    assert.ok(Math.min(...idleMs) < 60, `idle used ${idleMs.join(', ')} ms of CPU in three 300 ms windows`);
    // Ctrl-C is a byte for the guest, not a signal for us.
    t.terminal.type('half a line\x03');
    await waitFor(() => t.run.stdout.endsWith('^C\r\n# '), 10000, "the guest's ^C");
    t.terminal.type('uname -n\r\x1d');
    assert.equal(await t.done, 0);
    assert.deepEqual(t.terminal.rawModes, [true, false]);
    assert.match(t.run.stderr, /dual-guest boot: quit\r\n$/);
  });

  it("an interactive session's recording replays to the same transcript, byte for byte", async () => {
    const t = bootInteractive([EXAMPLE, '--seed', '3', '--record', '/rec/i.json']);
    await waitFor(() => count(t.run.stdout, 'login: ') === 2, 30000, 'both login prompts');
    t.terminal.type('ro');
    await new Promise((r) => setTimeout(r, 30));
    t.terminal.type('ot\r@1\r');
    await waitFor(() => t.run.stdout.endsWith('# '), 10000, 'the shell prompt');
    t.terminal.type('root\runame -a\r');
    await waitFor(() => t.run.stdout.includes('GNU/Linux'), 10000, 'uname');
    await new Promise((r) => setTimeout(r, 50));
    t.terminal.type('\x1d');
    assert.equal(await t.done, 0);
    const text = t.run.written.get('/rec/i.json')!;
    assert.equal(parseRecording(text).recording!.records.length, 3);
    const replay = await bootPiped([EXAMPLE, '--replay', '/rec/i.json'], '', { files: { '/rec/i.json': text } });
    assert.equal(replay.code, 0);
    assert.equal(replay.stdout, t.run.stdout);
  });

  it('SIGTERM from outside ends the session with 143 and restores the terminal', async () => {
    const t = bootInteractive([EXAMPLE]);
    await waitFor(() => t.run.session !== undefined, 20000, 'the boot');
    await new Promise((r) => setTimeout(r, 50));
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await t.done, 143);
    assert.deepEqual(t.terminal.rawModes, [true, false]);
    assert.equal(process.listenerCount('SIGTERM'), 0);
  });

  it('an internal error ends the session with 70, and the terminal is still restored', async () => {
    const t = bootInteractive([EXAMPLE]);
    await waitFor(() => count(t.run.stdout, 'login: ') === 2, 30000, 'both login prompts');
    t.run.session!.emulator.runUntilIdle = () => {
      throw new Error('boom in the emulator');
    };
    t.terminal.type('r');
    assert.equal(await t.done, 70);
    assert.deepEqual(t.terminal.rawModes, [true, false]);
    assert.match(t.run.stderr, /internal error: Error: boom in the emulator/);
  });

  it('realtime: virtual time follows the wall clock', async () => {
    const t = bootInteractive([EXAMPLE, '--realtime', '--record', '/rec/rt.json']);
    await waitFor(() => t.run.session !== undefined, 20000, 'the boot');
    const start = Date.now(),
      v0 = t.run.session!.emulator.now();
    await new Promise((r) => setTimeout(r, 600));
    t.terminal.type('\x1d');
    assert.equal(await t.done, 0);
    const wallNs = (Date.now() - start) * 1e6,
      virtualNs = t.run.session!.emulator.now() - v0;
    assert.ok(virtualNs <= wallNs + 50e6, `virtual ${virtualNs / 1e6} ms ahead of wall ${wallNs / 1e6} ms`);
    assert.ok(virtualNs >= wallNs * 0.25, `virtual ${virtualNs / 1e6} ms lags wall ${wallNs / 1e6} ms`);
    const rec = parseRecording(t.run.written.get('/rec/rt.json')!).recording!;
    assert.equal(rec.realtime, true);
    assert.equal(rec.endNs, t.run.session!.emulator.now());
  });

  it('realtime: an idle stretch is caught up in full when a key arrives', async () => {
    const t = bootInteractive([EXAMPLE, '--realtime']);
    await waitFor(() => count(t.run.stdout, 'login: ') === 2, 30000, 'both login prompts (paced at 115200 baud)');
    await waitFor(() => t.run.session!.isIdle(), 5000, 'the guests to go idle');
    const v1 = t.run.session!.emulator.now(),
      w1 = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    t.terminal.type('r');
    const idleNs = t.run.session!.emulator.now() - v1,
      wallNs = (Date.now() - w1) * 1e6;
    t.terminal.type('\x1d');
    assert.equal(await t.done, 0);
    assert.ok(idleNs >= wallNs - 20e6 && idleNs <= wallNs + 20e6, `virtual ${idleNs / 1e6} ms over an idle ${wallNs / 1e6} ms`);
  });
});
