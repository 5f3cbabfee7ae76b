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
  constructor(readonly message: string, readonly offset: number) {}
}

export function parseJson(file: string, text: string): { value?: JsonValue; diagnostics: Diagnostic[] } {
  const lines = new LineMap(file, text);
  let i = 0;
  const fail = (message: string): never => {
    throw new SyntaxFailure(message, i);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    while (true) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === 'u') {
          const h = text.slice(i + 2, i + 6);
          const code = h.length === 4 && [...h].every((d) => '0123456789abcdefABCDEF'.includes(d)) ? parseInt(h, 16) : NaN;
          if (Number.isNaN(code)) fail('invalid \\u escape');
          out += String.fromCharCode(code);
          i += 6;
        } else fail('invalid escape in string');
      } else if (c.charCodeAt(0) < 0x20) fail('control character in string');
      else {
        out += c;
        i++;
      }
    }
  };
  const depthLimit = 200;
  const value = (depth: number): JsonValue => {
    if (depth > depthLimit) fail('nesting too deep');
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members: JsonMember[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', members, range: lines.range(start, i) };
      }
      while (true) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        const ks = i;
        const key = str();
        const keyRange = lines.range(ks, i);
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        members.push({ key, keyRange, value: value(depth + 1) });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { kind: 'object', members, range: lines.range(start, i) };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items, range: lines.range(start, i) };
      }
      while (true) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { kind: 'array', items, range: lines.range(start, i) };
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') {
      const s = str();
      return { kind: 'string', value: s, range: lines.range(start, i) };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v === null ? { kind: 'null', range: lines.range(start, i) } : { kind: 'boolean', value: v, range: lines.range(start, i) };
      }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      let j = i + (c === '-' ? 1 : 0);
      const digits = (): void => {
        const s = j;
        while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
        if (j === s) {
          i = j;
          fail('invalid number');
        }
      };
      digits();
      if (text[j] === '.') {
        j++;
        digits();
      }
      if (text[j] === 'e' || text[j] === 'E') {
        j++;
        if (text[j] === '+' || text[j] === '-') j++;
        digits();
      }
      const n = Number(text.slice(i, j));
      i = j;
      return { kind: 'number', value: n, range: lines.range(start, i) };
    }
    return fail(i >= text.length ? 'unexpected end of file' : `unexpected character '${c}'`);
  };
  try {
    const v = value(0);
    ws();
    if (i < text.length) fail('unexpected text after the JSON value');
    return { value: v, diagnostics: [] };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return { diagnostics: [{ severity: 'error', message: `JSON syntax error: ${e.message}`, range: lines.range(e.offset, Math.min(text.length, e.offset + 1)), code: 'project-json-syntax' }] };
  }
}

export function member(obj: JsonValue | undefined, key: string): JsonMember | undefined {
  return obj?.kind === 'object' ? obj.members.find((m) => m.key === key) : undefined;
}
