// VS Code's Pseudoterminal over a SerialTerminal (src/host/serial-terminal.ts), which holds the logic.
import * as vscode from 'vscode';
import type { SerialTerminal } from '../host/serial-terminal';

export class TerminalRegistry implements vscode.Disposable {
  private readonly open = new Map<SerialTerminal, vscode.Terminal>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    // A terminal the user closes stays closed; its output waits (bounded) until Boot or "Show
    // terminals" makes a new one.
    this.subscription = vscode.window.onDidCloseTerminal((closed) => {
      for (const [t, term] of this.open) if (term === closed) this.open.delete(t);
    });
  }

  add(t: SerialTerminal, show: boolean): void {
    const write = new vscode.EventEmitter<string>();
    const writer = (text: string): void => write.fire(text);
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open: (dims) => t.open(writer, dims ? { columns: dims.columns, rows: dims.rows } : undefined),
      // Only this view's writer: a late close of an old view must not silence a newer one.
      close: () => {
        t.close(writer);
        write.dispose();
      },
      handleInput: (data) => t.handleInput(data),
      setDimensions: (dims) => t.setDimensions({ columns: dims.columns, rows: dims.rows }),
    };
    const terminal = vscode.window.createTerminal({ name: t.name, pty, isTransient: true });
    this.open.set(t, terminal);
    if (show) terminal.show(true);
  }

  remove(t: SerialTerminal): void {
    this.open.get(t)?.dispose();
    this.open.delete(t);
  }

  /** Show the terminal of `t` again (after the user closed it, a new one is made). */
  reveal(t: SerialTerminal, preserveFocus = false): void {
    const term = this.open.get(t);
    if (term) term.show(preserveFocus);
    else this.add(t, true);
  }

  /** Make a terminal again for each of `all` the user closed (Kill All Terminals included), without showing it. */
  reopen(all: readonly SerialTerminal[]): void {
    for (const t of all) if (!this.open.has(t)) this.add(t, false);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const term of this.open.values()) term.dispose();
    this.open.clear();
  }
}
