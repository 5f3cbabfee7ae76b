// The .system file as positioned XML: elements and attributes with exact 0-based ranges, built
// straight from @xml-tools/parser's CST (its tokens carry offsets). Malformed input yields positioned
// diagnostics and a best-effort partial tree; nothing here throws on bad text.

import { parse as parseXmlCst } from '@xml-tools/parser';
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { LineMap } from '../common/line-starts';
import { parseWellFormedXml } from './xml-fast';
import { decodeXmlText, type XmlAttribute, type XmlDocument, type XmlElement } from './xml-model';

export { decodeXmlText, type XmlAttribute, type XmlDocument, type XmlElement } from './xml-model';

interface TokenLike {
  startOffset: number;
  endOffset?: number;
}

/** The parser's tokens carry an inclusive end offset; ours are exclusive. */
function tokenRange(lines: LineMap, t: TokenLike): SourceRange {
  return lines.range(t.startOffset, (t.endOffset ?? t.startOffset) + 1);
}

/** `full`: always the full parser (tests compare it with the fast path). */
export function parseXml(file: string, source: string, options?: { full?: boolean }): XmlDocument {
  // XML's end-of-line handling: a lone CR is a line break (old Mac files). The parser only knows LF
  // and CR LF, so a lone CR becomes LF: the same length, so offsets stay those of the source.
  const text = source.includes('\r') ? source.replace(/\r(?!\n)/g, '\n') : source;
  const lines = new LineMap(file, text);
  const diagnostics: Diagnostic[] = [];
  const endOfText = lines.range(text.length, text.length);
  if (!options?.full) {
    const fast = parseWellFormedXml(text, lines);
    if (fast) return { root: fast, diagnostics: [] };
  }

  let result: ReturnType<typeof parseXmlCst>;
  try {
    result = parseXmlCst(text);
  } catch (e) {
    // The parser is built to recover; this guards the promise that bad input never throws.
    syntaxError(diagnostics, failureMessage(e), lines.range(0, 0));
    return { diagnostics };
  }
  for (const le of result.lexErrors) {
    syntaxError(diagnostics, `XML syntax error: ${le.message}`, lines.range(le.offset, le.offset + Math.max(1, le.length)));
  }
  for (const pe of result.parseErrors) {
    const t = pe.token;
    const range = t && typeof t.startOffset === 'number' && !Number.isNaN(t.startOffset) ? tokenRange(lines, t) : endOfText;
    const found = t && t.image ? `'${t.image}'` : 'end of file';
    syntaxError(
      diagnostics,
      `XML syntax error: ${firstLine(pe.message)
        .replace(/but found: .*$/, '')
        .trim()} (found ${found})`,
      range,
    );
  }

  let root: XmlElement | undefined;
  try {
    const element = (result.cst as unknown as CstNode<DocumentCtx>).children.element?.[0];
    root = element ? convertElement(element, undefined, lines, diagnostics) : undefined;
  } catch (e) {
    syntaxError(diagnostics, failureMessage(e), lines.range(0, 0));
    return { diagnostics };
  }
  if (!root && diagnostics.length === 0) syntaxError(diagnostics, 'no XML element found', lines.range(0, Math.min(text.length, 1)));
  return { root, diagnostics };
}

// The parts of the parser's CST read here. Token arrays are absent when the rule did not match
// them; recovery may insert placeholder tokens (isInsertedInRecovery) that stand for missing text.
interface CstToken {
  image: string;
  startOffset: number;
  endOffset: number;
  isInsertedInRecovery?: boolean;
}
interface CstNode<Ctx> {
  children: Ctx;
  location: { startOffset: number; endOffset: number };
}
interface DocumentCtx {
  element?: CstNode<ElementCtx>[];
}
interface ElementCtx {
  Name?: CstToken[];
  attribute?: CstNode<AttributeCtx>[];
  content?: CstNode<ContentCtx>[];
  END_NAME?: CstToken[];
}
interface AttributeCtx {
  Name?: CstToken[];
  STRING?: CstToken[];
}
interface ContentCtx {
  element?: CstNode<ElementCtx>[];
  chardata?: CstNode<{ TEXT?: CstToken[]; SEA_WS?: CstToken[] }>[];
}

/** The token a rule really matched, or undefined when it is missing or was invented by recovery. */
function realToken(tokens: CstToken[] | undefined): CstToken | undefined {
  const t = tokens?.[0];
  return t && t.isInsertedInRecovery !== true ? t : undefined;
}

/** One element of our tree from the CST; an element whose name is missing (`<` alone) is dropped. */
function convertElement(el: CstNode<ElementCtx>, parent: XmlElement | undefined, lines: LineMap, diagnostics: Diagnostic[]): XmlElement | undefined {
  const ctx = el.children;
  const nameTok = realToken(ctx.Name);
  if (!nameTok) return undefined;
  const out: XmlElement = {
    tag: nameTok.image,
    attributes: [],
    children: [],
    parent,
    range: lines.range(el.location.startOffset, el.location.endOffset + 1),
    nameRange: tokenRange(lines, nameTok),
    text: [],
  };
  const seen = new Map<string, XmlAttribute>();
  for (const a of ctx.attribute ?? []) {
    const keyTok = realToken(a.children.Name);
    if (!keyTok) continue;
    const name = keyTok.image;
    const keyRange = tokenRange(lines, keyTok);
    const valTok = realToken(a.children.STRING);
    const attr: XmlAttribute = {
      name,
      // The STRING token includes its quotes.
      value: valTok ? decodeXmlText(valTok.image.slice(1, -1)) : '',
      range: lines.range(a.location.startOffset, a.location.endOffset + 1),
      nameRange: keyRange,
      valueRange: valTok ? lines.range(valTok.startOffset + 1, Math.max(valTok.startOffset + 1, valTok.endOffset)) : keyRange,
    };
    if (!valTok) syntaxError(diagnostics, `attribute '${name}' on element '${out.tag}' has no value`, keyRange);
    const prev = seen.get(name);
    if (prev) {
      diagnostics.push({
        severity: 'error',
        message: `duplicate attribute '${name}' on element '${out.tag}'`,
        range: keyRange,
        code: 'xml-duplicate-attribute',
        related: [{ message: 'first given here', range: prev.nameRange }],
      });
      continue;
    }
    seen.set(name, attr);
    out.attributes.push(attr);
  }
  const close = realToken(ctx.END_NAME);
  if (close && close.image !== nameTok.image) {
    syntaxError(diagnostics, `end tag '</${close.image}>' does not match start tag '<${nameTok.image}>'`, tokenRange(lines, close));
  }
  const content = ctx.content?.[0]?.children;
  for (const chardata of content?.chardata ?? []) {
    // A chardata node holds one TEXT or SEA_WS token. SEA_WS is whitespace only: layout, not
    // content; so is TEXT that trims to nothing (a lone '\r', other Unicode spaces).
    const raw = chardata.children.TEXT?.[0]?.image;
    if (raw === undefined) continue;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const start = chardata.location.startOffset + (raw.length - raw.trimStart().length);
    out.text.push({ text: trimmed, range: lines.range(start, start + trimmed.length) });
  }
  for (const child of content?.element ?? []) {
    const c = convertElement(child, out, lines, diagnostics);
    if (c) out.children.push(c);
  }
  return out;
}

function syntaxError(diagnostics: Diagnostic[], message: string, range: SourceRange): void {
  diagnostics.push({ severity: 'error', message, range, code: 'xml-syntax' });
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
