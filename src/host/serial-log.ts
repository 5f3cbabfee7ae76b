// The board's serial line as a log: complete lines, each stamped with the wall-clock time it arrived
// and the virtual time of its frame. The last lines are kept (bounded) for "Save serial log"; each
// finished line also goes to an optional sink (the serial log file setting).

const DEFAULT_KEEP_LINES = 20_000;
/** A line without a newline is cut here, so a guest printing no newlines cannot grow it forever. */
const MAX_LINE = 4096;

export class SerialLogRecorder {
  private readonly lines: string[] = [];
  private partial = '';
  private decoder = new TextDecoder('utf-8');

  constructor(private readonly sink?: (stampedLine: string) => void, private readonly keepLines = DEFAULT_KEEP_LINES) {}

  add(bytes: Uint8Array, virtualNs: number, wallMs: number): void {
    const text = this.decoder.decode(bytes, { stream: true });
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\n' || this.partial.length + (i - start) >= MAX_LINE) {
        const piece = text.slice(start, text[i] === '\n' ? i : i + 1);
        this.finish(this.partial + piece, virtualNs, wallMs);
        this.partial = '';
        start = i + 1;
      }
    }
    this.partial += text.slice(start);
  }

  /** The kept lines, stamped, plus the unfinished one (for saving). */
  text(): string {
    const tail = this.partial ? [`${this.partial.replace(/\r/g, '')}`] : [];
    return [...this.lines, ...tail].join('\n') + '\n';
  }

  /** A new machine's first line must not join the old one's last. */
  restart(): void {
    this.partial = '';
    this.decoder = new TextDecoder('utf-8');
  }

  private finish(line: string, virtualNs: number, wallMs: number): void {
    const stamped = `[${new Date(wallMs).toISOString()} ${formatVirtualSeconds(virtualNs)}] ${line.split('\r').join('')}`;
    this.lines.push(stamped);
    if (this.lines.length > this.keepLines) this.lines.splice(0, this.lines.length - this.keepLines);
    this.sink?.(stamped);
  }
}

/** Virtual time as seconds with microseconds, right-aligned like a printk stamp: "   12.345678s". */
export function formatVirtualSeconds(ns: number): string {
  return `${(ns / 1e9).toFixed(6).padStart(12)}s`;
}
