// The device-tree front end in one call: preprocess each file, scan all of them as one input (as dtc
// sees a base and its overlays appended), parse, evaluate with dtc's semantics. Positions name the
// original files throughout. Nothing here throws on bad input: problems are diagnostics.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { decodeUtf8, type FileHost } from '../common/host';
import { dirname, resolve } from '../common/paths';
import type { DtsFile } from './ast';
import { evaluateFiles } from './evaluate';
import { scan, type ScanSource } from './lexer';
import { parseTokens } from './parser';
import { needsPreprocessing, preprocess, type PreprocessResult } from './preprocessor';
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
}

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
 * overlays, as dtc on their texts appended in order. Includes are read through the host.
 */
export function compileTexts(inputs: CompileInput[], options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const sources: ScanSource[] = [];
  const pre: (PreprocessResult | undefined)[] = [];
  for (const input of inputs) {
    files.push(input.file);
    if (input.text === undefined) {
      diagnostics.push({ severity: 'error', message: `Couldn't open "${input.file}": No such file or directory`, code: 'io' });
      pre.push(undefined);
      continue;
    }
    const pp = preprocess(input.file, input.text, { includePaths: options.includePaths ?? [], host: options.host, defines: options.defines });
    pre.push(pp);
    diagnostics.push(...pp.diagnostics);
    for (const f of pp.files) if (!files.includes(f)) files.push(f);
    // Unchanged text with no directive or marker maps to itself: the scanner's own line table is faster.
    const identity = pp.text === input.text && !needsPreprocessing(input.text);
    sources.push(identity ? { file: input.file, text: input.text } : { file: input.file, text: pp.text, mapper: (o) => pp.map.positionAt(o) });
  }
  const resolveInclude = (name: string, fromFile: string): { file: string; text: string } | undefined => {
    const candidates = [resolve(dirname(fromFile), name), ...(options.includePaths ?? []).map((d) => resolve(d, name))];
    for (const c of candidates) {
      const bytes = options.host.readFile(c);
      if (bytes) return { file: c, text: decodeUtf8(bytes) };
    }
    return undefined;
  };
  const scanned = scan(sources, resolveInclude);
  for (const f of scanned.includes) if (!files.includes(f)) files.push(f);
  diagnostics.push(...scanned.diagnostics);
  const parsed = parseTokens(scanned.tokens, scanned.sources);
  diagnostics.push(...parsed.diagnostics);
  const evaluated = evaluateFiles([parsed.file], { host: options.host, includePaths: options.includePaths, symbols: options.symbols });
  diagnostics.push(...evaluated.diagnostics);
  for (const f of evaluated.incbinFiles) if (!files.includes(f)) files.push(f);

  // One document per input file, holding the items that start in it (or in files it /include/s).
  const docOfSource: number[] = [];
  const withText = inputs.map((x, i) => (x.text === undefined ? -1 : i)).filter((i) => i >= 0);
  let top = -1;
  for (const s of scanned.sources) {
    if (!s.includedFrom) top++;
    docOfSource.push(withText[Math.max(0, Math.min(top, withText.length - 1))] ?? 0);
  }
  const inputDocs: ParsedDocument[] = inputs.map((input, i) => ({ file: input.file, ast: { kind: 'file', headers: [], memreserves: [], items: [] }, comments: [], preprocess: pre[i] }));
  const docFor = (item: object): ParsedDocument | undefined => inputDocs[docOfSource[parsed.sourceOf.get(item) ?? 0] ?? 0];
  for (const h of parsed.file.headers) docFor(h)?.ast.headers.push(h);
  for (const m of parsed.file.memreserves) docFor(m)?.ast.memreserves.push(m);
  for (const item of parsed.file.items) docFor(item)?.ast.items.push(item);
  for (const c of scanned.comments) inputDocs[docOfSource[c.src] ?? 0]?.comments.push({ range: c.range, text: c.text });
  const includeDirectives = scanned.sources.flatMap((s) => (s.includedFrom ? [{ range: s.includedFrom, file: s.file }] : []));
  return { tree: evaluated.tree, diagnostics, fixupDiagnostics: evaluated.fixupDiagnostics, files, includeDirectives, documents: inputDocs };
}

/** Compile files read through the host, as compileTexts would compile their texts. */
export function compileFiles(files: string[], options: CompileOptions): CompileResult {
  return compileTexts(files.map((file) => {
    const bytes = options.host.readFile(file);
    return { file, text: bytes ? decodeUtf8(bytes) : undefined };
  }), options);
}

/** Compile an editor buffer (its includes are read through the host). */
export function compileText(file: string, text: string, options: CompileOptions): CompileResult {
  return compileTexts([{ file, text }], options);
}
