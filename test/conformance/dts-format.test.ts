// The formatter on the corpus: every .dts/.dtsi file that is already consistently indented (judged
// here from its syntax tree, independently of the formatter) formats to itself, byte for byte.
//
// A file is consistently indented when, read as the editor reads it (line markers naming missing
// files blanked, so positions are the file's own lines):
//   1. it has no syntax error in its own lines (a file with no /dts-v1/ header is read as the server
//      reads a fragment: included after `/dts-v1/; /plugin/;`), and no node opened in another file
//      continues in it (dtc's include1.dts closes a node that include8.dts opens);
//   2. one unit U (a tab, or 1 to 8 spaces) indents it: every item written in it that begins its line
//      (header, /memreserve/, node, reference node, property, /delete-node/, /delete-property/,
//      /include/), the `}` of every node whose `}` begins its line, and every comment that begins its
//      line outside a statement, starts after exactly U repeated d times, d being the number of node
//      bodies of the file around it; lines that continue a statement are free (their alignment is the
//      author's);
//   3. every other line that begins with `#` (a cpp directive or line marker) starts at column 0;
//   4. no line ends in a blank or a carriage return, the file ends in exactly one newline, and there
//      are no two empty lines in a row unless it has line markers (whose line counts matter).
import { strict as assert } from 'assert';
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import type { SourceRange } from '../../src/common/diagnostics';
import { MemoryFileHost, OverlayFileHost } from '../../src/common/host';
import type { DtsBody } from '../../src/devicetree/ast';
import { compileFiles } from '../../src/devicetree/compile';
import { NodeFileHost } from '../../src/node/file-host';
import { OpenDocuments } from '../../src/server/documents';
import { formatDts } from '../../src/server/devicetree/dt-format';
import { PhysicalLinesHost } from '../../src/server/devicetree/physical-lines';
import { CORPUS_ROOT, corpusPath } from './corpus';

function dtsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...dtsFiles(p));
    else if (name.endsWith('.dts') || name.endsWith('.dtsi')) out.push(p);
  }
  return out;
}

/** Why `file` is not consistently indented (undefined when it is). */
export function inconsistency(file: string, text: string): string | undefined {
  const lines = text.split('\n');
  if (!text.endsWith('\n') || text.endsWith('\n\n')) return 'does not end in exactly one newline';
  const hasMarkers = lines.some((l) => /^\s*#\s*(line\s+)?\d/.test(l));
  for (let i = 0; i < lines.length; i++) {
    if (/[ \t\r]$/.test(lines[i])) return `line ${i + 1} ends in a blank`;
    if (!hasMarkers && i > 0 && lines[i] === '' && lines[i - 1] === '' && i < lines.length - 1) return `two empty lines at ${i}`;
  }
  const host = new PhysicalLinesHost(new OpenDocuments().over(new NodeFileHost()));
  let result = compileFiles([file], { includePaths: [path.dirname(file)], host });
  if (!result.documents.some((d) => d.ast.headers.length > 0)) {
    // A fragment (an overlay or .dtsi with no header) is read as the server reads it: included by a
    // wrapper that gives it the header and /plugin/.
    const wrapper = `${file}.__fragment__.dts`;
    const text = `/dts-v1/;\n/plugin/;\n#include "${path.basename(file)}"\n`;
    result = compileFiles([wrapper], { includePaths: [path.dirname(file)], host: new OverlayFileHost(new MemoryFileHost({ [wrapper]: text }), host) });
  }
  const syntax = result.diagnostics.find((d) => d.code === 'syntax' && d.range?.file === file);
  if (syntax) return `syntax error at line ${syntax.range!.start.line + 1}`;

  // The expected indentation depth of each line that must have one.
  const expected = new Map<number, { depth: number; what: string }>();
  const freeLines = new Set<number>();
  const begins = (r: SourceRange): boolean => r.file === file && lines[r.start.line].slice(0, r.start.col).trim() === '';
  const want = (r: SourceRange, depth: number, what: string): void => {
    if (begins(r) && !expected.has(r.start.line)) expected.set(r.start.line, { depth, what });
  };
  const statement = (r: SourceRange): void => {
    if (r.file === file) for (let l = r.start.line + 1; l <= r.end.line; l++) freeLines.add(l);
  };
  const bodies: { range: SourceRange; depth: number }[] = [];
  let foreign = false;
  const body = (b: DtsBody, depth: number): void => {
    if (b.range.file === file) {
      bodies.push({ range: b.range, depth });
      const close = b.range.end.line;
      const before = lines[close].slice(0, b.range.end.col);
      const brace = before.lastIndexOf('}');
      if (brace >= 0 && before.slice(0, brace).trim() === '') want({ file, start: { line: close, col: brace }, end: b.range.end }, depth - 1, '}');
    }
    for (const item of b.items) {
      if (b.range.file !== file && item.range.file === file) foreign = true;
      want(item.range, depth, item.kind);
      if (item.kind === 'node') {
        for (let l = item.range.start.line + 1; l <= item.body.range.start.line && item.range.file === file; l++) freeLines.add(l);
        body(item.body, depth + 1);
      } else statement(item.range);
    }
  };
  for (const doc of result.documents) {
    for (const h of doc.ast.headers) want(h.range, 0, 'header');
    for (const m of doc.ast.memreserves) {
      want(m.range, 0, 'memreserve');
      statement(m.range);
    }
    for (const item of doc.ast.items) {
      want(item.range, 0, item.kind);
      if (item.kind === 'root' || item.kind === 'ref-node') {
        for (let l = item.range.start.line + 1; l <= item.body.range.start.line && item.range.file === file; l++) freeLines.add(l);
        body(item.body, 1);
      } else statement(item.range);
    }
  }
  if (foreign) return 'a node opened in another file continues in it';
  for (const inc of result.includeDirectives) {
    const depth = bodies.filter((b) => contains(b.range, inc.range)).length;
    want(inc.range, depth, '/include/');
  }
  for (const doc of result.documents) {
    for (const c of doc.comments) {
      if (c.range.file !== file || freeLines.has(c.range.start.line) || !begins(c.range)) continue;
      want(c.range, bodies.filter((b) => contains(b.range, c.range)).length, 'comment');
    }
  }
  let unit: string | undefined;
  for (const [line, { depth, what }] of [...expected].sort((a, b) => a[0] - b[0])) {
    const ws = lines[line].slice(0, lines[line].length - lines[line].trimStart().length);
    if (depth > 0 && unit === undefined) {
      const one = ws.slice(0, ws.length / depth);
      if (ws.length % depth !== 0 || !(one === '\t' || /^ {1,8}$/.test(one)))
        return `line ${line + 1} (${what}) is indented by neither tabs nor spaces per level`;
      unit = one;
    }
    if (ws !== (unit ?? '').repeat(depth)) return `line ${line + 1} (${what}) is not at depth ${depth}`;
  }
  for (let i = 0; i < lines.length; i++) {
    if (expected.has(i) || freeLines.has(i)) continue;
    if (lines[i].trimStart().startsWith('#') && lines[i] !== lines[i].trimStart()) return `line ${i + 1} (#) is indented`;
  }
  return undefined;
}

function contains(outer: SourceRange, inner: SourceRange): boolean {
  const before = (a: { line: number; col: number }, b: { line: number; col: number }): boolean => a.line < b.line || (a.line === b.line && a.col <= b.col);
  return outer.file === inner.file && before(outer.start, inner.start) && before(inner.end, outer.end);
}

describe('formatter conformance: consistent corpus files format to themselves', function () {
  this.timeout(120000);
  it('every consistently indented .dts/.dtsi of the corpus formats to itself, byte for byte', () => {
    corpusPath();
    const files = dtsFiles(CORPUS_ROOT);
    const consistent: string[] = [];
    const changed: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (inconsistency(file, text) !== undefined) continue;
      consistent.push(file);
      // The editor's options (4 spaces) only matter to a file with no indentation of its own.
      const formatted = formatDts(text, '    ');
      if (formatted !== text) {
        const a = text.split('\n');
        const b = formatted.split('\n');
        let i = 0;
        while (a[i] === b[i]) i++;
        changed.push(`${path.relative(CORPUS_ROOT, file)}:${i + 1}: ${JSON.stringify(a[i])} -> ${JSON.stringify(b[i])}`);
      }
    }
    console.log(
      `      ${consistent.length} of ${files.length} corpus files are consistently indented; ${consistent.length - changed.length} format to themselves`,
    );
    assert.deepEqual(changed, []);
    // Not vacuous: most of the corpus qualifies, the real trees among them.
    assert.ok(consistent.length >= files.length / 2, `${consistent.length} of ${files.length}`);
    for (const f of ['libvmm-simple-qemu/linux.dts', 'sel4devkit-single/maaxboard-overlay.dts']) assert.ok(consistent.includes(path.join(CORPUS_ROOT, f)), f);
  });

  it('the vendor tree keeps its one-space indentation and its continuation lines: only its inconsistent lines change', () => {
    const file = corpusPath('sel4devkit-dual', 'maaxboard.dts');
    const text = readFileSync(file, 'utf8');
    const formatted = formatDts(text, '    ');
    const a = text.split('\n');
    const b = formatted.split('\n');
    assert.equal(a.length, b.length, 'no line is added or dropped (the line markers count lines)');
    // Every line that changed was indented by something other than one space per level: it now is.
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.equal(a[i].trim(), b[i].trim(), `line ${i + 1}`);
    const map = a.findIndex((l) => l.includes('interrupt-map = <0 0 0 1 &gic 0 125 4>,'));
    assert.deepEqual(b.slice(map, map + 4), a.slice(map, map + 4));
    assert.ok(formatted.length <= text.length, `${text.length} -> ${formatted.length}`);
    assert.equal(formatDts(formatted, '    '), formatted);
  });
});
