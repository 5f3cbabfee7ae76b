// The device-tree front end in one call: preprocess each file, scan all of them as one input (as dtc
// sees a base and its overlays appended), parse, evaluate with dtc's semantics. With a front-end
// cache, files parsed apart are composed where that is the same parse (front-end.ts). Positions name
// the original files throughout. Nothing here throws on bad input: problems are diagnostics.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { decodeUtf8, unreadableReason, type FileHost } from '../common/host';
import { pushAll } from '../common/arrays';
import type { DtsFile } from './ast';
import { evaluateFiles } from './evaluate';
import { FrontEndCache, includeResolver, preprocessInput, scanSourceOf, type FileFrontEnd } from './front-end';
import { scan, type LexerState, type ScanSource } from './lexer';
import { parseTokens } from './parser';
import type { PreprocessResult } from './preprocessor';
import type { DtTree } from './tree';

export { writeDtb } from './dtb-writer';
export { writeDts } from './dts-writer';

export interface CompileOptions {
  includePaths?: string[];
  host: FileHost;
  /** dtc -@: emit `__symbols__`. */
  symbols?: boolean;
  /** Like cpp -D. */
  defines?: Record<string, string>;
  /** Per-file front ends shared with other compiles (the language server's trees). */
  cache?: FrontEndCache;
}

export { FrontEndCache } from './front-end';

export interface ParsedDocument {
  file: string;
  /** The top-level items that start in this file (headers and /memreserve/ included). */
  ast: DtsFile;
  comments: { range: SourceRange; text: string }[];
  preprocess?: PreprocessResult;
}

export interface CompileResult {
  tree: DtTree;
  /** Syntax and evaluation errors (and preprocessor diagnostics). */
  diagnostics: Diagnostic[];
  /** Findings of dtc's fixup checks, `code` = the dtc check name (duplicate_label, explicit_phandles, ...). */
  fixupDiagnostics: Diagnostic[];
  /** Every file read: inputs, #include and /include/ files, /incbin/ files. */
  files: string[];
  /** Each `/include/ "name"` followed: the directive's range and the file it read (for navigation). */
  includeDirectives: { range: SourceRange; file: string }[];
  documents: ParsedDocument[];
}

/** One input file and its text; `undefined` when it could not be read (an error diagnostic, as dtc's). */
export interface CompileInput {
  file: string;
  text: string | undefined;
}

/**
 * Compile texts the caller already holds (the language server's buffers): the base first, then
 * overlays, as dtc on their texts appended in order. Includes are read through the host. With a
 * `cache`, each file's front end comes from it when that gives the same parse (see front-end.ts).
 */
export function compileTexts(inputs: CompileInput[], options: CompileOptions): CompileResult {
  const front = (options.cache && composedFrontEnds(inputs, options, options.cache)) || jointFrontEnd(inputs, options);
  const { diagnostics, files } = front;
  const evaluated = evaluateFiles([front.file], { host: options.host, includePaths: options.includePaths, symbols: options.symbols });
  pushAll(diagnostics, evaluated.diagnostics);
  for (const f of evaluated.incbinFiles) if (!files.includes(f)) files.push(f);
  return {
    tree: evaluated.tree,
    diagnostics,
    fixupDiagnostics: evaluated.fixupDiagnostics,
    files,
    includeDirectives: front.includeDirectives,
    documents: front.documents,
  };
}

/** Preprocessed, scanned and parsed inputs, ready to evaluate. */
interface FrontEndResult {
  file: DtsFile;
  diagnostics: Diagnostic[];
  files: string[];
  includeDirectives: { range: SourceRange; file: string }[];
  documents: ParsedDocument[];
}

/** The inputs preprocessed one by one, then scanned and parsed as one input. */
function jointFrontEnd(inputs: CompileInput[], options: CompileOptions): FrontEndResult {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const sources: ScanSource[] = [];
  const pre: (PreprocessResult | undefined)[] = [];
  for (const input of inputs) {
    files.push(input.file);
    if (input.text === undefined) {
      diagnostics.push({ severity: 'error', message: `Couldn't open "${input.file}": ${unreadableReason(options.host, input.file)}`, code: 'io' });
      pre.push(undefined);
      continue;
    }
    const pp = preprocessInput(input.file, input.text, {
      includePaths: options.includePaths ?? [],
      host: options.host,
      defines: options.defines,
      headers: options.cache?.headers,
    });
    pre.push(pp);
    pushAll(diagnostics, pp.diagnostics);
    for (const f of pp.files) if (!files.includes(f)) files.push(f);
    sources.push(scanSourceOf(input.file, input.text, pp));
  }
  const documents: ParsedDocument[] = inputs.map((input, i) => ({
    file: input.file,
    ast: { kind: 'file', headers: [], memreserves: [], items: [] },
    comments: [],
    preprocess: pre[i],
  }));
  // Nothing could be read: the reasons are the whole story (no syntax error about an empty input).
  if (sources.length === 0) return { file: { kind: 'file', headers: [], memreserves: [], items: [] }, diagnostics, files, includeDirectives: [], documents };
  const scanned = scan(sources, includeResolver(options));
  for (const f of scanned.includes) if (!files.includes(f)) files.push(f);
  pushAll(diagnostics, scanned.diagnostics);
  const parsed = parseTokens(scanned.tokens, scanned.sources);
  pushAll(diagnostics, parsed.diagnostics);

  // One document per input file, holding the items that start in it (or in files it /include/s).
  const docOfSource: number[] = [];
  const withText = inputs.map((x, i) => (x.text === undefined ? -1 : i)).filter((i) => i >= 0);
  let top = -1;
  for (const s of scanned.sources) {
    if (!s.includedFrom) top++;
    docOfSource.push(withText[Math.max(0, Math.min(top, withText.length - 1))] ?? 0);
  }
  const docFor = (item: object): ParsedDocument | undefined => documents[docOfSource[parsed.sourceOf.get(item) ?? 0] ?? 0];
  for (const h of parsed.file.headers) docFor(h)?.ast.headers.push(h);
  for (const m of parsed.file.memreserves) docFor(m)?.ast.memreserves.push(m);
  for (const item of parsed.file.items) docFor(item)?.ast.items.push(item);
  for (const c of scanned.comments) documents[docOfSource[c.src] ?? 0]?.comments.push({ range: c.range, text: c.text });
  const includeDirectives = scanned.sources.flatMap((s) => (s.includedFrom ? [{ range: s.includedFrom, file: s.file }] : []));
  return { file: parsed.file, diagnostics, files, includeDirectives, documents };
}

/**
 * The inputs' front ends from the cache, each scanned from the state the previous one ended in.
 * That is the joint parse exactly when every input before the last parses alone without a
 * diagnostic: each then ends at the top level, where the next one's items begin in the joint parse.
 * Undefined otherwise (or when an input is missing): the caller parses them together.
 */
function composedFrontEnds(inputs: CompileInput[], options: CompileOptions, cache: FrontEndCache): FrontEndResult | undefined {
  if (inputs.some((x) => x.text === undefined)) return undefined;
  const ends: FileFrontEnd[] = [];
  let state: LexerState | undefined;
  for (const [i, input] of inputs.entries()) {
    const fe = cache.get(input.file, input.text!, state, i > 0, { includePaths: options.includePaths ?? [], host: options.host, defines: options.defines });
    if (i < inputs.length - 1 && fe.parsed.diagnostics.length > 0) return undefined;
    ends.push(fe);
    state = fe.scanned.endState;
  }
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  for (const fe of ends) {
    files.push(fe.file);
    pushAll(diagnostics, fe.pre.diagnostics);
    for (const f of fe.pre.files) if (!files.includes(f)) files.push(f);
  }
  for (const fe of ends) for (const f of fe.scanned.includes) if (!files.includes(f)) files.push(f);
  for (const fe of ends) pushAll(diagnostics, fe.scanned.diagnostics);
  for (const fe of ends) pushAll(diagnostics, fe.parsed.diagnostics);
  // The AST is shared by every tree the cache serves: the combined file gets its own lists, the items stay shared.
  const first = ends[0]?.parsed.file;
  const file: DtsFile = {
    kind: 'file',
    headers: first?.headers ?? [],
    memreserves: first?.memreserves ?? [],
    items: ends.flatMap((fe) => fe.parsed.file.items),
  };
  const documents: ParsedDocument[] = ends.map((fe) => ({
    file: fe.file,
    ast: fe.parsed.file,
    preprocess: fe.pre,
    comments: fe.scanned.comments.map((c) => ({ range: c.range, text: c.text })),
  }));
  const includeDirectives = ends.flatMap((fe) => fe.scanned.sources.flatMap((s) => (s.includedFrom ? [{ range: s.includedFrom, file: s.file }] : [])));
  return { file, diagnostics, files, includeDirectives, documents };
}

/** Compile files read through the host, as compileTexts would compile their texts. */
export function compileFiles(files: string[], options: CompileOptions): CompileResult {
  return compileTexts(
    files.map((file) => {
      const bytes = options.host.readFile(file);
      return { file, text: bytes ? decodeUtf8(bytes) : undefined };
    }),
    options,
  );
}

/** Compile an editor buffer (its includes are read through the host). */
export function compileText(file: string, text: string, options: CompileOptions): CompileResult {
  return compileTexts([{ file, text }], options);
}
