// A small JSON reader that keeps positions, so project-file diagnostics point at the key or value
// to fix (JSON.parse gives none). Strict JSON; errors are diagnostics, never exceptions.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { LineMap } from '../common/line-starts';

export type JsonValue =
  | { kind: 'object'; members: JsonMember[]; range: SourceRange }
  | { kind: 'array'; items: JsonValue[]; range: SourceRange }
  | { kind: 'string'; value: string; range: SourceRange }
  | { kind: 'number'; value: number; range: SourceRange }
  | { kind: 'boolean'; value: boolean; range: SourceRange }
  | { kind: 'null'; range: SourceRange };

export interface JsonMember {
  key: string;
  keyRange: SourceRange;
  value: JsonValue;
}

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

/** Nesting deeper than this is refused, so a hostile file cannot exhaust the stack. */
const MAX_DEPTH = 200;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** A recursive-descent reader over `text`; each method starts at `pos` and leaves it after what it read. */
class JsonReader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lines: LineMap,
  ) {}

  /** The whole text as one value, with nothing but white space after it. */
  document(): JsonValue {
    const v = this.value(0);
    this.skipWhiteSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(message: string): never {
    throw new SyntaxFailure(message, this.pos);
  }

  private skipWhiteSpace(): void {
    const t = this.text;
    while (this.pos < t.length && (t[this.pos] === ' ' || t[this.pos] === '\t' || t[this.pos] === '\n' || t[this.pos] === '\r')) this.pos++;
  }

  /** Steps over `c` if it is next. */
  private eat(c: string): boolean {
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private rangeFrom(start: number): SourceRange {
    return this.lines.range(start, this.pos);
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipWhiteSpace();
    const start = this.pos;
    const c = this.text[start];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      const value = this.string();
      return { kind: 'string', value, range: this.rangeFrom(start) };
    }
    for (const [word, v] of LITERALS) {
      if (this.text.startsWith(word, start)) {
        this.pos += word.length;
        return v === null ? { kind: 'null', range: this.rangeFrom(start) } : { kind: 'boolean', value: v, range: this.rangeFrom(start) };
      }
    }
    if (c === '-' || isDigit(c)) return this.number();
    return this.fail(start >= this.text.length ? 'unexpected end of file' : `unexpected character '${c}'`);
  }

  private object(depth: number): JsonValue {
    const start = this.pos++;
    const members: JsonMember[] = [];
    this.skipWhiteSpace();
    if (!this.eat('}')) {
      do {
        this.skipWhiteSpace();
        if (this.text[this.pos] !== '"') this.fail('expected a property name in double quotes');
        const keyStart = this.pos;
        const key = this.string();
        const keyRange = this.rangeFrom(keyStart);
        this.skipWhiteSpace();
        if (!this.eat(':')) this.fail("expected ':'");
        members.push({ key, keyRange, value: this.value(depth + 1) });
        this.skipWhiteSpace();
      } while (this.eat(','));
      if (!this.eat('}')) this.fail("expected ',' or '}'");
    }
    return { kind: 'object', members, range: this.rangeFrom(start) };
  }

  private array(depth: number): JsonValue {
    const start = this.pos++;
    const items: JsonValue[] = [];
    this.skipWhiteSpace();
    if (!this.eat(']')) {
      do {
        items.push(this.value(depth + 1));
        this.skipWhiteSpace();
      } while (this.eat(','));
      if (!this.eat(']')) this.fail("expected ',' or ']'");
    }
    return { kind: 'array', items, range: this.rangeFrom(start) };
  }

  /** A string from its opening quote to its closing one, escapes decoded. */
  private string(): string {
    const t = this.text;
    this.pos++;
    let out = '';
    while (true) {
      if (this.pos >= t.length) this.fail('unterminated string');
      const c = t[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') out += this.escape();
      else if (c.charCodeAt(0) < 0x20) this.fail('control character in string');
      else {
        out += c;
        this.pos++;
      }
    }
  }

  /** The character a backslash escape stands for. */
  private escape(): string {
    const e = this.text[this.pos + 1];
    if (e !== undefined && SIMPLE_ESCAPES[e] !== undefined) {
      this.pos += 2;
      return SIMPLE_ESCAPES[e];
    }
    if (e !== 'u') this.fail('invalid escape in string');
    const hex = this.text.slice(this.pos + 2, this.pos + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
    this.pos += 6;
    return String.fromCharCode(parseInt(hex, 16));
  }

  /** A number: optional minus, digits, optional fraction, optional exponent. */
  private number(): JsonValue {
    const start = this.pos;
    let j = start + (this.text[start] === '-' ? 1 : 0);
    const digits = (): void => {
      const first = j;
      while (isDigit(this.text[j])) j++;
      if (j === first) {
        this.pos = j;
        this.fail('invalid number');
      }
    };
    digits();
    if (this.text[j] === '.') {
      j++;
      digits();
    }
    if (this.text[j] === 'e' || this.text[j] === 'E') {
      j++;
      if (this.text[j] === '+' || this.text[j] === '-') j++;
      digits();
    }
    this.pos = j;
    return { kind: 'number', value: Number(this.text.slice(start, j)), range: this.rangeFrom(start) };
  }
}

export function parseJson(file: string, text: string): { value?: JsonValue; diagnostics: Diagnostic[] } {
  const lines = new LineMap(file, text);
  try {
    return { value: new JsonReader(text, lines).document(), diagnostics: [] };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `JSON syntax error: ${e.message}`,
          range: lines.range(e.offset, Math.min(text.length, e.offset + 1)),
          code: 'project-json-syntax',
        },
      ],
    };
  }
}

export function member(obj: JsonValue | undefined, key: string): JsonMember | undefined {
  return obj?.kind === 'object' ? obj.members.find((m) => m.key === key) : undefined;
}
