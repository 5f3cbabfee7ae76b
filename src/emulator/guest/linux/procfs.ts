// The guest's small file system: a fixed BusyBox root, and /proc generated from the kernel's state
// (/proc/meminfo from the DT memory node, /proc/interrupts from the interrupts the guest actually
// took, /proc/device-tree from the DTB it parsed).

import { getChild, liveChildren, liveProperties, nodeBaseName, type DtNode, type DtTree } from '../../../devicetree/tree';

export interface InterruptLine {
  /** Linux irq number shown in the first column. */
  irq: number;
  count: number;
  chip: string;
  hwirq: number;
  trigger: 'Level' | 'Edge';
  name: string;
}

/** What /proc reads from the kernel. */
export interface KernelFacts {
  tree: DtTree;
  /** Bytes of RAM from the DT memory nodes. */
  memoryBytes: number;
  bootargs: string;
  release: string;
  version: string;
  cpuPart: number;
  uptimeNs(): bigint;
  interrupts(): InterruptLine[];
  /** Interrupts that arrived for no registered handler. */
  spuriousInterrupts(): number;
}

/** Memory the modelled kernel keeps for itself (image, page tables, per-CPU areas), in bytes. */
export const KERNEL_RESERVED_BYTES = 24 * 1024 * 1024;
/** Memory the running userspace (BusyBox, syslogd, klogd, the shell) uses, in bytes. */
export const USERSPACE_USED_BYTES = 6 * 1024 * 1024;
const BUFFERS_CACHE_BYTES = 4 * 1024 * 1024;

export interface MemoryFigures {
  totalKiB: number;
  usedKiB: number;
  freeKiB: number;
  cacheKiB: number;
  availableKiB: number;
}

/** MemTotal is the DT memory size less what the kernel reserved at boot, as on Linux. */
export function memoryFigures(memoryBytes: number): MemoryFigures {
  const totalKiB = Math.max(0, Math.floor((memoryBytes - KERNEL_RESERVED_BYTES) / 1024));
  const usedKiB = Math.min(totalKiB, USERSPACE_USED_BYTES / 1024);
  const cacheKiB = Math.min(totalKiB - usedKiB, BUFFERS_CACHE_BYTES / 1024);
  const freeKiB = totalKiB - usedKiB - cacheKiB;
  return { totalKiB, usedKiB, freeKiB, cacheKiB, availableKiB: freeKiB + cacheKiB };
}

function pad(s: string | number, width: number): string {
  return String(s).padStart(width);
}

function meminfo(f: KernelFacts): string {
  const m = memoryFigures(f.memoryBytes);
  const row = (name: string, kib: number): string => `${(name + ':').padEnd(16)}${pad(kib, 8)} kB\n`;
  return (
    row('MemTotal', m.totalKiB) +
    row('MemFree', m.freeKiB) +
    row('MemAvailable', m.availableKiB) +
    row('Buffers', 0) +
    row('Cached', m.cacheKiB) +
    row('SwapCached', 0) +
    row('Active', m.usedKiB) +
    row('Inactive', m.cacheKiB) +
    row('SwapTotal', 0) +
    row('SwapFree', 0) +
    row('Shmem', 0)
  );
}

function interrupts(f: KernelFacts): string {
  let out = `${' '.repeat(11)}CPU0\n`;
  for (const l of f.interrupts()) {
    out += `${pad(l.irq, 3)}: ${pad(l.count, 10)} ${pad(l.chip, 9)} ${pad(l.hwirq, 3)} ${l.trigger.padEnd(8)} ${l.name}\n`;
  }
  out += `${pad('Err', 3)}: ${pad(f.spuriousInterrupts(), 10)}\n`;
  return out;
}

function cpuinfo(f: KernelFacts): string {
  return (
    'processor\t: 0\n' +
    'BogoMIPS\t: 16.66\n' +
    'Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\n' +
    'CPU implementer\t: 0x41\n' +
    'CPU architecture: 8\n' +
    'CPU variant\t: 0x0\n' +
    `CPU part\t: 0x${f.cpuPart.toString(16).padStart(3, '0')}\n` +
    'CPU revision\t: 4\n\n'
  );
}

function seconds(ns: bigint): string {
  const cs = ns / 10_000_000n;
  return `${cs / 100n}.${String(cs % 100n).padStart(2, '0')}`;
}

export type FsEntry = { kind: 'file'; bytes: Uint8Array } | { kind: 'dir'; entries: string[] };

const ROOT_DIRS: Record<string, string[]> = {
  '/': ['bin', 'dev', 'etc', 'lib', 'lib64', 'linuxrc', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'sys', 'tmp', 'usr', 'var'],
  '/bin': ['busybox', 'cat', 'date', 'dmesg', 'echo', 'free', 'hexdump', 'ls', 'sh', 'sleep', 'uname', 'uptime', 'yes'],
  '/sbin': ['getty', 'init', 'poweroff', 'reboot'],
  '/dev': ['console', 'hvc0', 'null', 'tty', 'zero'],
  '/etc': ['hostname', 'inittab', 'os-release', 'passwd'],
  '/root': [],
  '/tmp': [],
  '/proc': ['cmdline', 'cpuinfo', 'device-tree', 'interrupts', 'meminfo', 'uptime', 'version'],
};

const encoder = new TextEncoder();

/** Resolve an absolute path in the guest's file system. */
export function lookupPath(f: KernelFacts, hostname: string, path: string): FsEntry | undefined {
  const norm =
    '/' +
    path
      .split('/')
      .filter((p) => p !== '' && p !== '.')
      .join('/');
  const text = (s: string): FsEntry => ({ kind: 'file', bytes: encoder.encode(s) });
  switch (norm) {
    case '/proc/meminfo':
      return text(meminfo(f));
    case '/proc/interrupts':
      return text(interrupts(f));
    case '/proc/cpuinfo':
      return text(cpuinfo(f));
    case '/proc/cmdline':
      return text(f.bootargs + '\n');
    case '/proc/version':
      return text(`Linux version ${f.release} ${f.version}\n`);
    case '/proc/uptime': {
      const up = seconds(f.uptimeNs());
      return text(`${up} ${up}\n`);
    }
    case '/etc/hostname':
      return text(hostname + '\n');
    case '/etc/os-release':
      return text('NAME=Buildroot\nVERSION=2023.02 (emulator model)\nID=buildroot\nPRETTY_NAME="Buildroot 2023.02"\n');
    case '/etc/passwd':
      return text('root:x:0:0:root:/root:/bin/sh\n');
    case '/etc/inittab':
      return text('::sysinit:/etc/init.d/rcS\nconsole::respawn:/sbin/getty -L console 0 vt100\n::shutdown:/bin/umount -a -r\n');
  }
  if (norm === '/proc/device-tree' || norm.startsWith('/proc/device-tree/')) {
    return deviceTreeEntry(f.tree, norm.slice('/proc/device-tree'.length).split('/').filter(Boolean));
  }
  const dir = ROOT_DIRS[norm];
  if (dir) return { kind: 'dir', entries: dir };
  const slash = norm.lastIndexOf('/');
  const parent = ROOT_DIRS[slash === 0 ? '/' : norm.slice(0, slash)];
  if (parent && parent.includes(norm.slice(slash + 1))) return { kind: 'file', bytes: new Uint8Array(0) };
  return undefined;
}

/** /proc/device-tree: directories are nodes (full names), files are raw property values. */
function deviceTreeEntry(tree: DtTree, parts: string[]): FsEntry | undefined {
  let node: DtNode = tree.root;
  for (let i = 0; i < parts.length; i++) {
    const child = getChild(node, parts[i]);
    if (child) {
      node = child;
      continue;
    }
    if (i === parts.length - 1) {
      const prop = liveProperties(node).find((p) => p.name === parts[i]);
      if (prop) return { kind: 'file', bytes: prop.value.bytes };
      if (parts[i] === 'name') return { kind: 'file', bytes: encoder.encode(nodeBaseName(node) + '\0') };
    }
    return undefined;
  }
  const entries = [...liveProperties(node).map((p) => p.name), ...liveChildren(node).map((c) => c.name)];
  // Linux adds a `name` file for every node (the base name), even though the DTB does not carry one.
  if (!entries.includes('name')) entries.push('name');
  return { kind: 'dir', entries: entries.sort() };
}
