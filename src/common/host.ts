// What the cores need from their host (CLI, language server, worker, tests), passed in explicitly so
// that the cores run unchanged in Node, in a worker thread or in a browser.

/** Read-only file access. Paths are POSIX-style absolute paths (see paths.ts). */
export interface FileHost {
  /** File contents, or undefined when the file does not exist or cannot be read. */
  readFile(path: string): Uint8Array | undefined;
  /** True when a file exists at the path (used for include-path search). */
  fileExists(path: string): boolean;
  /**
   * Names of the entries (files and folders) of a folder; empty when it cannot be read or is not a
   * folder. Optional: without it, nothing that needs a listing (finding guest trees) is found.
   */
  listDirectory?(path: string): string[];
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
  constructor(files?: Record<string, string | Uint8Array>) {
    for (const [path, content] of Object.entries(files ?? {})) this.set(path, content);
  }
  set(path: string, content: string | Uint8Array): void {
    this.files.set(path, typeof content === 'string' ? new TextEncoder().encode(content) : content);
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

/** A FileHost that looks in `overlay` first (e.g. unsaved editor buffers), then in `base`. */
export class OverlayFileHost implements FileHost {
  constructor(private readonly overlay: FileHost, private readonly base: FileHost) {}
  readFile(path: string): Uint8Array | undefined {
    return this.overlay.readFile(path) ?? this.base.readFile(path);
  }
  fileExists(path: string): boolean {
    return this.overlay.fileExists(path) || this.base.fileExists(path);
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
