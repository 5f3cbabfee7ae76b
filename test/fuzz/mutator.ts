// The fuzzer's mutator: a seeded PRNG and byte/char/token/line-level mutations of seed files, plus
// hostile snippets (self-inclusion, #define chains, huge literals, deep nesting, CR-only line
// endings, NULs, invalid UTF-8). Everything is a function of the seed: case (seed, index) is always
// the same bytes, so a failure re-runs from its seed.

/** sfc32: small, fast, good enough, and seeded from four 32-bit words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(...seed: number[]) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = 1;
    for (const s of seed) {
      this.a ^= s >>> 0;
      this.b ^= Math.imul(s, 0x85ebca6b) >>> 0;
      for (let i = 0; i < 4; i++) this.next();
    }
    for (let i = 0; i < 12; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** 0 <= r < n */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** Small lengths mostly, sometimes large: 1, 2, 4 ... up to `max`. */
  size(max: number): number {
    const bits = this.int(Math.max(1, Math.ceil(Math.log2(max + 1))) + 1);
    return Math.min(max, 1 + this.int(2 ** bits));
  }
}

/** Scale of the hostile snippets: the quick pass keeps them small enough to run in ~30 s. */
export interface MutationScale {
  /** Longest huge literal / repeated run, in characters. */
  huge: number;
  /** Deepest nesting. */
  deep: number;
  /** Most mutations stacked on one case. */
  maxMutations: number;
}

export const QUICK_SCALE: MutationScale = { huge: 20_000, deep: 300, maxMutations: 6 };
export const LONG_SCALE: MutationScale = { huge: 200_000, deep: 3000, maxMutations: 10 };

export type Kind = 'dts' | 'system' | 'json';

const TOKEN_RE = /\s+|[A-Za-z_#][\w,.#@+-]*|0[xX][0-9a-fA-F]+|\d+|"(?:[^"\\\n]|\\.)*"?|\/\*|\*\/|\/\/|<\/?|\/?>|&\{?|./gs;

export function tokens(s: string): string[] {
  return s.match(TOKEN_RE) ?? [];
}

function lineStarts(s: string): number[] {
  const out = [0];
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

/** A position at a line boundary (directives need it). */
function lineBoundary(rng: Rng, s: string): number {
  const starts = lineStarts(s);
  return rng.pick(starts);
}

function repeat(str: string, n: number): string {
  return str.repeat(Math.max(0, n));
}

/** Hostile snippets for one kind of file; `self` is the mutated file's base name. */
function hostile(rng: Rng, kind: Kind, self: string, scale: MutationScale): string {
  const n = rng.size(scale.huge);
  const d = rng.size(scale.deep);
  const common = [
    () => '\0',
    () => repeat('\0', rng.size(64)),
    () => '\r',
    () => '\uFEFF',
    () => '\uD800',
    () => '\uDFFF\uD83D',
    () => '\u{1F600}\u0301',
    () => '\u2028',
    () => repeat('a', n),
    () => repeat(' ', n),
    () => repeat('\n', rng.size(5000)),
  ];
  const dts = [
    () => `/include/ "${self}"\n`,
    () => `#include "${self}"\n`,
    () => `/include/ "${self}"\n/include/ "${self}"\n`,
    () => `#include "${self}"\n#include "${self}"\n`,
    () => `#include <${self}>\n`,
    () => `/include/ "/dev/zero"\n`,
    () => `#include "nonexistent/../../x.h"\n`,
    () => {
      const k = 2 + rng.int(6),
        w = 2 + rng.int(4);
      let out = `#define M0 ${rng.pick([';', 'x', '1', '<1>', '"s"', 'p;'])}\n`;
      for (let i = 1; i <= k; i++) out += `#define M${i} ${repeat(`M${i - 1} `, w)}\n`;
      return out + `M${k}\n`;
    },
    () => '#define X X\nX\n',
    () => '#define F(x) F(x) x G(x)\n#define G(y) F(y)\nF(1)\n',
    () => '#define H(a, ...) a ## __VA_ARGS__ #a\nH(,) H(1,2,3) H(\n',
    () => `#if ${repeat('(', d)}1${repeat(')', d)}\n#endif\n`,
    () => `${repeat('#if 1\n', d)}${repeat('#endif\n', rng.int(d + 1))}`,
    () => '#if 1/0\n#elif\n#else\n#else\n',
    () => '#if 0x7fffffffffffffff * 2 + -9223372036854775807 - 1 % 0\n#endif\n',
    () => `#line ${rng.pick(['0', '4294967296', '99999999999999999999', '-1'])} "${rng.pick(['', 'x', self, '\\'])}"\n`,
    () => `# ${rng.int(100000)} "${self}" 1 3\n`,
    () => '#pragma once\n#error stop\n#warning w\n',
    () => '__COUNTER__ __LINE__ __FILE__ __TIMESTAMP__ __DATE__ __TIME__ __INCLUDE_LEVEL__\n',
    () => '\\\n',
    () => `/ { p = <0x${repeat('f', n)}>; };\n`,
    () => `/ { p = <${repeat('9', n)}>; };\n`,
    () => `/ { p = "${repeat('x', n)}"; };\n`,
    () => `/ { p = [${repeat('00', n >> 1)}]; };\n`,
    () => `/ { p = <'${repeat('a', n)}'>; };\n`,
    () => `/ { p = <${repeat('(', d)}1${repeat(')', d)}>; };\n`,
    () => `/ { p = <(${repeat('-', d)}1)>; q = <(1 << 64) (1 / 0) (1 % 0) (0 ? 1 : 2)>; };\n`,
    () => `/ { ${repeat('n {', d)}${repeat('};', d)} };\n`,
    () => `/ { ${repeat('n {', d)}\n`,
    () => `/ { ${repeat('l: ', rng.size(2000))}x { }; };\n`,
    () => `/ { n { ${repeat('p; ', rng.size(300))}}; };\n`,
    () => `/ { ${repeat('n { }; ', rng.size(300))}};\n`,
    () => '&{/} { }; &{/a/b/c} { }; &nolabel { }; /delete-node/ &nolabel; /delete-node/ &{/};\n',
    () => '/ { a: n { p = <&a &{/n} &missing>; q = &a; r = &{/n/}; phandle = <1>; linux,phandle = <2>; }; };\n',
    () => '/ { x: x: n { }; m { x: p; }; }; /omit-if-no-ref/ &x;\n',
    () => '/plugin/;\n/dts-v1/;\n',
    () => '/dts-v1/; /dts-v1/; /memreserve/ 0 0xffffffffffffffff; /memreserve/ 0xffffffffffffffff 1;\n',
    () => `/ { p = /incbin/("${self}", 0, 0x7fffffff); q = /incbin/("${self}", 0xffffffffffffffff, 1); r = /bits/ 64 <1>, /bits/ 7 <1>; };\n`,
    () => '/ { p = <1>, "s", [ab], &{/}; #address-cells = <0xffffffff>; #size-cells = <3>; reg = <1 2 3 4 5>; ranges = <1>; };\n',
    () => '/ { __overlay__ { }; __symbols__ { a = "/x"; }; __fixups__ { b = "/x:p:0"; }; aliases { serial0 = &{/nope}; 1bad = "/"; }; };\n',
    () => '/*',
    () => '"',
    () => "'",
    () => '<',
    () => '};',
    () => '{',
    () => '//',
  ];
  const system = [
    () => `${repeat('<a>', d)}${repeat('</a>', rng.int(d + 1))}`,
    () => '<!DOCTYPE system [<!ENTITY a "&a;&a;"><!ENTITY b SYSTEM "/dev/zero">]>\n',
    () => '&#xFFFFFFFF; &#0; &#x110000; &unknown; &amp',
    () => '<![CDATA[ ]]> <?pi x?> <!-- -- -->',
    () => `<memory_region name="m${rng.int(5)}" size="0x${repeat('f', rng.size(40))}" page_size="0x1000" phys_addr="0x${repeat('0', rng.size(40))}1"/>`,
    () => `<memory_region name="big" size="${rng.pick(['0x1000000000', '0x1000000000000000', '-1', '1e9', '0x', '0b1', '99999999999999999999999'])}"/>`,
    () =>
      `<map mr="${rng.pick(['m', 'big', '', 'guest_ram'])}" vaddr="0x${rng.int(1 << 30).toString(16)}" perms="${rng.pick(['rw', 'rwx', 'x', '', 'zz'])}" cached="${rng.pick(['true', 'false', 'maybe'])}" setvar_vaddr="v"/>\n`,
    () => repeat(`<map mr="m" vaddr="0x${rng.int(1 << 20).toString(16)}000" perms="r"/>\n`, rng.size(200)),
    () =>
      `<protection_domain name="p${rng.int(100)}" priority="${rng.pick(['255', '256', '-1', '0x10', ''])}" budget="0" period="1" passive="maybe" pp="true">${repeat('<protection_domain name="c" id="1">', rng.size(70))}`,
    () =>
      `<channel><end pd="${rng.pick(['p', 'a', 'uart_driver', ''])}" id="${rng.pick(['0', '63', '64', '-1', 'x'])}" pp="true" notify="false"/><end pd="b" id="1"/></channel>`,
    () => '<virtual_machine name="vm" id="0" priority="1"><vcpu id="0"/><vcpu id="0"/><map mr="m" vaddr="0x0"/></virtual_machine>',
    () => '<irq irq="4294967296" id="70" trigger="edge"/>',
    () => `<${repeat('x', n)}/>`,
    () => `<a b="${repeat('c', n)}"/>`,
    () => '<system>',
    () => '</system>',
    () => '<?xml version="1.0" encoding="UTF-16"?>',
    () => '<',
    () => '>',
    () => '"',
    () => '/>',
    () => '<!--',
  ];
  const json = [
    () => `${repeat('[', d)}${repeat(']', rng.int(d + 1))}`,
    () => `${repeat('{"a":', d)}1${repeat('}', rng.int(d + 1))}`,
    () => '"guests": {"vm": {"dts": ["/dev/zero", "dual-guest.json", "", "../../../etc/passwd"], "initrd": "/dev/zero", "includePaths": ["/", ".."]}},',
    () => `"system": "${rng.pick(['', '/dev/zero', 'dual-guest.json', 'none.system', '.'])}",`,
    () => '"serial": {"baud": 1e999, "switchChar": "", "clientBase": -1, "beginString": "\\uD800\\u0000"},',
    () => '"virtio": {"base": "0xffffffffffffffffff", "size": "0x", "spi": 1e308},',
    () => '"roles": {"clients": [1, null, "x", {}]},',
    () => `${repeat('9', n)}`,
    () => '"\\u',
    () => '"',
    () => ',',
    () => '}',
    () => '{',
    () => ':',
    () => 'null',
    () => '1e',
    () => '-0.0e-400',
    () => '"\\x"',
    () => '"a": 1, "a": 2,',
  ];
  const table = kind === 'dts' ? dts : kind === 'system' ? system : json;
  return (rng.chance(0.8) ? rng.pick(table) : rng.pick(common))();
}

export interface MutateOptions {
  kind: Kind;
  /** The mutated file's base name (for self-inclusion). */
  self: string;
  /** Other seed texts, for splicing. */
  donors: readonly string[];
  scale: MutationScale;
}

/** One mutation of `s`. */
export function mutateOnce(rng: Rng, s: string, o: MutateOptions): string {
  const len = s.length;
  const at = rng.int(len + 1);
  const span = Math.min(len - at, rng.size(Math.max(1, len >> 3)));
  switch (rng.int(14)) {
    case 0:
      return s.slice(0, at) + s.slice(at + span); // delete chars
    case 1:
      return s.slice(0, at) + s.slice(at, at + span) + s.slice(at); // duplicate chars
    case 2: {
      // swap two adjacent chunks
      const b = Math.min(len, at + span),
        e = Math.min(len, b + rng.size(64));
      return s.slice(0, at) + s.slice(b, e) + s.slice(at, b) + s.slice(e);
    }
    case 3:
    case 4: {
      // token-level delete / duplicate / swap / replace from a donor
      const t = tokens(s);
      if (t.length === 0) return s;
      const i = rng.int(t.length);
      const op = rng.int(4);
      if (op === 0) t.splice(i, rng.size(4));
      else if (op === 1) t.splice(i, 0, ...t.slice(i, i + rng.size(4)));
      else if (op === 2) {
        const j = rng.int(t.length);
        [t[i], t[j]] = [t[j], t[i]];
      } else {
        const donor = tokens(rng.pick(o.donors.length ? o.donors : [s]));
        if (donor.length) t[i] = rng.pick(donor);
      }
      return t.join('');
    }
    case 5: {
      // line-level delete / duplicate / swap
      const lines = s.split('\n');
      const i = rng.int(lines.length),
        j = rng.int(lines.length);
      const op = rng.int(3);
      if (op === 0) lines.splice(i, rng.size(8));
      else if (op === 1) lines.splice(i, 0, ...lines.slice(i, i + rng.size(8)));
      else [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 6: {
      // splice a chunk of another seed
      const donor = rng.pick(o.donors.length ? o.donors : [s]);
      const from = rng.int(donor.length + 1);
      return s.slice(0, at) + donor.slice(from, from + rng.size(2000)) + s.slice(at);
    }
    case 7:
    case 8:
    case 9: {
      // hostile snippet at a line boundary
      const b = lineBoundary(rng, s);
      return s.slice(0, b) + hostile(rng, o.kind, o.self, o.scale) + s.slice(b);
    }
    case 10: // hostile snippet anywhere
      return s.slice(0, at) + hostile(rng, o.kind, o.self, o.scale) + s.slice(at);
    case 11: {
      // line endings: CR only, CRLF, or mixed
      const op = rng.int(3);
      if (op === 0) return s.replace(/\r?\n/g, '\r');
      if (op === 1) return s.replace(/\r?\n/g, '\r\n');
      return s.replace(/\n/g, () => rng.pick(['\n', '\r', '\r\n', '\n\r']));
    }
    case 12: {
      // one character: a random code unit or a structural one
      const c = rng.chance(0.5)
        ? String.fromCharCode(rng.int(0x80))
        : rng.pick(['{', '}', ';', '<', '>', '"', '/', '\\', '#', '&', '\0', '\uFFFD', '\uD800', 'é']);
      return s.slice(0, at) + c + s.slice(at + (rng.chance(0.5) ? 1 : 0));
    }
    default: // truncate
      return s.slice(0, at);
  }
}

/** A seed's mutated text, and (sometimes) its bytes with invalid UTF-8 spliced in. */
export function mutate(rng: Rng, seed: string, o: MutateOptions): string | Uint8Array {
  let s = seed;
  const n = 1 + rng.int(o.scale.maxMutations);
  for (let i = 0; i < n; i++) {
    s = mutateOnce(rng, s, o);
    // Keep a case from snowballing past what one case may cost.
    if (s.length > 4 * o.scale.huge + seed.length * 4) s = s.slice(0, 4 * o.scale.huge + seed.length * 4);
  }
  if (!rng.chance(0.06)) return s;
  const bytes = new TextEncoder().encode(s);
  const bad = rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0x80], [0xfe, 0xff]]);
  const at = rng.int(bytes.length + 1);
  const out = new Uint8Array(bytes.length + bad.length);
  out.set(bytes.subarray(0, at));
  out.set(bad, at);
  out.set(bytes.subarray(at), at + bad.length);
  return out;
}
