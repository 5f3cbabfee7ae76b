// Finds import cycles among a folder's TypeScript files (`npx tsx scripts/import-cycles.ts [dir]`;
// a unit test runs it over src/). Type-only imports count: a cycle of types still ties two files
// together for whoever reads or moves them. Only relative imports are followed.
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** Every .ts file under `dir`, sorted (so cycles are reported in a stable order). */
export function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFilesUnder(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The files `file` imports or re-exports from, resolved among `.ts` files and folder indexes. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out: string[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), ref.fileName);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((p) => existsSync(p));
    if (target) out.push(target);
  }
  return out;
}

/** The strongly connected components of more than one file (or a file importing itself): Tarjan's algorithm. */
export function findImportCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'src'));
  const cycles = findImportCycles(tsFilesUnder(root));
  for (const c of cycles) process.stdout.write(`import cycle: ${c.map((f) => path.relative(process.cwd(), f)).join(' <-> ')}\n`);
  if (cycles.length > 0) process.exitCode = 1;
  else process.stdout.write(`no import cycles under ${path.relative(process.cwd(), root) || '.'}\n`);
}
