// One input file's front end (preprocess, scan, parse) on its own, and a cache of them that trees
// share: two guests on one base, or a base edited under an unchanged overlay, preprocess and parse
// each file once per text. An entry is keyed by what the front end's output depends on (the file's
// path and text, the scanner state it starts in, include paths and defines) and checked against
// every answer the host gave it (each #include and /include/ read, each existence probe), so it
// cannot outlive a change to a file it read. compileTexts composes entries only when that gives
// exactly the whole input's parse (see `composable`), and parses the inputs together otherwise.

import type { BuildClock, FileHost } from '../common/host';
import { decodeUtf8 } from '../common/host';
import { dirname, resolve } from '../common/paths';
import { scan, type IncludeResolver, type LexerState, type ScanResult, type ScanSource } from './lexer';
import { parseTokens, type ParseResult } from './parser';
import { HeaderCache, markerFileName, needsPreprocessing, preprocess, type PreprocessResult } from './preprocessor';

export interface FrontEndOptions {
  includePaths: string[];
  host: FileHost;
  defines?: Record<string, string>;
  /** Headers recorded by earlier runs (the cache's own): replayed where they give the same output. */
  headers?: HeaderCache;
}

/** One input's preprocess, scan and parse, done apart from the other inputs. */
export interface FileFrontEnd {
  readonly file: string;
  readonly text: string;
  readonly pre: PreprocessResult;
  /** Its own sources: the file, then what it `/include/`s. */
  readonly scanned: ScanResult;
  readonly parsed: ParseResult;
}

/** The scanner's view of a preprocessed input: unchanged text with no directive or marker maps to itself (its own line table is faster). */
export function scanSourceOf(file: string, text: string, pp: PreprocessResult): ScanSource {
  const identity = pp.text === text && !needsPreprocessing(text, true);
  return identity ? { file, text, markerFile: (name) => markerFileName(file, name) } : { file, text: pp.text, mapper: pp.map };
}

/** dtc's `/include/` search: the including file's directory, then the include paths. */
export function includeResolver(options: { includePaths?: string[]; host: FileHost }): IncludeResolver {
  return (name, fromFile) => {
    const candidates = [resolve(dirname(fromFile), name), ...(options.includePaths ?? []).map((d) => resolve(d, name))];
    for (const c of candidates) {
      const bytes = options.host.readFile(c);
      if (bytes) return { file: c, text: decodeUtf8(bytes) };
    }
    // Found but refused (a device, a FIFO, too large): say so, rather than "no such file".
    for (const c of candidates) {
      const why = options.host.unreadable?.(c);
      if (why !== undefined && why !== 'No such file or directory') return { reason: `${why} (${c})` };
    }
    return undefined;
  };
}

/**
 * The host as the front end saw it. Every FileHost method the front end calls must be recorded here,
 * or its answer could change without invalidating the entry: a preprocessor that reads more than
 * file contents (a file's modification time for __TIMESTAMP__) records that answer here too.
 */
class RecordingHost implements FileHost {
  readonly reads = new Map<string, Uint8Array | undefined>();
  readonly probes = new Map<string, boolean>();
  /** Reasons given for files that could not be read. */
  readonly reasons = new Map<string, string | undefined>();
  /** File times `__TIMESTAMP__` read. */
  readonly times = new Map<string, number | undefined>();
  /** Set when the clock was read (`__DATE__`, `__TIME__`): the output then depends on when it ran. */
  clockRead = false;

  constructor(private readonly host: FileHost) {}

  readFile(path: string): Uint8Array | undefined {
    const bytes = this.host.readFile(path);
    if (!this.reads.has(path)) this.reads.set(path, bytes);
    return bytes;
  }

  fileExists(path: string): boolean {
    const found = this.host.fileExists(path);
    if (!this.probes.has(path)) this.probes.set(path, found);
    return found;
  }

  modifiedTime(path: string): number | undefined {
    const ms = this.host.modifiedTime?.(path);
    if (!this.times.has(path)) this.times.set(path, ms);
    return ms;
  }

  get buildClock(): BuildClock | undefined {
    this.clockRead = true;
    return this.host.buildClock;
  }

  /** Why a file was not read (for messages): a file may turn from a FIFO into a missing one with no read changing. */
  unreadable(path: string): string | undefined {
    const why = this.host.unreadable?.(path);
    if (!this.reasons.has(path)) this.reasons.set(path, why);
    return why;
  }

  /** The host still answers as it did (bytes compared when they are not the same buffer). */
  static stillValid(entry: Omit<Entry, 'frontEnd'>, host: FileHost): boolean {
    if (entry.clockRead) return false;
    for (const [path, found] of entry.probes) if (host.fileExists(path) !== found) return false;
    for (const [path, ms] of entry.times) if (host.modifiedTime?.(path) !== ms) return false;
    for (const [path, why] of entry.reasons) if (host.unreadable?.(path) !== why) return false;
    for (const [path, bytes] of entry.reads) if (!sameBytes(host.readFile(path), bytes)) return false;
    return true;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The preprocessor on one input, for the joint and the per-file front ends alike. Every option that
 * changes its output must be in FrontEndOptions and in the cache's variant key (FrontEndCache.get).
 */
export function preprocessInput(file: string, text: string, options: FrontEndOptions): PreprocessResult {
  return preprocess(file, text, {
    includePaths: options.includePaths,
    host: options.host,
    defines: options.defines,
    headers: options.headers,
    markersToScanner: true,
  });
}

/** Preprocess, scan and parse one file alone, starting in `startState` (the previous input's end state). */
export function fileFrontEnd(file: string, text: string, startState: LexerState | undefined, continuation: boolean, options: FrontEndOptions): FileFrontEnd {
  const pre = preprocessInput(file, text, options);
  const scanned = scan([scanSourceOf(file, text, pre)], includeResolver(options), startState);
  const parsed = parseTokens(scanned.tokens, scanned.sources, continuation);
  return { file, text, pre, scanned, parsed };
}

interface Entry {
  readonly frontEnd: FileFrontEnd;
  readonly reads: ReadonlyMap<string, Uint8Array | undefined>;
  readonly probes: ReadonlyMap<string, boolean>;
  readonly times: ReadonlyMap<string, number | undefined>;
  readonly reasons: ReadonlyMap<string, string | undefined>;
  /** Never reused: the clock was read. */
  readonly clockRead: boolean;
}

/**
 * The front ends of the files trees read, shared by every compile given this cache. Per file, one
 * entry per variant (start state, continuation, include paths, defines): the latest text replaces
 * the one before, so the cache holds one version of each file its owner still reads (`retain`).
 */
export class FrontEndCache {
  private readonly byFile = new Map<string, Map<string, Entry>>();
  /** Headers the files include, preprocessed once for every file and tree that includes them alike. */
  readonly headers = new HeaderCache();
  /** Lookups answered from the cache and front ends computed (for tests and the bench). */
  hits = 0;
  misses = 0;

  get(file: string, text: string, startState: LexerState | undefined, continuation: boolean, options: FrontEndOptions): FileFrontEnd {
    // What the output depends on besides the text and the host's answers (see preprocessInput).
    const variant = `${startState ?? ''}|${continuation}|${options.includePaths.join('\0')}|${options.defines ? JSON.stringify(options.defines) : ''}`;
    let variants = this.byFile.get(file);
    const cached = variants?.get(variant);
    if (cached && cached.frontEnd.text === text && RecordingHost.stillValid(cached, options.host)) {
      this.hits++;
      return cached.frontEnd;
    }
    this.misses++;
    const host = new RecordingHost(options.host);
    const frontEnd = fileFrontEnd(file, text, startState, continuation, { ...options, host, headers: this.headers });
    if (!variants) this.byFile.set(file, (variants = new Map()));
    variants.set(variant, { frontEnd, reads: host.reads, probes: host.probes, times: host.times, reasons: host.reasons, clockRead: host.clockRead });
    return frontEnd;
  }

  /** Drop the files `keep` does not name (no tree reads them any more). */
  retain(keep: (file: string) => boolean): void {
    for (const file of [...this.byFile.keys()]) if (!keep(file)) this.byFile.delete(file);
  }

  /** Files with an entry. */
  files(): string[] {
    return [...this.byFile.keys()];
  }
}
