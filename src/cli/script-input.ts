// Piped or scripted input as a terminal user would type it: one line at a time, each line ending
// in '\r' (what a terminal's Enter sends), a CRLF or a lone '\n' becoming one '\r'. A last piece
// without a line end is typed as it is (so `printf 'root'` types no Enter).

/** Split a stream of chunks into the pieces to type, each ending at a line end. */
export async function* scriptLines(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  const splitter = new LineSplitter();
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Uint8Array.from(chunk, (c) => c.charCodeAt(0) & 0xff) : chunk;
    yield* splitter.push(bytes);
  }
  const rest = splitter.end();
  if (rest) yield rest;
}

/** The splitting itself, chunk by chunk (a CRLF may straddle two chunks). */
export class LineSplitter {
  private pending: number[] = [];
  /** The previous byte was '\r': a '\n' right after it belongs to the same line end. */
  private afterCr = false;

  push(bytes: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    for (const b of bytes) {
      if (b === 0x0a && this.afterCr) {
        this.afterCr = false;
        continue;
      }
      this.afterCr = b === 0x0d;
      if (b === 0x0a || b === 0x0d) {
        this.pending.push(0x0d);
        lines.push(Uint8Array.from(this.pending));
        this.pending = [];
      } else {
        this.pending.push(b);
      }
    }
    return lines;
  }

  end(): Uint8Array | undefined {
    const rest = this.pending.length ? Uint8Array.from(this.pending) : undefined;
    this.pending = [];
    return rest;
  }
}
