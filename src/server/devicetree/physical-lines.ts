// cpp output (like the MaaXBoard tree in the sel4devkit example) carries line markers that name the
// sources it came from (`# 12 "tmp/linux-imx/.../imx8mq.dtsi" 1`). When those sources are not on
// disk, positions that follow the markers point at files the editor cannot open. For the editor such
// a file is read with its markers blanked (same length, so every offset stays put): positions are then
// the lines of the file the user has open. Files whose markers name real files are left alone, so
// navigation reaches the real sources.
import { decodeUtf8, encodeUtf8, type FileHost } from '../../common/host';
import { dirname, resolve } from '../../common/paths';

interface Marker {
  /** Byte offsets of the marker's line, without its newline. */
  start: number;
  end: number;
  file: string;
}

const HASH = 0x23, NL = 0x0a, SPACE = 0x20, TAB = 0x09, QUOTE = 0x22;

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB;
}

/**
 * Line markers `# N "file" ...` and `#line N "file"` at line starts, found in the bytes (no decoding:
 * this runs on every keystroke, and most trees have a few `#` in property names and no marker at all).
 */
function findMarkers(bytes: Uint8Array): Marker[] {
  const out: Marker[] = [];
  for (let hash = bytes.indexOf(HASH); hash >= 0; hash = bytes.indexOf(HASH, hash + 1)) {
    let lineStart = hash;
    while (lineStart > 0 && isBlank(bytes[lineStart - 1])) lineStart--;
    if (lineStart > 0 && bytes[lineStart - 1] !== NL) continue;
    let lineEnd = bytes.indexOf(NL, hash);
    if (lineEnd < 0) lineEnd = bytes.length;
    let i = hash + 1;
    while (i < lineEnd && isBlank(bytes[i])) i++;
    if (bytes[i] === 0x6c && bytes[i + 1] === 0x69 && bytes[i + 2] === 0x6e && bytes[i + 3] === 0x65) i += 4; // "line"
    while (i < lineEnd && isBlank(bytes[i])) i++;
    const digits = i;
    while (i < lineEnd && bytes[i] >= 0x30 && bytes[i] <= 0x39) i++;
    if (i === digits) continue;
    while (i < lineEnd && isBlank(bytes[i])) i++;
    if (bytes[i] !== QUOTE) continue;
    const close = bytes.indexOf(QUOTE, i + 1);
    if (close > i && close < lineEnd) out.push({ start: lineStart, end: lineEnd, file: decodeUtf8(bytes.subarray(i + 1, close)) });
  }
  return out;
}

export class PhysicalLinesHost implements FileHost {
  private readonly cache = new WeakMap<Uint8Array, Uint8Array>();

  constructor(private readonly inner: FileHost) {}

  fileExists(path: string): boolean {
    return this.inner.fileExists(path);
  }

  readFile(path: string): Uint8Array | undefined {
    const bytes = this.inner.readFile(path);
    if (!bytes || !path.endsWith('.dts') && !path.endsWith('.dtsi') && !path.endsWith('.dtso') && !path.endsWith('.overlay')) return bytes;
    let out = this.cache.get(bytes);
    if (!out) {
      out = this.blankMissingMarkers(path, bytes);
      this.cache.set(bytes, out);
    }
    return out;
  }

  private blankMissingMarkers(path: string, bytes: Uint8Array): Uint8Array {
    const markers = findMarkers(bytes);
    const dir = dirname(path);
    const missing = markers.some((m) => !m.file.startsWith('<') && !this.inner.fileExists(resolve(dir, m.file)));
    if (!missing) return bytes;
    // Each marker line becomes as many spaces as it has characters, so text offsets stay put too.
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const m of markers) {
      parts.push(bytes.subarray(at, m.start), encodeUtf8(' '.repeat(decodeUtf8(bytes.subarray(m.start, m.end)).length)));
      at = m.end;
    }
    parts.push(bytes.subarray(at));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
