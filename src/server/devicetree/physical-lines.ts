// cpp output (like the MaaXBoard tree in the sel4devkit example) carries line markers that name the
// sources it came from (`# 12 "tmp/linux-imx/.../imx8mq.dtsi" 1`). When those sources are not on
// disk, positions that follow the markers point at files the editor cannot open. For the editor such
// a file is read with its markers blanked (same length, so every offset stays put): positions are then
// the lines of the file the user has open. Files whose markers name real files are left alone, so
// navigation reaches the real sources.
import { decodeUtf8, encodeUtf8, type FileHost } from '../../common/host';
import { dirname, resolve } from '../../common/paths';

interface Marker {
  start: number;
  end: number;
  file: string;
}

/** Line markers `# N "file" ...` and `#line N "file"` at line starts, found by a scan over characters. */
function findMarkers(text: string): Marker[] {
  const out: Marker[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let i = lineStart;
    while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '#') {
      i++;
      while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
      if (text.startsWith('line', i)) i += 4;
      while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
      const digits = i;
      while (i < lineEnd && text[i] >= '0' && text[i] <= '9') i++;
      if (i > digits) {
        while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
        if (text[i] === '"') {
          const close = text.indexOf('"', i + 1);
          if (close > i && close < lineEnd) out.push({ start: lineStart, end: lineEnd, file: text.slice(i + 1, close) });
        }
      }
    }
    lineStart = lineEnd + 1;
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
    if (bytes.indexOf(0x23 /* # */) < 0) return bytes;
    const text = decodeUtf8(bytes);
    const markers = findMarkers(text);
    const dir = dirname(path);
    const missing = markers.some((m) => !m.file.startsWith('<') && !this.inner.fileExists(resolve(dir, m.file)));
    if (!missing) return bytes;
    let blanked = '';
    let at = 0;
    for (const m of markers) {
      blanked += text.slice(at, m.start) + ' '.repeat(m.end - m.start);
      at = m.end;
    }
    return encodeUtf8(blanked + text.slice(at));
  }
}
