// What the cores need from their host (CLI, language server, worker, tests), passed in explicitly so
// that the cores run unchanged in Node, in a worker thread or in a browser.

/**
 * Read-only file access, plus what the C preprocessor's dynamic macros read besides file contents
 * (file times, the clock). Paths are POSIX-style absolute paths (see paths.ts).
 */
export interface FileHost {
  /** File contents, or undefined when the file does not exist or cannot be read. */
  readFile(path: string): Uint8Array | undefined;
  /** True when a file exists at the path (used for include-path search). */
  fileExists(path: string): boolean;
  /**
   * Why readFile gives nothing for the path ("No such file or directory", "not a regular file ...",
   * a size limit), or undefined when it is readable. Hosts that only hold files leave it out.
   */
  unreadable?(path: string): string | undefined;
  /** The file's last modification, in milliseconds since the epoch (`__TIMESTAMP__`); undefined when unknown. */
  modifiedTime?(path: string): number | undefined;
  /** The machine's clock as cpp reads it (`__DATE__`, `__TIME__`); absent, those macros say the time is unknown. */
  readonly buildClock?: BuildClock;
  /**
   * Names of the entries (files and folders) of a folder; empty when it cannot be read or is not a
   * folder. Optional: without it, nothing that needs a listing (finding guest trees) is found.
   */
  listDirectory?(path: string): string[];
}

/** The reason a file cannot be read, for a message ("Couldn't open "x": <reason>"). */
export function unreadableReason(host: FileHost, path: string): string {
  return host.unreadable?.(path) ?? 'No such file or directory';
}

/** The time and environment cpp reads: the cores have no clock of their own (determinism). */
export interface BuildClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Minutes east of UTC of the local time zone at that instant (cpp prints local times). */
  utcOffsetMinutes(epochMs: number): number;
  /** The SOURCE_DATE_EPOCH environment variable as set, undefined when unset. */
  sourceDateEpoch(): string | undefined;
}

/** The entries of `dir` among `paths` (absolute POSIX paths): file names and first-level folder names. */
function entriesUnder(paths: Iterable<string>, dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  const names = new Set<string>();
  for (const p of paths) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]);
  names.delete('');
  return [...names];
}

/** A FileHost over an in-memory map, for tests and for the language server's open documents. */
export class MemoryFileHost implements FileHost {
  private readonly files = new Map<string, Uint8Array>();
  private readonly modified = new Map<string, number>();
  constructor(
    files?: Record<string, string | Uint8Array>,
    readonly buildClock?: BuildClock,
  ) {
    for (const [path, content] of Object.entries(files ?? {})) this.set(path, content);
  }
  set(path: string, content: string | Uint8Array, modifiedTime?: number): void {
    this.files.set(path, typeof content === 'string' ? new TextEncoder().encode(content) : content);
    if (modifiedTime === undefined) this.modified.delete(path);
    else this.modified.set(path, modifiedTime);
  }
  modifiedTime(path: string): number | undefined {
    return this.modified.get(path);
  }
  readFile(path: string): Uint8Array | undefined {
    return this.files.get(path);
  }
  fileExists(path: string): boolean {
    return this.files.has(path);
  }
  listDirectory(path: string): string[] {
    return entriesUnder(this.files.keys(), path);
  }
}

/**
 * A FileHost that looks in `overlay` first (e.g. unsaved editor buffers), then in `base`; file times
 * and the clock come from the overlay when it has them (an unsaved buffer keeps its file's time).
 */
export class OverlayFileHost implements FileHost {
  readonly buildClock?: BuildClock;
  constructor(
    private readonly overlay: FileHost,
    private readonly base: FileHost,
  ) {
    this.buildClock = overlay.buildClock ?? base.buildClock;
  }
  modifiedTime(path: string): number | undefined {
    return this.overlay.modifiedTime?.(path) ?? this.base.modifiedTime?.(path);
  }
  readFile(path: string): Uint8Array | undefined {
    return this.overlay.readFile(path) ?? this.base.readFile(path);
  }
  fileExists(path: string): boolean {
    return this.overlay.fileExists(path) || this.base.fileExists(path);
  }
  unreadable(path: string): string | undefined {
    return this.overlay.fileExists(path) ? undefined : this.base.unreadable?.(path);
  }
  listDirectory(path: string): string[] {
    return [...new Set([...(this.overlay.listDirectory?.(path) ?? []), ...(this.base.listDirectory?.(path) ?? [])])];
  }
}

const utf8 = new TextDecoder('utf-8');
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
