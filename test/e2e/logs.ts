// Reading VS Code's log files (pure text and path logic, unit-tested in test/unit/e2e).

/** One log entry: its first line is "YYYY-MM-DD hh:mm:ss.mmm [level] ...", then any continuation lines (stacks). */
export interface LogEntry {
  readonly level: string;
  readonly text: string;
}

/** An error-level entry and the log file (relative to the session's log folder) it came from. */
export interface LogError {
  readonly file: string;
  readonly text: string;
}

const ENTRY_HEAD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[(\w+)\]/;

export function splitLogEntries(text: string): LogEntry[] {
  const entries: { level: string; text: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const head = ENTRY_HEAD.exec(line);
    if (head) entries.push({ level: head[1], text: line });
    else if (entries.length > 0 && line !== '') entries[entries.length - 1].text += `\n${line}`;
  }
  return entries;
}

/** Error-level entries of one log's text, except those matching one of `allowed`. */
export function errorEntries(text: string, allowed: readonly RegExp[] = []): LogEntry[] {
  return splitLogEntries(text).filter((e) => e.level === 'error' && !allowed.some((re) => re.test(e.text)));
}

/**
 * Whether a log file (path relative to the user-data logs folder, '/'-separated) belongs to the
 * extension host: its main log `<session>/exthostN/remoteexthost.log`, or a log channel
 * `<session>/exthostN/<extension id>/<channel>.log` of one of the extensions in `ownIds`.
 */
export function isExtensionHostLog(relativePath: string, ownIds: readonly string[] = []): boolean {
  const parts = relativePath.split('/');
  const inExtHost = (fromEnd: number) => /^exthost\d*$/.test(parts[parts.length - fromEnd] ?? '');
  const file = parts[parts.length - 1];
  return (inExtHost(2) && file === 'remoteexthost.log') || (inExtHost(3) && ownIds.includes(parts[parts.length - 2]) && file.endsWith('.log'));
}

/** The log line saying that VS Code activated `extensionId`, if the text has one. */
export function activationLine(text: string, extensionId: string): string | undefined {
  const marker = `ExtensionService#_doActivateExtension ${extensionId},`;
  return text.split(/\r?\n/).find((l) => l.includes(marker));
}
