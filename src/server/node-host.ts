// The workspace's machine access in a Node server: files and folder listings through NodeFileHost,
// with each file's bytes kept while the file stays the same. Every refresh asks for every file a tree
// reads (a vendor board's dozen .dtsi and headers on each keystroke); a stat answers that question
// for a file that has not changed, without reading and decoding it again. The same bytes object also
// lets the front-end and header caches see "unchanged" by identity rather than by comparing content.
import { statSync } from 'fs';
import { NodeFileHost } from '../node/file-host';
import type { WorkspaceHost } from './workspace';

/**
 * How long after its last change a file's stat is trusted to stand for its content. File times tick
 * coarsely (a jiffy on Linux), so a file rewritten at the same size within one tick of being read
 * keeps its stat: as git does for its index, a file changed this recently is read again every time.
 */
export const SETTLED_FILE_MS = 2000;

/** Larger files (kernel images a project names) are read each time rather than held in memory. */
export const KEPT_FILE_MAX_BYTES = 4 * 1024 * 1024;

export class NodeWorkspaceHost extends NodeFileHost implements WorkspaceHost {
  private readonly kept = new Map<string, { stamp: string; bytes: Uint8Array }>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  override readFile(path: string): Uint8Array | undefined {
    const before = stampOf(path);
    const kept = this.kept.get(path);
    if (before !== undefined && kept?.stamp === before.stamp) return kept.bytes;
    const bytes = super.readFile(path);
    // Kept only when the stat taken before the read still holds after it and the file has been
    // still for a while: then the bytes read are the content that stat stands for.
    const keep = bytes !== undefined && before !== undefined && bytes.length <= KEPT_FILE_MAX_BYTES && this.now() - before.changedMs > SETTLED_FILE_MS;
    if (keep && stampOf(path)?.stamp === before.stamp) this.kept.set(path, { stamp: before.stamp, bytes });
    else this.kept.delete(path);
    return bytes;
  }

  /** Files whose bytes are kept (for tests). */
  keptFiles(): string[] {
    return [...this.kept.keys()];
  }
}

/** A regular file's identity, size and times (to the nanosecond), and when it last changed. */
function stampOf(path: string): { stamp: string; changedMs: number } | undefined {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    const changedMs = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1000000n);
    return { stamp: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, changedMs };
  } catch {
    return undefined;
  }
}
