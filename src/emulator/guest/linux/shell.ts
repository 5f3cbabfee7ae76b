// Userspace on the console: getty's login prompt, then a small BusyBox-like shell. Programs are
// generators (task.ts) that write through the tty (blocking when its buffer is full), read lines
// from the line discipline, and stop on SIGINT (Ctrl-C). Everything they know comes from the
// kernel's state (procfs.ts), so answers follow the device tree and what really happened.

import { FORK_EXEC_NS, SYSCALL_NS, TTY_BYTE_NS } from './costs';
import { lookupPath, memoryFigures, type KernelFacts } from './procfs';
import { cpu, type Block, type Task } from './task';
import type { LineDiscipline } from './console-tty';

export interface ShellKernel {
  readonly facts: KernelFacts;
  readonly hostname: string;
  readonly tty: LineDiscipline;
  now(): bigint;
  /** Queue bytes for the console (ONLCR already applied); returns how many fit. */
  ttyWrite(bytes: Uint8Array): number;
  /** SIGINT for the foreground job: true once per Ctrl-C. */
  takeSigint(): boolean;
  sigintPending(): boolean;
  /** The kernel log as `dmesg` prints it. */
  dmesg(): string;
  /** init's shutdown path then PSCI SYSTEM_OFF (reset = false) or SYSTEM_RESET. Never returns. */
  shutdown(reset: boolean): Task;
}

type ReadResult = { kind: 'line'; text: string } | { kind: 'eof' } | { kind: 'interrupt' };

const LF = 0x0a;
const CR = 0x0d;
/** Seconds getty's login waits after a failed password (BusyBox LOGIN_FAIL_DELAY). */
const LOGIN_FAIL_DELAY_S = 3;

/** ONLCR over raw bytes. */
function onlcrBytes(src: Uint8Array): Uint8Array {
  let lf = 0;
  for (let i = 0; i < src.length; i++) if (src[i] === LF) lf++;
  if (lf === 0) return src;
  const out = new Uint8Array(src.length + lf);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === LF) out[j++] = CR;
    out[j++] = src[i];
  }
  return out;
}

/** Shell words: whitespace separates; '...' and "..." quote; backslash escapes one character. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `date` output: no RTC in the VM, so the clock starts at the epoch when the guest boots. */
export function formatDate(uptimeNs: bigint): string {
  const d = new Date(Number(uptimeNs / 1_000_000n));
  return `${DAY_NAMES[d.getUTCDay()]} ${MONTH_NAMES[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** BusyBox `uptime`: " hh:mm:ss up M min,  load average: ..." (no utmp, so no user count). */
export function formatUptime(uptimeNs: bigint): string {
  const s = Number(uptimeNs / 1_000_000_000n);
  const clock = `${two(Math.floor(s / 3600) % 24)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  const days = Math.floor(s / 86400);
  const hours = Math.floor(s / 3600) % 24;
  const mins = Math.floor(s / 60) % 60;
  let up = days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  up += hours > 0 ? `${String(hours).padStart(2)}:${two(mins)}, ` : `${mins} min, `;
  return ` ${clock} up ${up} load average: 0.00, 0.00, 0.00`;
}

/** `hexdump -C` lines for `bytes`, ending with the total length, as BusyBox and util-linux print them. */
export function hexdumpCanonical(bytes: Uint8Array): string {
  let out = '';
  const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    let hex = '';
    for (let i = 0; i < 16; i++) {
      hex += i < row.length ? hex2(row[i]) + ' ' : '   ';
      if (i === 7) hex += ' ';
    }
    let text = '';
    for (const b of row) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    out += `${off.toString(16).padStart(8, '0')}  ${hex} |${text}|\n`;
  }
  return out + (bytes.length > 0 ? `${bytes.length.toString(16).padStart(8, '0')}\n` : '');
}

const HELP = `This guest is a model of a small Linux system (an emulator's stand-in, not a real kernel).
Commands: help, echo [-n] ARGS, uname [-a|-s|-n|-r|-v|-m], cat [FILE...], hexdump -C FILE..., ls [PATH...], dmesg, free,
sleep N, uptime, date, yes [STRING], clear, poweroff, reboot, exit.
Files: /proc/cpuinfo /proc/meminfo /proc/interrupts /proc/cmdline /proc/version /proc/uptime,
/proc/device-tree/... (the device tree the VMM passed in).
Keys: Backspace, Ctrl-U (kill line), Ctrl-C (interrupt), Ctrl-D (end of input / log out).
`;

export class Shell {
  private readonly enc = new TextEncoder();
  constructor(private readonly k: ShellKernel) {}

  /** getty + login + shell, respawned for ever (init's respawn line). */
  *session(): Task {
    while (true) {
      this.k.tty.flush();
      this.k.takeSigint();
      yield* this.write(`\nWelcome to Buildroot\n${this.k.hostname} login: `);
      const user = yield* this.readLine();
      if (user.kind !== 'line') continue;
      const name = user.text.trim();
      if (name === '') continue;
      if (name !== 'root') {
        // BusyBox login asks for a password even for unknown users, then refuses after a delay.
        yield* this.write('Password: ');
        this.k.tty.echo = false;
        yield* this.readLine();
        this.k.tty.echo = true;
        yield* this.write('\n');
        yield { kind: 'sleep', until: this.k.now() + BigInt(LOGIN_FAIL_DELAY_S) * 1_000_000_000n };
        this.k.takeSigint();
        yield* this.write('Login incorrect\n');
        continue;
      }
      yield cpu(FORK_EXEC_NS);
      yield* this.shell();
    }
  }

  private *shell(): Generator<Block, void, void> {
    while (true) {
      yield* this.write('# ');
      const r = yield* this.readLine();
      if (r.kind === 'interrupt') {
        yield* this.write('\n');
        continue;
      }
      if (r.kind === 'eof') {
        yield* this.write('\n');
        return;
      }
      const argv = splitWords(r.text);
      if (argv.length === 0) continue;
      if (argv[0] === 'exit' || argv[0] === 'logout') return;
      yield* this.run(argv);
      // A job stopped by Ctrl-C leaves the cursor after "^C": ash starts the prompt on a new line.
      if (this.k.takeSigint()) yield* this.write('\n');
    }
  }

  private *run(argv: string[]): Task {
    const [cmd, ...args] = argv;
    yield cpu(FORK_EXEC_NS);
    switch (cmd) {
      case 'help':
        yield* this.write(HELP);
        return;
      case 'echo': {
        const noNewline = args[0] === '-n';
        yield* this.write((noNewline ? args.slice(1) : args).join(' ') + (noNewline ? '' : '\n'));
        return;
      }
      case 'uname':
        yield* this.write(this.uname(args) + '\n');
        return;
      case 'cat':
        yield* this.cat(args);
        return;
      case 'ls':
        yield* this.ls(args);
        return;
      case 'hexdump':
        yield* this.hexdump(args);
        return;
      case 'dmesg':
        yield* this.write(this.k.dmesg());
        return;
      case 'free': {
        const m = memoryFigures(this.k.facts.memoryBytes);
        const col = (n: number | string): string => String(n).padStart(12);
        yield* this.write(
          `${' '.repeat(6)}${col('total')}${col('used')}${col('free')}${col('shared')}${col('buff/cache')}${col('available')}\n` +
            `Mem:  ${col(m.totalKiB)}${col(m.usedKiB)}${col(m.freeKiB)}${col(0)}${col(m.cacheKiB)}${col(m.availableKiB)}\n` +
            `Swap: ${col(0)}${col(0)}${col(0)}\n`,
        );
        return;
      }
      case 'sleep':
        yield* this.sleep(args);
        return;
      case 'uptime':
        yield* this.write(formatUptime(this.k.facts.uptimeNs()) + '\n');
        return;
      case 'date':
        yield* this.write(formatDate(this.k.facts.uptimeNs()) + '\n');
        return;
      case 'yes':
        yield* this.yes(args);
        return;
      case 'clear':
        yield* this.write('\x1b[H\x1b[J');
        return;
      case 'pwd':
        yield* this.write('/root\n');
        return;
      case 'poweroff':
      case 'halt':
        yield* this.k.shutdown(false);
        return;
      case 'reboot':
        yield* this.k.shutdown(true);
        return;
      default:
        yield* this.write(`-sh: ${cmd}: not found\n`);
    }
  }

  private uname(args: string[]): string {
    const f = this.k.facts;
    const fields = { s: 'Linux', n: this.k.hostname, r: f.release, v: f.version, m: 'aarch64' };
    const flags = args.join('').split('-').join('');
    if (flags === '' || flags === 's') return fields.s;
    if (flags.includes('a')) return `${fields.s} ${fields.n} ${fields.r} ${fields.v} ${fields.m} GNU/Linux`;
    const out: string[] = [];
    for (const key of ['s', 'n', 'r', 'v', 'm'] as const) if (flags.includes(key)) out.push(fields[key]);
    return out.join(' ');
  }

  /** A file's bytes, or undefined after printing the applet's error. */
  private *readFile(applet: string, a: string): Generator<Block, Uint8Array | undefined, void> {
    const path = a.startsWith('/') ? a : `/root/${a}`;
    const e = lookupPath(this.k.facts, this.k.hostname, path);
    if (!e) yield* this.write(`${applet}: can't open '${a}': No such file or directory\n`);
    else if (e.kind === 'dir') yield* this.write(`${applet}: read error: Is a directory\n`);
    else return e.bytes;
    return undefined;
  }

  private *cat(args: string[]): Task {
    if (args.length === 0) {
      // No file: copy the terminal to itself until end of input (Ctrl-D) or Ctrl-C.
      while (true) {
        const r = yield* this.readLine();
        if (r.kind === 'interrupt') yield* this.write('\n');
        if (r.kind !== 'line') return;
        yield* this.write(r.text + '\n');
      }
    }
    for (const a of args) {
      const bytes = yield* this.readFile('cat', a);
      if (bytes && !(yield* this.writeBytes(bytes))) return;
    }
  }

  /** BusyBox `hexdump -C`: offset, 16 bytes in two groups of 8, the printable characters. */
  private *hexdump(args: string[]): Task {
    const files = args.filter((a) => a !== '-C');
    if (files.length === 0 || files.length === args.length) {
      yield* this.write('BusyBox hexdump: this model supports only hexdump -C FILE...\n');
      return;
    }
    for (const a of files) {
      const bytes = yield* this.readFile('hexdump', a);
      if (bytes && !(yield* this.write(hexdumpCanonical(bytes)))) return;
    }
  }

  private *ls(args: string[]): Task {
    const paths = args.filter((a) => !a.startsWith('-'));
    if (paths.length === 0) paths.push('/root');
    for (const a of paths) {
      const path = a.startsWith('/') ? a : `/root/${a}`;
      const e = lookupPath(this.k.facts, this.k.hostname, path);
      if (!e) yield* this.write(`ls: ${a}: No such file or directory\n`);
      else if (e.kind === 'file') yield* this.write(a + '\n');
      else {
        if (paths.length > 1) yield* this.write(`${a}:\n`);
        if (e.entries.length > 0) yield* this.write(e.entries.join('  ') + '\n');
      }
    }
  }

  private *sleep(args: string[]): Task {
    const n = args.length === 1 ? Number(args[0]) : NaN;
    if (!(n >= 0) || args[0].trim() === '') {
      yield* this.write(args.length === 0 ? 'BusyBox sleep: usage: sleep N\n' : `sleep: invalid number '${args.join(' ')}'\n`);
      return;
    }
    // Longer than any session (a billion seconds) is as good as forever, and keeps the arithmetic finite.
    const until = this.k.now() + BigInt(Math.round(Math.min(n, 1e9) * 1e9));
    while (this.k.now() < until && !this.k.sigintPending()) yield { kind: 'sleep', until };
  }

  /** A flood: line-buffered stdout means one write(2) per line; Ctrl-C stops it. */
  private *yes(args: string[]): Task {
    const line = onlcrBytes(this.enc.encode((args.length ? args.join(' ') : 'y') + '\n'));
    const perLineNs = SYSCALL_NS + line.length * TTY_BYTE_NS;
    // One step writes a batch of lines: the same bytes and cost as one write per line, fewer steps.
    const batch = new Uint8Array(line.length * Math.max(1, Math.floor(2048 / line.length)));
    for (let i = 0; i + line.length <= batch.length; i += line.length) batch.set(line, i);
    while (!this.k.sigintPending()) {
      const taken = this.k.ttyWrite(batch);
      const lines = Math.floor(taken / line.length);
      const rest = taken - lines * line.length;
      if (rest > 0) {
        // Finish the partial line before anything else, as the real write would.
        yield* this.writeRaw(line.subarray(rest));
      }
      if (taken === 0) yield { kind: 'output', bytes: line.length };
      else yield cpu((lines + (rest > 0 ? 1 : 0)) * perLineNs);
    }
  }

  /** One line as a program reading its terminal sees it: text cut short by Ctrl-D is kept until the line ends. */
  private *readLine(): Generator<Block, ReadResult, void> {
    let pending = '';
    while (true) {
      if (this.k.takeSigint()) return { kind: 'interrupt' };
      const ev = this.k.tty.take();
      if (ev?.kind === 'partial') pending += ev.text;
      else if (ev?.kind === 'line') return { kind: 'line', text: pending + ev.text };
      else if (ev?.kind === 'eof') return pending === '' ? ev : { kind: 'line', text: pending };
      else yield { kind: 'input' };
    }
  }

  private *write(text: string): Generator<Block, boolean, void> {
    return yield* this.writeBytes(this.enc.encode(text));
  }

  /** write(2) to the tty with ONLCR; false when SIGINT cut it short. */
  private *writeBytes(bytes: Uint8Array): Generator<Block, boolean, void> {
    yield cpu(SYSCALL_NS + bytes.length * TTY_BYTE_NS);
    return yield* this.writeRaw(onlcrBytes(bytes));
  }

  private *writeRaw(bytes: Uint8Array): Generator<Block, boolean, void> {
    let done = 0;
    while (done < bytes.length) {
      // A signal cuts a write short (what is already queued stays, unless the tty flushed it).
      if (this.k.sigintPending()) return false;
      done += this.k.ttyWrite(bytes.subarray(done));
      if (done < bytes.length) yield { kind: 'output', bytes: Math.min(bytes.length - done, 4096) };
    }
    return true;
  }
}
