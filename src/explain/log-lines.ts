// A serial log's lines as tokens: the host's and the guest kernel's time stamps and the TX
// virtualiser's colour codes taken off, then the `NAME|LEVEL` prefix that Microkit PDs, sDDF
// components and libvmm print (`CLIENT_VMM-1|ERROR (fault_handle_vm_exception:454): ...`,
// `MON|ERROR: ...`, `VIRT_RX|LOG: ...`) split into its parts. Lines are never copied more than once:
// a 10 MB capture is read at the speed of indexOf.

export interface LogLine {
  /** 0-based line number in the log. */
  line: number;
  /** The line without stamps, colour codes and its CR. */
  text: string;
  /** Column in the raw line where `text` starts, and the raw line's length (the diagnostic's span). */
  col: number;
  endCol: number;
  /** `NAME` of a `NAME|LEVEL` prefix: the PD (or component) that printed the line. */
  source?: string;
  level?: string;
  /** libvmm's `(function:line)` after the level. */
  origin?: string;
  /** The message after the prefix (the whole text when there is none). */
  body: string;
}

const ESC = 0x1b;

function isNameChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29;
}

function isKeyChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/** Characters of a time stamp in brackets: the kernel's `[    1.234567]`, the recorder's `[2026-...Z     1.234567s]`. */
function isStampChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x20 || c === 0x2e || c === 0x2d || c === 0x3a || c === 0x54 || c === 0x5a || c === 0x73;
}

/** Length of a leading `[stamp] ` (0 when the line does not start with one). */
function stampLength(text: string, from: number): number {
  if (text.charCodeAt(from) !== 0x5b) return 0;
  const limit = Math.min(text.length, from + 48);
  let digits = 0;
  for (let i = from + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5d) {
      if (digits === 0) return 0;
      return i + 1 - from + (text.charCodeAt(i + 1) === 0x20 ? 1 : 0);
    }
    if (!isStampChar(c)) return 0;
    if (c >= 0x30 && c <= 0x39) digits++;
  }
  return 0;
}

/** The text without ANSI escape sequences (CSI `ESC [ ... letter`, and two-character escapes). */
function withoutEscapes(text: string): string {
  let out = '';
  let last = 0;
  for (let i = text.indexOf('\x1b'); i >= 0; i = text.indexOf('\x1b', last)) {
    out += text.slice(last, i);
    let j = i + 1;
    if (text.charCodeAt(j) === 0x5b) {
      j++;
      while (j < text.length && !(text.charCodeAt(j) >= 0x40 && text.charCodeAt(j) <= 0x7e)) j++;
    }
    last = Math.min(text.length, j + 1);
  }
  return out + text.slice(last);
}

/** Length of a run of name characters at `from`. */
function nameLength(t: string, from: number): number {
  let i = from;
  while (i < t.length && i - from < 64 && isNameChar(t.charCodeAt(i))) i++;
  return i - from;
}

const RECORD_LEVELS = ['error: ', 'warning: ', 'debug: '];

/**
 * Where the printed line starts in the emulator's output channel record
 * (`[   1.234567s] error: CLIENT_VMM-1: CLIENT_VMM-1|ERROR: ...`, src/host/dual-guest-session.ts):
 * after the record's level and source, when what follows is a `NAME|` line; else 0.
 */
function recordPrefixLength(t: string): number {
  let i = 0;
  for (const level of RECORD_LEVELS) if (t.startsWith(level)) i = level.length;
  const source = nameLength(t, i);
  if (source === 0 || t.charCodeAt(i + source) !== 0x3a || t.charCodeAt(i + source + 1) !== 0x20) return 0;
  const start = i + source + 2;
  const name = nameLength(t, start);
  return name > 0 && t.charCodeAt(start + name) === 0x7c ? start : 0;
}

/** Split `NAME|LEVEL[ (origin)]: body` into its parts, filling `line`; leaves it alone when the text has no such prefix. */
function splitPrefix(line: LogLine): void {
  const t = line.text;
  let i = 0;
  while (i < t.length && i < 64 && isNameChar(t.charCodeAt(i))) i++;
  if (i === 0 || t.charCodeAt(i) !== 0x7c) return;
  let j = i + 1;
  while (j < t.length && isUpper(t.charCodeAt(j))) j++;
  if (j === i + 1) return;
  let k = j;
  let origin: string | undefined;
  if (t.charCodeAt(k) === 0x20 && t.charCodeAt(k + 1) === 0x28) {
    const close = t.indexOf(')', k + 2);
    if (close < 0) return;
    origin = t.slice(k + 2, close);
    k = close + 1;
  }
  if (t.charCodeAt(k) !== 0x3a) return;
  k++;
  if (t.charCodeAt(k) === 0x20) k++;
  line.source = t.slice(0, i);
  line.level = t.slice(i + 1, j);
  line.origin = origin;
  line.body = t.slice(k);
}

export function tokenizeLine(raw: string, line: number): LogLine {
  let end = raw.length;
  if (end > 0 && raw.charCodeAt(end - 1) === 0x0d) end--;
  let text = end === raw.length ? raw : raw.slice(0, end);
  let col = 0;
  // Colour codes around a client's output come first (virt_tx wraps whole lines).
  if (text.indexOf('\x1b') >= 0) text = withoutEscapes(text);
  // Up to two stamps: the recorder's, then the guest kernel's printk time.
  for (let n = 0; n < 2; n++) {
    const s = stampLength(text, 0);
    if (s === 0) break;
    text = text.slice(s);
    col += s;
  }
  // Console output sometimes starts with a stray CR or the remains of an escape.
  while (text.length > 0 && (text.charCodeAt(0) === 0x0d || text.charCodeAt(0) === ESC)) {
    text = text.slice(1);
    col++;
  }
  const record = recordPrefixLength(text);
  if (record > 0) {
    text = text.slice(record);
    col += record;
  }
  const out: LogLine = { line, text, col: Math.min(col, end), endCol: end, body: text };
  splitPrefix(out);
  return out;
}

/** Each line of `text` (LF or CRLF) in order. */
export function* logLines(text: string): Generator<LogLine> {
  let start = 0;
  let n = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    yield tokenizeLine(text.slice(start, nl), n++);
    start = nl + 1;
  }
}

/**
 * `key: value` and `key=value` fields of a message (libvmm separates them with ", ", the monitor
 * with two spaces). Words without a value are skipped; a key keeps its first value.
 */
export function readFields(text: string, from = 0): Map<string, string> {
  const out = new Map<string, string>();
  let i = from;
  const n = text.length;
  while (i < n) {
    while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x2c)) i++;
    const keyStart = i;
    while (i < n && isKeyChar(text.charCodeAt(i))) i++;
    const key = text.slice(keyStart, i);
    let j = i;
    while (j < n && text.charCodeAt(j) === 0x20) j++;
    const sep = text.charCodeAt(j);
    if (key && (sep === 0x3a || sep === 0x3d)) {
      j++;
      while (j < n && text.charCodeAt(j) === 0x20) j++;
      const valueStart = j;
      while (j < n && text.charCodeAt(j) !== 0x20 && text.charCodeAt(j) !== 0x2c) j++;
      if (!out.has(key)) out.set(key, text.slice(valueStart, j));
      i = j;
    } else {
      // A word without a value, or punctuation: skip to the next space.
      if (i === keyStart) i++;
      while (i < n && text.charCodeAt(i) !== 0x20 && text.charCodeAt(i) !== 0x2c) i++;
    }
  }
  return out;
}

/** A number as the C sources print it: `0x...` hex or decimal; undefined when it is neither. */
export function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let t = text;
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) t = t.slice(1, -1);
  if (t.startsWith('0x') || t.startsWith('0X')) {
    const digits = t.slice(2);
    if (digits.length === 0 || digits.length > 16) return undefined;
    for (let i = 0; i < digits.length; i++) if (!isHexDigit(digits.charCodeAt(i))) return undefined;
    return parseInt(digits, 16);
  }
  if (t.length === 0 || t.length > 16) return undefined;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) < 0x30 || t.charCodeAt(i) > 0x39) return undefined;
  return parseInt(t, 10);
}
