// Reports the longest functions of src/ and fails on any over MAX_FUNCTION_LINES
// (`npx tsx scripts/function-length.ts [--top=N]`; a unit test runs it). A function's length is its
// whole text, nested functions included, from its first line to its closing brace, as Prettier lays
// it out (`npm run format:check` holds every file to that layout). Table literals are not
// functions, so generated or hand-written tables do not count. After reformatting the tree,
// `--repin` sets each pinned entry to its function's new length (and drops the ones now short); it
// never adds an entry.
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { tsFilesUnder } from './import-cycles';

export const MAX_FUNCTION_LINES = 80;

/**
 * The functions over the limit when the check came in, each pinned at its length then: the check
 * passes while they are split, fails if one grows, and an entry is removed once its function is
 * short. Remove entries; never add one.
 */
export const KNOWN_LONG_FUNCTIONS: ReadonlyMap<string, number> = new Map([]);

export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  return '<anonymous>';
}

/** The length of every function, method, constructor, accessor and arrow function in `file`. */
export function functionLengths(file: string, root: string): FunctionLength[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file: path.relative(root, file), name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every function under `dir`, longest first. */
export function longestFunctions(dir: string, root = path.dirname(dir)): FunctionLength[] {
  return tsFilesUnder(dir)
    .flatMap((f) => functionLengths(f, root))
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
}

export function knownKey(f: FunctionLength): string {
  return `${f.file}#${f.name}`;
}

/** The functions over the limit that the allow-list does not cover (or that grew past their pinned length). */
export function tooLong(all: readonly FunctionLength[], known = KNOWN_LONG_FUNCTIONS): FunctionLength[] {
  return all.filter((f) => f.lines > MAX_FUNCTION_LINES && !(known.has(knownKey(f)) && f.lines <= known.get(knownKey(f))!));
}

/**
 * This file's text with each pinned length set to its function's length in `all`, and the entries
 * whose function is no longer over the limit (or gone) removed.
 */
export function repinned(source: string, all: readonly FunctionLength[]): string {
  const lengths = new Map(all.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => [knownKey(f), f.lines]));
  return source.replace(/^ {2}\['([^']+)', (\d+)\],\n/gm, (entry, key: string) => {
    const lines = lengths.get(key);
    return lines === undefined ? '' : `  ['${key}', ${lines}],\n`;
  });
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  if (process.argv.includes('--repin')) {
    writeFileSync(__filename, repinned(readFileSync(__filename, 'utf8'), longestFunctions(path.join(root, 'src'), root)));
    process.stdout.write(`re-pinned ${path.relative(root, __filename)}; run it again to check\n`);
    process.exit(0);
  }
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice('--top='.length) ?? 15);
  const all = longestFunctions(path.join(root, 'src'), root);
  for (const f of all.slice(0, top))
    process.stdout.write(
      `${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}${KNOWN_LONG_FUNCTIONS.has(knownKey(f)) ? '  (allowed for now)' : ''}\n`,
    );
  const bad = tooLong(all);
  for (const f of bad) process.stdout.write(`too long (over ${MAX_FUNCTION_LINES} lines): ${f.file}:${f.line} ${f.name} (${f.lines} lines)\n`);
  if (bad.length > 0) process.exitCode = 1;
}
