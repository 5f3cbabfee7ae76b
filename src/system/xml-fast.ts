// A one-pass scanner for the well-formed XML that .system files are: an optional `<?xml ...?>`
// declaration, comments, elements with quoted attributes, and text without references. It builds
// the same tree as xml.ts's conversion of @xml-tools/parser's CST, about twenty times faster, so a
// server edit of a large system stays within a frame. Anything else (a syntax error, a duplicate
// attribute, DOCTYPE, CDATA, a reference in text, a non-ASCII name) returns undefined, and the full
// parser (with its recovery and messages) reads the text instead.

import { LineCursor, type LineMap } from '../common/line-starts';
import { decodeXmlText, type XmlAttribute, type XmlElement } from './xml-model';

const LT = 60,
  GT = 62,
  SLASH = 47,
  EQ = 61,
  QUOT = 34,
  APOS = 39,
  BANG = 33,
  QUESTION = 63,
  DASH = 45;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === DASH || c === 46;
}

class Bail extends Error {}

class Scanner {
  i = 0;
  private readonly lines: LineCursor;
  constructor(
    private readonly text: string,
    map: LineMap,
  ) {
    this.lines = new LineCursor(map);
  }

  fail(): never {
    throw new Bail();
  }

  code(): number {
    return this.text.charCodeAt(this.i);
  }

  skipSpace(): void {
    while (this.i < this.text.length && isSpace(this.code())) this.i++;
  }

  name(): string {
    const start = this.i;
    if (!isNameStart(this.code())) this.fail();
    while (this.i < this.text.length && isNameChar(this.code())) this.i++;
    return this.text.slice(start, this.i);
  }

  /** Comments and whitespace; a leading `<?xml ...?>` when `prolog`. */
  misc(prolog: boolean): void {
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('<!--', this.i)) {
        this.comment();
      } else if (prolog && this.i === 0 && this.text.startsWith('<?xml', 0) && isSpace(this.text.charCodeAt(5))) {
        this.declaration();
      } else return;
    }
  }

  /** `<?xml version="1.0" ...?>`: its pseudo-attributes read as attributes are. */
  declaration(): void {
    this.i = 5;
    const decl: XmlElement = { tag: 'xml', attributes: [], children: [], range: this.lines.range(0, 0), nameRange: this.lines.range(0, 0), text: [] };
    const seen = new Set<string>();
    for (;;) {
      const before = this.i;
      this.skipSpace();
      if (this.text.startsWith('?>', this.i)) {
        this.i += 2;
        return;
      }
      if (this.i === before) this.fail();
      this.attribute(decl, seen);
    }
  }

  /** At `<!--`: to the end of the comment, which may not hold `--`. */
  comment(): void {
    const end = this.text.indexOf('--', this.i + 4);
    if (end < 0 || this.text.charCodeAt(end + 2) !== GT) this.fail();
    this.i = end + 3;
  }

  attribute(el: XmlElement, seen: Set<string>): void {
    const start = this.i;
    const name = this.name();
    const nameEnd = this.i;
    this.skipSpace();
    if (this.code() !== EQ) this.fail();
    this.i++;
    this.skipSpace();
    const q = this.code();
    if (q !== QUOT && q !== APOS) this.fail();
    const open = this.i;
    const close = this.text.indexOf(q === QUOT ? '"' : "'", open + 1);
    if (close < 0) this.fail();
    const raw = this.text.slice(open + 1, close);
    if (raw.includes('<') || seen.has(name)) this.fail();
    seen.add(name);
    this.i = close + 1;
    const a: XmlAttribute = {
      name,
      value: raw.includes('&') ? decodeXmlText(raw) : raw,
      range: this.lines.range(start, close + 1),
      nameRange: this.lines.range(start, nameEnd),
      valueRange: this.lines.range(open + 1, Math.max(open + 1, close)),
    };
    el.attributes.push(a);
  }

  /** Text between tags: non-whitespace runs trimmed, as the full parser's conversion keeps them. */
  chardata(el: XmlElement, start: number, end: number): void {
    if (start >= end) return;
    const raw = this.text.slice(start, end);
    if (raw.includes('&') || raw.includes('>')) this.fail();
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const at = start + (raw.length - raw.trimStart().length);
    el.text.push({ text: trimmed, range: this.lines.range(at, at + trimmed.length) });
  }

  element(parent: XmlElement | undefined): XmlElement {
    const start = this.i;
    if (this.code() !== LT) this.fail();
    this.i++;
    const nameStart = this.i;
    const tag = this.name();
    const el: XmlElement = {
      tag,
      attributes: [],
      children: [],
      parent,
      range: this.lines.range(start, start),
      nameRange: this.lines.range(nameStart, this.i),
      text: [],
    };
    const seen = new Set<string>();
    for (;;) {
      const before = this.i;
      this.skipSpace();
      const c = this.code();
      if (c === SLASH) {
        if (this.text.charCodeAt(this.i + 1) !== GT) this.fail();
        this.i += 2;
        el.range = this.lines.range(start, this.i);
        return el;
      }
      if (c === GT) {
        this.i++;
        break;
      }
      if (this.i === before) this.fail();
      this.attribute(el, seen);
    }
    this.content(el);
    // At `</`.
    this.i += 2;
    if (this.name() !== tag) this.fail();
    this.skipSpace();
    if (this.code() !== GT) this.fail();
    this.i++;
    el.range = this.lines.range(start, this.i);
    return el;
  }

  content(el: XmlElement): void {
    let textStart = this.i;
    for (;;) {
      const lt = this.text.indexOf('<', this.i);
      if (lt < 0) this.fail();
      this.chardata(el, textStart, lt);
      this.i = lt;
      const next = this.text.charCodeAt(lt + 1);
      if (next === SLASH) return;
      if (next === BANG) {
        if (!this.text.startsWith('<!--', lt)) this.fail();
        this.comment();
      } else if (next === QUESTION) {
        this.fail();
      } else {
        el.children.push(this.element(el));
      }
      textStart = this.i;
    }
  }
}

/** The tree of a well-formed .system text, or undefined when the full parser must read it. */
export function parseWellFormedXml(text: string, lines: LineMap): XmlElement | undefined {
  const s = new Scanner(text, lines);
  try {
    s.misc(true);
    if (s.code() !== LT) return undefined;
    const root = s.element(undefined);
    s.misc(false);
    if (s.i !== text.length) return undefined;
    return root;
  } catch (e) {
    if (e instanceof Bail || e instanceof RangeError) return undefined;
    throw e;
  }
}
