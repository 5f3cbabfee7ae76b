// Document links: the file names of `#include`, `/include/` and `/incbin/` open the file they read
// (the one the compiler found, through the include paths), each only when it exists.
import type { DocumentLink } from 'vscode-languageserver/node';
import type { SourceRange } from '../../common/diagnostics';
import { incbinCandidates } from '../../devicetree/evaluate';
import { toRange } from '../convert';
import { pathToUri } from '../uri';
import type { DtIndex } from './dt-index';

/** The quoted name in a one-line directive range (`/include/ "x.dtsi"`), else the whole range. */
function quotedName(r: SourceRange, line: string | undefined): SourceRange {
  if (line === undefined || r.start.line !== r.end.line) return r;
  const open = line.indexOf('"', r.start.col);
  const close = open < 0 ? -1 : line.indexOf('"', open + 1);
  if (open < 0 || close < 0 || close >= r.end.col) return r;
  return { file: r.file, start: { line: r.start.line, col: open + 1 }, end: { line: r.start.line, col: close } };
}

export function documentLinks(
  index: DtIndex,
  file: string,
  includePaths: readonly string[],
  lineOf: (line: number) => string | undefined,
  exists: (path: string) => boolean,
): DocumentLink[] {
  const out: DocumentLink[] = [];
  const seen = new Set<string>();
  const add = (r: SourceRange, target: string): void => {
    const key = `${r.start.line}:${r.start.col}`;
    if (r.file !== file || seen.has(key)) return;
    seen.add(key);
    out.push({ range: toRange(r), target: pathToUri(target), tooltip: target });
  };
  // `#include` names are ranged already; `/include/` ranges are the whole directive.
  for (const inc of index.includes)
    if (inc.target) add(inc.range.start.line === inc.range.end.line ? quotedName(inc.range, lineOf(inc.range.start.line)) : inc.range, inc.target);
  for (const p of index.properties) {
    if (p.ast.range.file !== file) continue;
    for (const part of p.ast.value ?? []) {
      if (part.kind !== 'incbin') continue;
      const target = incbinCandidates(part, includePaths).find(exists);
      const r = part.fileRange; // with its quotes
      if (target)
        add(
          r.end.col - r.start.col >= 2 ? { ...r, start: { line: r.start.line, col: r.start.col + 1 }, end: { line: r.end.line, col: r.end.col - 1 } } : r,
          target,
        );
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
