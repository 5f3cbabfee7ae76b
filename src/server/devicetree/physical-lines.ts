// The editor's view of a tree's files (src/devicetree/physical-lines.ts): open buffers as texts too,
// with the same markers blanked.
import type { TextFileHost } from '../documents';
import { isDevicetreeSource, PhysicalLinesHost as PhysicalLinesFileHost } from '../../devicetree/physical-lines';

/** The files of one tree as the editor shows them: texts for its inputs, bytes for what they include. */
export class PhysicalLinesHost extends PhysicalLinesFileHost implements TextFileHost {
  private readonly textCache = new Map<string, { text: string; out: string }>();

  constructor(private readonly textHost: TextFileHost) {
    super(textHost);
  }

  readText(path: string): string | undefined {
    const text = this.textHost.readText(path);
    if (text === undefined || !isDevicetreeSource(path)) return text;
    const last = this.textCache.get(path);
    if (last?.text === text) return last.out;
    const out = this.blankMissingMarkers(path, text);
    this.textCache.set(path, { text, out });
    return out;
  }
}
