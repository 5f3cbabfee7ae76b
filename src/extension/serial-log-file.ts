// The `microkitDualGuest.emulator.serialLogFile` setting: stamped serial lines appended to a file,
// in batches (a flood must not mean one write per line), with a cap on what may wait for the disk.
import * as fs from 'fs';
import * as path from 'path';

const FLUSH_MS = 250;
const MAX_WAITING_CHARS = 8 * 1024 * 1024;

export class SerialLogFile {
  private file: string | undefined;
  private waiting: string[] = [];
  private waitingChars = 0;
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing = false;

  constructor(private readonly report: (message: string) => void) {}

  /**
   * An empty setting turns the log off. An absolute path is the user's choice (only user settings
   * are read); a relative path is a file in the workspace folder and may not climb out of it.
   */
  configure(setting: string, workspaceFolder: string | undefined): void {
    const file = resolveLogFile(setting, workspaceFolder);
    if (typeof file === 'object') {
      this.report(`serial log: not logging: ${file.refused}`);
      this.file = undefined;
      return;
    }
    if (file !== this.file && file) this.report(`serial log: appending to ${file}`);
    this.file = file;
  }

  write(line: string): void {
    if (!this.file) return;
    if (this.waitingChars > MAX_WAITING_CHARS) {
      this.dropped++;
      return;
    }
    this.waiting.push(line);
    this.waitingChars += line.length + 1;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.file || this.writing || this.waiting.length === 0) return;
    let text = this.waiting.join('\n') + '\n';
    if (this.dropped > 0) text += `[${this.dropped} lines not logged: the disk did not keep up]\n`;
    this.waiting = [];
    this.waitingChars = 0;
    this.dropped = 0;
    this.writing = true;
    fs.appendFile(this.file, text, (err) => {
      this.writing = false;
      if (err) {
        this.report(`serial log: cannot write ${this.file}: ${err.message}`);
        this.file = undefined;
      } else if (this.waiting.length > 0) this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.file && this.waiting.length > 0) fs.appendFileSync(this.file, this.waiting.join('\n') + '\n');
    this.waiting = [];
  }
}

/** Where a serialLogFile setting writes, undefined for none, or why it is refused. */
export function resolveLogFile(setting: string, workspaceFolder: string | undefined): string | undefined | { refused: string } {
  const value = setting.trim();
  if (value === '') return undefined;
  if (path.isAbsolute(value)) return value;
  if (!workspaceFolder) return { refused: `'${value}' is relative and no workspace folder is open (use an absolute path)` };
  const file = path.resolve(workspaceFolder, value);
  const inside = path.relative(workspaceFolder, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside))
    return { refused: `'${value}' is outside the workspace folder (use an absolute path to log elsewhere)` };
  return file;
}
