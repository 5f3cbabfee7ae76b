// The board's serial line as a log: lines stamped with the wall-clock time they arrived and the
// virtual time of their frame. The recent output is kept (bounded) for "Save serial log"; finished
// lines also go to an optional sink (the serial log file setting). A flood sends megabytes a second,
// so frames are kept whole and split into lines only when someone reads them.

const DEFAULT_KEEP_CHARS = 4 * 1024 * 1024;
/** A line without a newline is cut here, so a guest printing no newlines cannot grow it forever. */
const MAX_LINE = 4096;

interface Frame {
  stamp: string;
  text: string;
}

export class SerialLogRecorder {
  /** Dropped frames before firstFrame are undefined until the next compaction (they must not keep their text alive). */
  private frames: (Frame | undefined)[] = [];
  private firstFrame = 0;
  private keptChars = 0;
  private droppedChars = 0;
  private decoder = new TextDecoder('utf-8');
  /** The unfinished last line for the sink. */
  private open: OpenLine | undefined;

  constructor(
    private readonly sink?: (stampedLine: string) => void,
    private readonly keepChars = DEFAULT_KEEP_CHARS,
  ) {}

  add(bytes: Uint8Array, virtualNs: number, wallMs: number): void {
    const text = this.decoder.decode(bytes, { stream: true });
    if (text === '') return;
    const stamp = `[${new Date(wallMs).toISOString()} ${formatVirtualSeconds(virtualNs)}] `;
    this.frames.push({ stamp, text });
    this.keptChars += text.length;
    while (this.keptChars > this.keepChars && this.frames.length - this.firstFrame > 1) {
      const old = this.frames[this.firstFrame]!;
      this.frames[this.firstFrame++] = undefined;
      this.keptChars -= old.text.length;
      this.droppedChars += old.text.length;
    }
    // Compact now and then, so dropping from the front stays O(1) on average.
    if (this.firstFrame > 1024 && this.firstFrame * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.firstFrame);
      this.firstFrame = 0;
    }
    if (this.sink) this.open = splitLines(this.open, text, stamp, this.sink);
  }

  /** The kept output as stamped lines (the unfinished last line too), for saving. */
  text(): string {
    const out: string[] = [];
    if (this.droppedChars > 0) out.push(`[... ${this.droppedChars} earlier characters not kept]`);
    let open: OpenLine | undefined;
    for (let i = this.firstFrame; i < this.frames.length; i++) {
      const f = this.frames[i]!;
      open = splitLines(open, f.text, f.stamp, (l) => out.push(l));
    }
    if (open) out.push(open.stamp + open.content);
    return out.join('\n') + '\n';
  }

  /** A new machine's first line must not join the old one's last. */
  restart(): void {
    if (this.sink && this.open) this.sink(this.open.stamp + this.open.content);
    this.open = undefined;
    this.decoder = new TextDecoder('utf-8');
    const last = this.frames.length > this.firstFrame ? this.frames[this.frames.length - 1] : undefined;
    if (last && !last.text.endsWith('\n')) {
      this.frames.push({ stamp: '', text: '\n' });
      this.keptChars += 1;
    }
  }
}

/** A line begun in an earlier frame: it keeps the stamp of the frame it started in. */
interface OpenLine {
  stamp: string;
  content: string;
}

/** Emit the complete lines of `open + text` (stamped, carriage returns removed); return the unfinished rest. */
function splitLines(open: OpenLine | undefined, text: string, stamp: string, emit: (line: string) => void): OpenLine | undefined {
  let start = 0;
  let line = open;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const have = line?.content.length ?? 0;
    if (have + end - start > MAX_LINE) {
      const cut = start + MAX_LINE - have;
      emit((line?.stamp ?? stamp) + (line?.content ?? '') + stripCr(text.slice(start, cut)));
      line = undefined;
      start = cut;
      continue;
    }
    if (nl < 0) break;
    emit((line?.stamp ?? stamp) + (line?.content ?? '') + stripCr(text.slice(start, nl)));
    line = undefined;
    start = nl + 1;
  }
  if (start >= text.length) return line;
  return { stamp: line?.stamp ?? stamp, content: (line?.content ?? '') + stripCr(text.slice(start)) };
}

function stripCr(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.split('\r').join('');
}

/** Virtual time as seconds with microseconds, right-aligned like a printk stamp: "   12.345678s". */
export function formatVirtualSeconds(ns: number): string {
  return `${(ns / 1e9).toFixed(6).padStart(12)}s`;
}
