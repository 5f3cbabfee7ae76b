// cpp output (like the MaaXBoard tree in the sel4devkit example) carries line markers that name the
// sources it came from (`# 12 "tmp/linux-imx/.../imx8mq.dtsi" 1`). When those sources are not on
// disk, positions that follow the markers name files the user cannot open. Read through this host,
// such a file has its markers blanked (same length, so every offset stays put): positions are then
// the lines of the file the user has. Files whose markers name real files are left alone, so
// positions and navigation reach the real sources. The language server and `dual-guest lint` read
// trees through it, and so does the emulator's boot (a fault names the node at the line the user can
// open, with the marker's origin said in words: `originOf`); `dual-guest compile` keeps dtc's positions.
import { decodeUtf8, encodeUtf8, type BuildClock, type FileHost } from '../common/host';
import type { SourceRange } from '../common/diagnostics';
import { dirname, resolve } from '../common/paths';

interface Marker {
  /** Offsets of the marker's line, without its newline. */
  start: number;
  end: number;
  file: string;
}

const HASH = 0x23,
  NL = 0x0a,
  SPACE = 0x20,
  TAB = 0x09,
  QUOTE = 0x22;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/**
 * Line markers `# N "file" ...` and `#line N "file"` at line starts. This runs on every keystroke and
 * most trees have a few `#` (in `#address-cells`) and no marker: each `#` is judged by the character
 * after it first.
 */
function findMarkers(text: string): Marker[] {
  const out: Marker[] = [];
  for (let hash = text.indexOf('#'); hash >= 0; hash = text.indexOf('#', hash + 1)) {
    let i = hash + 1;
    while (isBlank(text.charCodeAt(i))) i++;
    if (text.startsWith('line', i)) i += 4;
    while (isBlank(text.charCodeAt(i))) i++;
    const digits = i;
    while (text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    if (i === digits) continue;
    let lineStart = hash;
    while (lineStart > 0 && isBlank(text.charCodeAt(lineStart - 1))) lineStart--;
    if (lineStart > 0 && text.charCodeAt(lineStart - 1) !== NL) continue;
    let lineEnd = text.indexOf('\n', hash);
    if (lineEnd < 0) lineEnd = text.length;
    while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== QUOTE) continue;
    const close = text.indexOf('"', i + 1);
    if (close > i && close < lineEnd) out.push({ start: lineStart, end: lineEnd, file: text.slice(i + 1, close) });
  }
  return out;
}

export function isDevicetreeSource(path: string): boolean {
  return path.endsWith('.dts') || path.endsWith('.dtsi') || path.endsWith('.dtso') || path.endsWith('.overlay');
}

/** Where a line of cpp output came from, as its line markers say: a file that may not exist here. */
export interface LineOrigin {
  file: string;
  /** 0-based. */
  line: number;
}

export interface LineOrigins {
  originOf(path: string, line: number): LineOrigin | undefined;
}

/**
 * A place for a person: `file:line:col` of the file the user has (which an editor opens), and, when
 * cpp's markers say the line came from a file that is not here, that file and line in words.
 */
export function describePlace(range: SourceRange, origins?: LineOrigins): string {
  const here = `${range.file}:${range.start.line + 1}:${range.start.col + 1}`;
  const from = origins?.originOf(range.file, range.start.line);
  return from ? `${here} (cpp output of ${from.file}:${from.line + 1}, which is not in this workspace)` : here;
}

/** Each marker's own 0-based line, and the file and 0-based line it says the next line is. */
interface OriginTable {
  markerLine: number[];
  file: string[];
  firstLine: number[];
}

function originTable(text: string): OriginTable {
  const table: OriginTable = { markerLine: [], file: [], firstLine: [] };
  let line = 0,
    at = 0;
  for (const m of findMarkers(text)) {
    for (let nl = text.indexOf('\n', at); nl >= 0 && nl < m.start; nl = text.indexOf('\n', nl + 1)) line++;
    at = m.start;
    // `# 964 "file"`: the next line is line 964 of file.
    let d = text.indexOf('#', m.start) + 1;
    while (d < m.end && !(text.charCodeAt(d) >= 0x30 && text.charCodeAt(d) <= 0x39)) d++;
    let n = 0;
    while (d < m.end && text.charCodeAt(d) >= 0x30 && text.charCodeAt(d) <= 0x39) n = n * 10 + text.charCodeAt(d++) - 0x30;
    table.markerLine.push(line);
    table.file.push(m.file);
    table.firstLine.push(n - 1);
  }
  return table;
}

/** Files as the user has them: device-tree sources with the markers that name missing files blanked. */
export class PhysicalLinesHost implements FileHost, LineOrigins {
  private readonly byteCache = new WeakMap<Uint8Array, { out: Uint8Array; origins?: OriginTable }>();
  /** Files last read with their markers blanked: what the markers said, for originOf. */
  private readonly origins = new Map<string, OriginTable>();

  constructor(protected readonly inner: FileHost) {}

  fileExists(path: string): boolean {
    return this.inner.fileExists(path);
  }

  modifiedTime(path: string): number | undefined {
    return this.inner.modifiedTime?.(path);
  }

  unreadable(path: string): string | undefined {
    return this.inner.unreadable?.(path);
  }

  get buildClock(): BuildClock | undefined {
    return this.inner.buildClock;
  }

  listDirectory(path: string): string[] {
    return this.inner.listDirectory?.(path) ?? [];
  }

  readFile(path: string): Uint8Array | undefined {
    const bytes = this.inner.readFile(path);
    if (!bytes || !isDevicetreeSource(path) || bytes.indexOf(HASH) < 0) return bytes;
    let read = this.byteCache.get(bytes);
    if (!read) {
      const text = decodeUtf8(bytes);
      const blanked = this.blankMissingMarkers(path, text);
      read = blanked === text ? { out: bytes } : { out: encodeUtf8(blanked), origins: originTable(text) };
      this.byteCache.set(bytes, read);
    }
    if (read.origins) this.origins.set(path, read.origins);
    else this.origins.delete(path);
    return read.out;
  }

  /** The text with each marker line that names a missing file replaced by spaces (same length). */
  protected blankMissingMarkers(path: string, text: string): string {
    const markers = findMarkers(text);
    const dir = dirname(path);
    const missing = markers.some((m) => !m.file.startsWith('<') && !this.inner.fileExists(resolve(dir, m.file)));
    if (!missing) return text;
    let blanked = '';
    let at = 0;
    for (const m of markers) {
      blanked += text.slice(at, m.start) + ' '.repeat(m.end - m.start);
      at = m.end;
    }
    return blanked + text.slice(at);
  }

  /**
   * For a 0-based physical line of a file read through this host whose markers were blanked: the
   * file and line its last marker before that line names. Undefined for files left alone.
   */
  originOf(path: string, line: number): LineOrigin | undefined {
    const t = this.origins.get(path);
    if (!t) return undefined;
    let i = t.markerLine.length - 1;
    while (i >= 0 && t.markerLine[i] >= line) i--;
    if (i < 0) return undefined;
    return { file: t.file[i], line: t.firstLine[i] + (line - t.markerLine[i] - 1) };
  }
}
