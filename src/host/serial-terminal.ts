// The line logic of one terminal (a guest's console, or the board's serial port): bytes from the
// worker become text for the terminal (UTF-8 decoded across frame boundaries), keystrokes become
// input for its target, size changes go to the worker. VS Code's Pseudoterminal is a thin adapter
// over this (src/extension/terminals.ts), so tests drive the same code without VS Code.

export type TerminalTarget = number | 'line';

export interface TerminalInputSink {
  type(target: TerminalTarget, data: string): void;
  resize(target: TerminalTarget, cols: number, rows: number): void;
}

/**
 * The terminal's recent text is kept up to this many UTF-16 units (oldest dropped): a view opened
 * later (the first, or one made again after the user closed it) starts with it.
 */
const SCROLLBACK_LIMIT = 256 * 1024;

export class SerialTerminal {
  private writer: ((text: string) => void) | undefined;
  private scrollback: string[] = [];
  private scrollbackSize = 0;
  private dropped = false;
  private decoder = new TextDecoder('utf-8');
  size: { cols: number; rows: number } | undefined;
  /** While time travel shows a moment: the text shown instead of the live output (which is kept meanwhile). */
  private past: string | undefined;

  constructor(
    readonly name: string,
    readonly target: TerminalTarget,
    private readonly input: () => TerminalInputSink | undefined,
  ) {}

  /** The terminal is shown: it starts with the recent text, and from now on text goes straight to `write`. */
  open(write: (text: string) => void, dimensions?: { columns: number; rows: number }): void {
    this.writer = write;
    if (this.past !== undefined) write(this.past);
    else this.replayScrollback(write);
    if (dimensions) this.setDimensions(dimensions);
  }

  /**
   * The view that `write` fed is gone. A view closed late, after a new view of this terminal opened
   * (VS Code reports a pseudoterminal's close asynchronously), must not silence the new one.
   */
  close(write?: (text: string) => void): void {
    if (write === undefined || write === this.writer) this.writer = undefined;
  }

  get isOpen(): boolean {
    return this.writer !== undefined;
  }

  /** Output bytes from the worker. */
  output(bytes: Uint8Array): void {
    this.write(this.decoder.decode(bytes, { stream: true }));
  }

  /** A message from the extension itself, set apart from guest output. */
  notice(text: string): void {
    this.write(noticeText(text));
  }

  /** Time travel: the terminal shows `bytes` (the output up to the moment) under a notice, until showLive. */
  showPast(bytes: Uint8Array, label: string): void {
    this.past = CLEAR_SCREEN + noticeText(label) + new TextDecoder('utf-8').decode(bytes);
    this.writer?.(this.past);
  }

  /** Back to live: the live output again, as it was before the travel and since. */
  showLive(): void {
    if (this.past === undefined) return;
    this.past = undefined;
    const w = this.writer;
    if (!w) return;
    w(CLEAR_SCREEN);
    this.replayScrollback(w);
  }

  private replayScrollback(write: (text: string) => void): void {
    if (this.dropped) write(noticeText('earlier output dropped before this terminal opened'));
    for (const t of this.scrollback) write(t);
  }

  /** A fresh machine: no half-decoded character carries over. */
  restart(): void {
    this.decoder = new TextDecoder('utf-8');
  }

  handleInput(data: string): void {
    this.input()?.type(this.target, data);
  }

  setDimensions(d: { columns: number; rows: number }): void {
    this.size = { cols: d.columns, rows: d.rows };
    this.input()?.resize(this.target, d.columns, d.rows);
  }

  private write(text: string): void {
    if (text === '') return;
    if (this.past === undefined) this.writer?.(text);
    this.scrollback.push(text);
    this.scrollbackSize += text.length;
    while (this.scrollbackSize > SCROLLBACK_LIMIT && this.scrollback.length > 1) {
      this.scrollbackSize -= this.scrollback.shift()!.length;
      this.dropped = true;
    }
  }
}

/** Erase the screen and the scrollback, cursor home (xterm: ED 2, ED 3, CUP). */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

export function noticeText(text: string): string {
  return `\r\n\x1b[1;33m[${text}]\x1b[0m\r\n`;
}
