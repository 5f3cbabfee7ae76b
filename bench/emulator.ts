// Emulator benchmarks (called by bench/run.ts): guest-to-UART throughput through the full data path
// in fast mode against a raw per-byte copy through one sDDF ring in the same run, keystroke-to-echo
// latency (virtual and wall), time for both Linux guests to reach a shell, and memory; the same
// throughput and boots on QEMU virt (PL011 and sDDF's PL011 driver; libvmm's two-client and
// passthrough examples) beside the MaaXBoard's.
import * as path from 'path';
import { createEmulator, type Emulator } from '../src/emulator/emulator';
import { exampleDualGuestConfig } from '../src/emulator/example-system';
import { ConsoleTestGuest } from '../src/emulator/guest/console-test-guest';
import { SerialQueue } from '../src/emulator/queue';
import { emulatorConfigFromProject } from '../src/emulator/from-project';
import { loadProject } from '../src/system/index';
import { NodeFileHost } from '../src/node/file-host';
import { boardByName, type BoardName } from '../src/emulator/boards';
import { MemoryFileHost, OverlayFileHost, type FileHost } from '../src/common/host';

const PERIOD = 65521;
const PATTERN = (() => {
  const p = new Uint8Array(PERIOD + 8192);
  for (let i = 0; i < p.length; i++) p[i] = 0x20 + ((i % PERIOD) % 95);
  return p;
})();
const fill = (off: number, dst: Uint8Array): void => {
  const s = off % PERIOD;
  dst.set(PATTERN.subarray(s, s + dst.length));
};

/** The example system flooding from both guests, on the MaaXBoard (i.MX UART, its driver) or another board's UART and driver. */
function dualFlood(bytesPerGuest: number, board?: BoardName): Emulator {
  const mk = () => () => new ConsoleTestGuest({ virtioBase: 0x150000, txTotal: bytesPerGuest, queueSize: 128, fill });
  const config = exampleDualGuestConfig({ programs: [mk(), mk()], ramSize: 0x1000000 });
  const { emulator } = createEmulator(board ? { ...config, board: boardByName(board) } : config);
  return emulator!;
}

/** MB/s of guest bytes reaching the UART line, both guests flooding, best of `reps`. */
function fullPathThroughput(bytesPerGuest: number, reps: number, board?: BoardName): number {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const emu = dualFlood(bytesPerGuest, board);
    let out = 0;
    emu.onUartOutput((b) => {
      out += b.length;
    });
    const t0 = performance.now();
    emu.runUntilIdle(60e9);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, out / 1e6 / s);
  }
  return best;
}

/** MB/s of a per-byte enqueue/dequeue loop through one ring with the sDDF layout (8 KiB). */
function rawRingCopy(bytes: number, reps: number): number {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const q = new SerialQueue(new Uint8Array(0x1000), new Uint8Array(0x2000), 0x2000);
    let sum = 0,
      moved = 0;
    const t0 = performance.now();
    while (moved < bytes) {
      let i = 0;
      while (q.enqueue(PATTERN[(moved + i) & 0xffff])) i++;
      for (let c = q.dequeue(); c >= 0; c = q.dequeue()) sum += c;
      moved += i;
    }
    const s = (performance.now() - t0) / 1000;
    if (sum < 0) throw new Error('unreachable');
    best = Math.max(best, moved / 1e6 / s);
  }
  return best;
}

/** Keystroke to echo on the line: virtual microseconds (mean) and wall microseconds (mean). */
function echoLatency(fast: boolean, keys: number): { virtualUs: number; wallUs: number } {
  const mk = () => () => new ConsoleTestGuest({ virtioBase: 0x150000, echo: true });
  const { emulator } = createEmulator(exampleDualGuestConfig({ programs: [mk(), mk()], ramSize: 0x1000000, serial: { fast } }));
  const emu = emulator!;
  emu.runUntilIdle(1e9);
  let seen = -1;
  emu.onUartOutput((_b, t) => {
    if (seen < 0) seen = t;
  });
  let virt = 0,
    wall = 0;
  // The first keys warm the JIT up; only the later ones are measured.
  for (let k = -keys; k < keys; k++) {
    if (k === 0) virt = wall = 0;
    seen = -1;
    const start = emu.now();
    const t0 = performance.now();
    emu.typeInput('x');
    while (seen < 0 && emu.now() - start < 1e9) emu.runFor(fast ? 10_000 : 100_000);
    wall += performance.now() - t0;
    virt += seen - start;
  }
  return { virtualUs: virt / keys / 1000, wallUs: (wall * 1000) / keys };
}

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus');
const NO_BOOT = { loginWallMs: NaN, shellWallMs: NaN, shellVirtualMs: NaN };

/**
 * A corpus system from power-on to a root shell on each of its guests, fast mode: boot to every login
 * prompt, log in on the first, and (with `switchTo`) switch and log in on the second.
 */
function linuxBoot(target: string, host: FileHost, guests: number, switchTo?: (switchChar: number) => string): typeof NO_BOOT {
  const project = loadProject(target, host);
  const { config } = emulatorConfigFromProject(project, { host });
  if (!config) return NO_BOOT;
  const t0 = performance.now();
  const emu = createEmulator(config).emulator!;
  let text = '';
  emu.onUartOutput((b) => {
    text += String.fromCharCode(...b.subarray(0, 65536));
  });
  const count = (s: string): number => text.split(s).length - 1;
  const until = (done: () => boolean): boolean => {
    while (!done() && emu.now() < 30e9) emu.runFor(1_000_000);
    return done();
  };
  if (!until(() => count('login:') >= guests)) return NO_BOOT;
  const loginWallMs = performance.now() - t0;
  emu.typeInput('root\r');
  if (!until(() => count('# ') >= 1)) return NO_BOOT;
  if (switchTo) {
    emu.typeInput(`${switchTo(project.serial.switchChar)}root\r`);
    if (!until(() => count('# ') >= 2)) return NO_BOOT;
  }
  return { loginWallMs, shellWallMs: performance.now() - t0, shellVirtualMs: emu.now() / 1e6 };
}

const switchToClient1 = (c: number): string => `${String.fromCharCode(c)}1\r`;

/** sel4devkit's dual-guest MaaXBoard system. */
function maaxboardBoot(): typeof NO_BOOT {
  return linuxBoot(path.join(CORPUS, 'sel4devkit-dual', 'program.system'), new NodeFileHost(), 2, switchToClient1);
}

/** libvmm's two virtio clients on QEMU virt (PL011 and sDDF's PL011 driver, GICv2); the block driver's VM left out, its tree not being in the corpus. */
function qemuTwoClientsBoot(): typeof NO_BOOT {
  const project = '/bench/dual-guest.json';
  const json = { system: path.join(CORPUS, 'libvmm-virtio-two-clients', 'virtio.system'), guests: { blk_driver_linux: { boot: false } } };
  const host = new OverlayFileHost(new MemoryFileHost({ [project]: JSON.stringify(json) }), new NodeFileHost());
  return linuxBoot(project, host, 2, switchToClient1);
}

/** libvmm's single guest on QEMU virt, owning the passed-through PL011. */
function qemuSimpleBoot(): typeof NO_BOOT {
  return linuxBoot(path.join(CORPUS, 'libvmm-simple-qemu', 'simple.system'), new NodeFileHost(), 1);
}

/** First run (cold) and a second (warm) of a boot. */
function twice(boot: () => typeof NO_BOOT): { first: typeof NO_BOOT; warm: typeof NO_BOOT } {
  try {
    const first = boot();
    return { first, warm: boot() };
  } catch {
    // The corpus or the Linux model is missing: the figures stay NaN.
    return { first: NO_BOOT, warm: NO_BOOT };
  }
}

export function runEmulatorBench(): Record<string, number> {
  const fullPath = fullPathThroughput(10_000_000, 3);
  const qemuPath = fullPathThroughput(10_000_000, 3, 'qemu_virt_aarch64');
  const raw = rawRingCopy(20_000_000, 3);
  const fastEcho = echoLatency(true, 200);
  const realEcho = echoLatency(false, 20);
  const { first, warm: boot } = twice(maaxboardBoot);
  const qemu = twice(qemuTwoClientsBoot).warm;
  const simple = twice(qemuSimpleBoot).warm;
  const mem = process.memoryUsage();
  return {
    full_path_throughput_MBps: fullPath,
    raw_ring_copy_MBps: raw,
    full_path_to_raw_ratio: fullPath / raw,
    echo_latency_fast_virtual_us: fastEcho.virtualUs,
    echo_latency_fast_wall_us: fastEcho.wallUs,
    echo_latency_115200_virtual_us: realEcho.virtualUs,
    echo_latency_115200_wall_us: realEcho.wallUs,
    both_guests_shell_first_run_wall_ms: first.shellWallMs,
    both_guests_login_prompt_wall_ms: boot.loginWallMs,
    both_guests_shell_wall_ms: boot.shellWallMs,
    both_guests_shell_virtual_ms: boot.shellVirtualMs,
    qemu_virt_full_path_throughput_MBps: qemuPath,
    qemu_virt_to_maaxboard_throughput_ratio: qemuPath / fullPath,
    qemu_virt_two_clients_login_prompt_wall_ms: qemu.loginWallMs,
    qemu_virt_two_clients_shell_wall_ms: qemu.shellWallMs,
    qemu_virt_two_clients_shell_virtual_ms: qemu.shellVirtualMs,
    qemu_virt_passthrough_shell_wall_ms: simple.shellWallMs,
    qemu_virt_passthrough_shell_virtual_ms: simple.shellVirtualMs,
    heap_used_MB: mem.heapUsed / 1e6,
    rss_MB: mem.rss / 1e6,
  };
}

if (require.main === module) console.log(runEmulatorBench());
