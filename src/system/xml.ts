// The .system file as positioned XML: elements and attributes with exact 0-based ranges, built on
// @xml-tools/parser (a CST with token offsets) and @xml-tools/ast. Malformed input yields positioned
// diagnostics and a best-effort partial tree; nothing here throws on bad text.

import { parse as parseXmlCst } from '@xml-tools/parser';
import { buildAst } from '@xml-tools/ast';
import type { Diagnostic, Position, SourceRange } from '../common/diagnostics';

export interface XmlAttribute {
  name: string;
  /** The value without quotes, with the five predefined entities and character references decoded. */
  value: string;
  /** `name="value"` */
  range: SourceRange;
  nameRange: SourceRange;
  /** The value without its quotes (an empty range between them when the value is empty). */
  valueRange: SourceRange;
}

export interface XmlElement {
  tag: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  parent?: XmlElement;
  /** The whole element, start tag to end tag. */
  range: SourceRange;
  /** The tag name in the start tag: where messages about the element point. */
  nameRange: SourceRange;
  /** Non-whitespace text directly inside the element (the microkit tool rejects it). */
  text: { text: string; range: SourceRange }[];
}

export interface XmlDocument {
  root?: XmlElement;
  diagnostics: Diagnostic[];
}

/** Maps string offsets (UTF-16 code units, as the parser reports them) to 0-based line/column. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(readonly file: string, text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: offset - this.starts[lo] };
  }
  /** Half-open [start, end) range of offsets. */
  range(start: number, end: number): SourceRange {
    return { file: this.file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

interface TokenLike {
  startOffset: number;
  endOffset?: number;
}

/** The parser's tokens carry an inclusive end offset; ours are exclusive. */
function tokenRange(lines: LineMap, t: TokenLike): SourceRange {
  return lines.range(t.startOffset, (t.endOffset ?? t.startOffset) + 1);
}

const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode XML references in an attribute value; an unknown entity is kept as written. */
export function decodeXmlText(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    const semi = c === '&' ? raw.indexOf(';', i) : -1;
    if (semi > i) {
      const name = raw.slice(i + 1, semi);
      let decoded: string | undefined = namedEntities[name];
      if (decoded === undefined && name.startsWith('#')) {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff) decoded = String.fromCodePoint(code);
      }
      if (decoded !== undefined) {
        out += decoded;
        i = semi + 1;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

export function parseXml(file: string, text: string): XmlDocument {
  const lines = new LineMap(file, text);
  const diagnostics: Diagnostic[] = [];
  const endOfText = lines.range(text.length, text.length);
  const error = (message: string, range: SourceRange, code = 'xml-syntax'): void => {
    diagnostics.push({ severity: 'error', message, range, code });
  };

  let result: ReturnType<typeof parseXmlCst>;
  try {
    result = parseXmlCst(text);
  } catch (e) {
    // The parser is built to recover; this guards the promise that bad input never throws.
    error(failureMessage(e), lines.range(0, 0));
    return { diagnostics };
  }
  for (const le of result.lexErrors) {
    error(`XML syntax error: ${le.message}`, lines.range(le.offset, le.offset + Math.max(1, le.length)));
  }
  for (const pe of result.parseErrors) {
    const t = pe.token;
    const range = t && typeof t.startOffset === 'number' && !Number.isNaN(t.startOffset) ? tokenRange(lines, t) : endOfText;
    const found = t && t.image ? `'${t.image}'` : 'end of file';
    error(`XML syntax error: ${firstLine(pe.message).replace(/but found: .*$/, '').trim()} (found ${found})`, range);
  }

  let ast: ReturnType<typeof buildAst>;
  try {
    ast = buildAst(result.cst as never, result.tokenVector);
  } catch (e) {
    error(failureMessage(e), lines.range(0, 0));
    return { diagnostics };
  }
  type AstElement = Exclude<typeof ast.rootElement, null>;

  const convert = (el: AstElement, parent: XmlElement | undefined): XmlElement | undefined => {
    if (el.name === null) return undefined;
    const nameTok = el.syntax.openName;
    const range = lines.range(el.position.startOffset, el.position.endOffset + 1);
    const out: XmlElement = {
      tag: el.name,
      attributes: [],
      children: [],
      parent,
      range,
      nameRange: nameTok ? tokenRange(lines, nameTok) : range,
      text: [],
    };
    if (el.ns !== undefined) out.tag = `${el.ns}:${el.name}`;
    const seen = new Map<string, XmlAttribute>();
    for (const a of el.attributes) {
      if (a.key === null || !a.syntax.key) continue;
      const keyRange = tokenRange(lines, a.syntax.key);
      const valTok = a.syntax.value;
      const valueRange = valTok
        ? lines.range(valTok.startOffset + 1, Math.max(valTok.startOffset + 1, valTok.endOffset))
        : keyRange;
      const attr: XmlAttribute = {
        name: a.key,
        value: a.value === null ? '' : decodeXmlText(a.value),
        range: lines.range(a.position.startOffset, a.position.endOffset + 1),
        nameRange: keyRange,
        valueRange,
      };
      if (a.value === null) error(`attribute '${a.key}' on element '${out.tag}' has no value`, keyRange);
      const prev = seen.get(a.key);
      if (prev) {
        diagnostics.push({
          severity: 'error',
          message: `duplicate attribute '${a.key}' on element '${out.tag}'`,
          range: keyRange,
          code: 'xml-duplicate-attribute',
          related: [{ message: 'first given here', range: prev.nameRange }],
        });
        continue;
      }
      seen.set(a.key, attr);
      out.attributes.push(attr);
    }
    const close = el.syntax.closeName;
    if (close && nameTok && close.image !== nameTok.image) {
      error(`end tag '</${close.image}>' does not match start tag '<${nameTok.image}>'`, tokenRange(lines, close));
    }
    for (const t of el.textContents) {
      if (t.text === null || t.text.trim() === '') continue;
      const lead = t.text.length - t.text.trimStart().length;
      const trimmed = t.text.trim();
      const start = t.position.startOffset + lead;
      out.text.push({ text: trimmed, range: lines.range(start, start + trimmed.length) });
    }
    for (const child of el.subElements) {
      const c = convert(child, out);
      if (c) out.children.push(c);
    }
    return out;
  };

  const root = ast.rootElement ? convert(ast.rootElement, undefined) : undefined;
  if (!root && diagnostics.length === 0) error('no XML element found', lines.range(0, Math.min(text.length, 1)));
  return { root, diagnostics };
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl) + ' ' + s.slice(nl + 1).replace(/\s+/g, ' ');
}

function failureMessage(e: unknown): string {
  // The parser recurses per nesting level: absurd nesting exhausts the stack.
  if (e instanceof RangeError) return 'could not parse XML: elements are nested too deeply';
  return `could not parse XML: ${(e as Error).message}`;
}
