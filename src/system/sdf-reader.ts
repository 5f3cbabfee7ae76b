// Reading one element's attributes as the microkit tool does (sdf.rs check_attributes,
// checked_lookup, sdf_parse_number, str_to_bool, value_error), with the tool's message text and
// the attribute's place. Unlike the tool, which stops at the first error, a bad value is reported
// and read as its default, so an editor sees every problem.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { attribute, type ProtectionDomain, type SystemModel } from './model';
import type { SystemRuleCode } from './rule-table';
import { knownIn, SDF_ELEMENTS, sdfAttribute, versionNote } from './sdf-schema';
import type { SystemTarget } from './target';
import type { XmlAttribute, XmlElement } from './xml';

/** Why Rust's integer parsing fails, in its own words (core::num::ParseIntError's Display). */
type IntError = 'cannot parse integer from empty string' | 'invalid digit found in string' | 'number too large to fit in target type';

/** Rust's from_str_radix for u64: an optional '+', then digits of the radix. */
function parseRadix(body: string, radix: 10 | 16, max: bigint): bigint | IntError {
  const digits = body.startsWith('+') ? body.slice(1) : body;
  if (body === '') return 'cannot parse integer from empty string';
  if (digits === '') return 'invalid digit found in string';
  for (const c of digits.toLowerCase()) {
    const ok = (c >= '0' && c <= '9') || (radix === 16 && c >= 'a' && c <= 'f');
    if (!ok) return 'invalid digit found in string';
  }
  const v = BigInt(radix === 16 ? '0x' + digits : digits);
  return v > max ? 'number too large to fit in target type' : v;
}

/** sdf_parse_number: decimal, or hex after "0x"; underscores are ignored; u64. */
function sdfNumber(s: string): bigint | IntError {
  let digits = '';
  for (const c of s) if (c !== '_') digits += c;
  return digits.startsWith('0x') ? parseRadix(digits.slice(2), 16, 0xffffffffffffffffn) : parseRadix(digits, 10, 0xffffffffffffffffn);
}

/** Parse a number as the tool does: decimal, or hex after "0x"; underscores are ignored; u64. */
export function parseSdfNumber(s: string): number | undefined {
  const v = sdfNumber(s);
  return typeof v === 'bigint' ? Number(v) : undefined;
}

/** Rust's `str::parse::<i64>()`: decimal only, an optional sign. */
function parseI64(s: string): bigint | IntError {
  if (s.startsWith('-')) {
    const v = parseRadix(s.slice(1), 10, 0x8000000000000000n);
    if (s === '-') return 'invalid digit found in string';
    return typeof v === 'bigint' ? -v : v === 'number too large to fit in target type' ? 'number too large to fit in target type' : v;
  }
  return parseRadix(s, 10, 0x7fffffffffffffffn);
}

export class ElementReader {
  constructor(
    private readonly diags: Diagnostic[],
    readonly target: SystemTarget,
  ) {}

  error(message: string, range: SourceRange, code: SystemRuleCode, subject?: string): void {
    this.diags.push({ severity: 'error', message, range, code, subject });
  }

  /** value_error: "<what> on element '<tag>'", at the attribute when there is one. */
  valueError(el: XmlElement, what: string, code: SystemRuleCode, attr?: string | XmlAttribute): void {
    const a = typeof attr === 'string' ? attribute(el, attr) : attr;
    this.error(`${what} on element '${el.tag}'`, a ? a.valueRange : el.nameRange, code);
  }

  /**
   * check_attributes: anything outside `allowed` is an error, and so is an attribute the selected
   * release does not have yet (or no longer has), with the release that changed it.
   */
  allowOnly(el: XmlElement, allowed: readonly string[]): void {
    const version = this.target.version;
    for (const a of el.attributes) {
      const known = sdfAttribute(el.tag, a.name);
      if (!allowed.includes(a.name)) {
        this.error(`invalid attribute '${a.name}' on element '${el.tag}'${versionNote(known, version)}`, a.nameRange, 'sdf-invalid-attribute');
      } else if (!knownIn(known, version)) {
        this.error(`invalid attribute '${a.name}' on element '${el.tag}'${versionNote(known, version)}`, a.nameRange, 'sdf-version');
      }
    }
  }

  /** An element the selected release does not have yet: reported, then read as the newest release reads it. */
  elementKnown(el: XmlElement): boolean {
    const known = SDF_ELEMENTS[el.tag];
    if (knownIn(known, this.target.version)) return true;
    this.error(`invalid XML element '${el.tag}'${versionNote(known, this.target.version)}`, el.nameRange, 'sdf-version');
    return false;
  }

  required(el: XmlElement, name: string): XmlAttribute | undefined {
    const a = attribute(el, name);
    if (!a) this.error(`Missing required attribute '${name}' on element '${el.tag}'`, el.nameRange, 'sdf-missing-attribute');
    return a;
  }

  /** sdf_parse_number on an attribute. */
  number(el: XmlElement, a: XmlAttribute | undefined): number | undefined {
    if (!a) return undefined;
    const v = sdfNumber(a.value);
    if (typeof v === 'bigint') return Number(v);
    this.error(`failed to parse integer '${a.value}' on element '${el.tag}': ${v}`, a.valueRange, 'sdf-invalid-number');
    return undefined;
  }

  /**
   * Attributes the tool reads with `parse::<i64>().unwrap()` (ids, irq, pin, vector, handle, port
   * sizes): decimal only, and anything else stops the tool with a panic rather than a message.
   */
  decimal(el: XmlElement, a: XmlAttribute | undefined, unsigned = false): number | undefined {
    if (!a) return undefined;
    const v = unsigned && a.value.startsWith('-') ? 'invalid digit found in string' : parseI64(a.value);
    if (typeof v === 'bigint') return Number(v);
    this.error(
      `failed to parse integer '${a.value}' on element '${el.tag}': ${v} (the tool reads '${a.name}' as a decimal number and panics on anything else)`,
      a.valueRange,
      'sdf-invalid-number',
    );
    return undefined;
  }

  optNumber(el: XmlElement, name: string, fallback: number): number {
    return this.number(el, attribute(el, name)) ?? fallback;
  }

  reqNumber(el: XmlElement, name: string): number | undefined {
    return this.number(el, this.required(el, name));
  }

  reqDecimal(el: XmlElement, name: string, unsigned = false): number | undefined {
    return this.decimal(el, this.required(el, name), unsigned);
  }

  bool(el: XmlElement, name: string, fallback: boolean): boolean {
    const a = attribute(el, name);
    if (!a) return fallback;
    if (a.value === 'true') return true;
    if (a.value === 'false') return false;
    this.error(`${name} must be 'true' or 'false' on element '${el.tag}'`, a.valueRange, 'sdf-invalid-boolean');
    return fallback;
  }

  /** A number that must lie in [min, max]; out of range reports `what` and returns undefined. */
  ranged(el: XmlElement, name: string, v: number | undefined, min: number, max: number, what: string): number | undefined {
    if (v === undefined) return undefined;
    if (v < min || v > max) {
      this.valueError(el, v < min && min === 0 ? 'id must be >= 0' : what, 'sdf-out-of-range', name);
      return undefined;
    }
    return v;
  }

  /** A form the selected release rejects but an older one accepted, read as the older one did. */
  legacy(message: string, range: SourceRange): void {
    this.diags.push({ severity: 'info', message, range, code: 'sdf-legacy-form' });
  }

  noText(el: XmlElement): void {
    for (const t of el.text) this.error(`unexpected text found in element '${el.tag}'`, t.range, 'sdf-unexpected-text');
  }

  invalidElement(el: XmlElement, message = `invalid XML element '${el.tag}'`): void {
    this.error(message, el.nameRange, 'sdf-invalid-element');
  }
}

/** Every setvar symbol of each PD so far: one look-up per symbol (sdf.rs checked_add_setvar). */
export class SetvarSymbols {
  private readonly byPd = new Map<ProtectionDomain, Set<string>>();

  /** Adds `symbol` to the PD's symbols; false (after reporting at `el`) when it is already there. */
  add(r: ElementReader, pd: ProtectionDomain, symbol: string | undefined, el: XmlElement): boolean {
    if (symbol === undefined) return true;
    let set = this.byPd.get(pd);
    if (!set) this.byPd.set(pd, (set = new Set()));
    if (set.has(symbol)) {
      const a = el.attributes.find((x) => x.value === symbol && (x.name.startsWith('setvar') || x.name === 'symbol'));
      r.error(`setvar on symbol '${symbol}' already exists on element '${el.tag}'`, a ? a.valueRange : el.nameRange, 'sdf-duplicate-setvar');
      return false;
    }
    set.add(symbol);
    return true;
  }
}

/** What parsing one file shares across elements. */
export interface ParseState {
  r: ElementReader;
  target: SystemTarget;
  symbols: SetvarSymbols;
  model: SystemModel;
}
