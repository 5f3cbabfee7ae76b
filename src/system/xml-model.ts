// The positioned XML tree of a .system (xml.ts builds it, xml-fast.ts too for well-formed text).
import type { Diagnostic, SourceRange } from '../common/diagnostics';

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
