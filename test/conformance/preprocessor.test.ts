// The preprocessor against real inputs and real tools:
// - every corpus source preprocesses without throwing, and text without directives is unchanged;
// - dtc 1.6.1 compiles our output of the cpp-produced board tree to the same DTB as the original,
//   and every position dtc reports on our output, mapped back through our source map, is the
//   position dtc reports on the original (files named by line markers, lines and columns);
// - on DTS-style sources written here (dt-bindings headers, function-like cell macros,
//   continuations, conditionals) our output has the same tokens as `cpp -x assembler-with-cpp`.
// - every predefined macro (the -dM list and the dynamic ones, __TIMESTAMP__ by file times set on
//   disk, __DATE__/__TIME__ by SOURCE_DATE_EPOCH) expands as cpp's and warns where cpp warns.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { preprocess, needsPreprocessing, type PreprocessResult } from '../../src/devicetree/preprocessor';
import { PREDEFINED_MACROS } from '../../src/devicetree/preprocessor/predefined';
import type { BuildClock } from '../../src/common/host';
import { NodeFileHost } from '../../src/node/file-host';
import { corpusPath } from './corpus';

const host = new NodeFileHost();

function pp(file: string, includePaths: string[] = []): PreprocessResult {
  return preprocess(file, readFileSync(file, 'utf8'), { includePaths, host });
}

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(dts|dtsi|h)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** dtc on a file or (file undefined) on `input` through stdin: exit status, DTB and stderr. */
function dtc(file: string | undefined, input?: string, cwd?: string): { status: number | null; dtb: Buffer; stderr: string } {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'pp-dtc-')), 'out.dtb');
  const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, file ?? '-'], { input, cwd, timeout: 60_000 });
  const q = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', file ?? '-'], { input, cwd, encoding: 'utf8', timeout: 60_000 });
  assert.ok(r.error === undefined, `dtc must be installed: ${r.error?.message}`);
  let dtb = Buffer.alloc(0);
  try {
    dtb = readFileSync(out);
  } catch {
    /* rejected input: no DTB */
  }
  rmSync(path.dirname(out), { recursive: true, force: true });
  return { status: r.status, dtb, stderr: q.stderr };
}

/** `file:L.C-L.C` (or `file:L.C-C`) positions in dtc's messages, 1-based as dtc prints them. */
function dtcPositions(stderr: string): { file: string; line: number; col: number; text: string }[] {
  const out: { file: string; line: number; col: number; text: string }[] = [];
  for (const l of stderr.split('\n')) {
    const m = /^(.*?):(\d+)\.(\d+)-(?:\d+\.)?\d+: (.*)$/.exec(l);
    if (m) out.push({ file: m[1], line: Number(m[2]), col: Number(m[3]), text: m[4] });
  }
  return out;
}

describe('preprocessor on the corpus', () => {
  it('preprocesses every source without throwing; text without directives passes unchanged', () => {
    const files = sourcesUnder(corpusPath());
    assert.ok(files.length > 150, `${files.length} corpus sources`);
    let unchanged = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const r = preprocess(f, text, { includePaths: [path.dirname(f)], host });
      if (!needsPreprocessing(text)) {
        assert.strictEqual(r.text, text, f);
        unchanged++;
      }
    }
    assert.ok(unchanged > 140, `${unchanged} files without directives`);
  });

  it('line_directives.dts: positions follow #line and # N "file" markers as dtc reads them', () => {
    const file = corpusPath('dtc-tests', 'line_directives.dts');
    const r = pp(file);
    assert.deepStrictEqual(r.diagnostics, []);
    const dir = path.dirname(file);
    const at = (needle: string) => {
      const p = r.map.positionAt(r.text.indexOf(needle));
      return `${path.relative(dir, p.file)}:${p.line + 1}`;
    };
    assert.strictEqual(at('/ {'), 'bar.dts:7');
    assert.strictEqual(at('0x12345678'), 'qux.dts:10');
    assert.strictEqual(at('};'), '\\.dts:200');
    // dtc compiles the original and our output to the same blob.
    const a = dtc(file),
      b = dtc(undefined, r.text, dir);
    assert.strictEqual(a.status, 0);
    assert.strictEqual(b.status, 0, b.stderr);
    assert.ok(a.dtb.equals(b.dtb));
  });

  it('nul-in-line-info: an error diagnostic where dtc rejects', () => {
    for (const name of ['nul-in-line-info1.dts', 'nul-in-line-info2.dts']) {
      const file = corpusPath('dtc-tests', name);
      assert.notStrictEqual(dtc(file).status, 0, `dtc rejects ${name}`);
      const r = pp(file);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => `${d.severity} ${d.range?.start.line}:${d.range?.start.col} ${d.message}`),
        ['error 0:4 nul in line number directive'],
        name,
      );
    }
  });

  it('maaxboard.dts (cpp output): same DTB from dtc, and every dtc position maps back exactly', function () {
    this.timeout(120_000);
    const file = corpusPath('sel4devkit-dual', 'maaxboard.dts');
    const dir = path.dirname(file);
    const r = pp(file);
    assert.deepStrictEqual(r.diagnostics, []);
    const original = dtc(file, undefined, dir);
    const ours = dtc(undefined, r.text, dir);
    assert.strictEqual(original.status, 0);
    assert.strictEqual(ours.status, 0, ours.stderr);
    assert.ok(original.dtb.equals(ours.dtb), 'same DTB');

    const want = dtcPositions(original.stderr);
    const got = dtcPositions(ours.stderr);
    assert.ok(want.length > 10, `${want.length} positioned dtc messages`);
    assert.strictEqual(got.length, want.length);
    const lineStarts = [0];
    for (let i = 0; i < r.text.length; i++) if (r.text[i] === '\n') lineStarts.push(i + 1);
    want.forEach((w, i) => {
      const g = got[i];
      assert.strictEqual(g.text, w.text);
      const p = r.map.positionAt(lineStarts[g.line - 1] + g.col - 1);
      assert.strictEqual(`${path.relative(dir, p.file)}:${p.line + 1}.${p.col + 1}`, `${w.file}:${w.line}.${w.col}`, w.text);
    });
  });
});

// ---- cpp differential ------------------------------------------------------------------------

/** DTS-style sources of our own, shaped like Linux/libvmm trees and their dt-bindings headers. */
const DIFFERENTIAL_FILES: Record<string, string> = {
  'include/dt-bindings/interrupt-controller/arm-gic.h': `/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _DT_BINDINGS_ARM_GIC_H
#define _DT_BINDINGS_ARM_GIC_H
#include <dt-bindings/interrupt-controller/irq.h>
#define GIC_SPI 0
#define GIC_PPI 1
#define GIC_CPU_MASK_RAW(x) ((x) << 8)
#define GIC_CPU_MASK_SIMPLE(num) GIC_CPU_MASK_RAW((1 << (num)) - 1)
#endif
`,
  'include/dt-bindings/interrupt-controller/irq.h': `#ifndef _DT_BINDINGS_IRQ_H
#define _DT_BINDINGS_IRQ_H
#define IRQ_TYPE_NONE 0
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_LEVEL_HIGH 4
#define IRQ_TYPE_LEVEL_LOW 8
#endif
`,
  'include/dt-bindings/pinctrl/pins.h': `#define PAD_CTL(pad, mux, sel, val) \\
\tpad mux \\
\tsel val
#define UART1_RXD 0x234 0x49c 0x4f4 0x0 0x0
#define UART1_TXD 0x238 0x4a0 0x000 0x0 0x0
#define PIN(name, cfg) name cfg
#define STR(x) #x
#define XSTR(x) STR(x)
#define CAT(a, b) a##b
#define NODE(base) serial@base
#define VA(fmt, ...) fmt, ##__VA_ARGS__
`,
  'board.dtsi': `#include <dt-bindings/interrupt-controller/arm-gic.h>
/ {
\tinterrupt-parent = <&gic>;
\ttimer {
\t\tcompatible = "arm,armv8-timer";
\t\tinterrupts = <GIC_PPI 13 (GIC_CPU_MASK_SIMPLE(4) | IRQ_TYPE_LEVEL_LOW)>,
\t\t\t     <GIC_PPI 14 (GIC_CPU_MASK_SIMPLE(4) | IRQ_TYPE_LEVEL_LOW)>;
\t};
\tgic: interrupt-controller@38800000 { #interrupt-cells = <3>; interrupt-controller; };
\tiomuxc: pinctrl@30330000 { };
};
#include "pinctrl.dtsi"
`,
  'pinctrl.dtsi': `#include <dt-bindings/pinctrl/pins.h>
&iomuxc {
\tpinctrl_uart1: uart1grp {
\t\tfsl,pins = <
\t\t\tPIN(UART1_RXD, 0x49)
\t\t\tPIN(UART1_TXD,
\t\t\t    0x49)
\t\t>;
\t};
};
`,
  'board.dts': `// SPDX-License-Identifier: BSD-2-Clause
/dts-v1/;
#include "board.dtsi"
#define UART_BASE 30860000
#define VM_RAM 0x40000000
#ifndef GUEST_COUNT
#define GUEST_COUNT 2
#endif
/ {
\t#address-cells = <2>;
\t#size-cells = <2>;
\tcomment = "/* not a comment */"; /* GIC_SPI stays */ // IRQ_TYPE_NONE too
\tcont = <1 \\
\t\t2>;
\tmodel = XSTR(UART_BASE), STR(UART_BASE), "x";
\tmemory@40000000 {
\t\tdevice_type = "memory";
\t\treg = <0x0 VM_RAM 0x0 CAT(0x, 10000000)>;
\t};
\tNODE(30860000) {
\t\tinterrupts = <GIC_SPI 26 IRQ_TYPE_LEVEL_HIGH>;
\t\tlist = VA("a"), VA("b", "c");
\t\tpinctrl-0 = <&pinctrl_uart1>;
\t};
#if GUEST_COUNT > 1 && defined(GIC_SPI)
\tguest@1 { reg = <1>; };
#elif GUEST_COUNT == 1
\tguest@0 { reg = <0>; };
#else
#error "no guests"
#endif
#if 0
\t/* it's skipped */ dropped;
#endif
};
`,
};

/** Token spellings of preprocessed text, comments removed (cpp drops them; we keep them). */
function tokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? text.length : e + 2;
      continue;
    }
    if (text.startsWith('//', i)) {
      const e = text.indexOf('\n', i);
      i = e < 0 ? text.length : e;
      continue;
    }
    if (c === '"') {
      let e = i + 1;
      while (e < text.length && text[e] !== '"') e += text[e] === '\\' ? 2 : 1;
      out.push(text.slice(i, e + 1));
      i = e + 1;
      continue;
    }
    let e = i + 1;
    if (/[\w@$.]/.test(c)) while (e < text.length && /[\w@$.]/.test(text[e])) e++;
    out.push(text.slice(i, e));
    i = e;
  }
  return out;
}

describe('preprocessor against cpp -x assembler-with-cpp', () => {
  it('gives the same tokens on DTS-style sources with dt-bindings headers', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-cpp-'));
    try {
      for (const [name, text] of Object.entries(DIFFERENTIAL_FILES)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      }
      const main = path.join(dir, 'board.dts');
      const inc = path.join(dir, 'include');
      const cpp = spawnSync('cpp', ['-x', 'assembler-with-cpp', '-undef', '-nostdinc', '-P', '-I', inc, main], { encoding: 'utf8' });
      assert.ok(cpp.error === undefined && cpp.status === 0, `cpp: ${cpp.error?.message ?? cpp.stderr}`);
      const r = pp(main, [inc]);
      assert.deepStrictEqual(r.diagnostics, []);
      assert.deepStrictEqual(tokens(r.text), tokens(cpp.stdout));
      assert.deepStrictEqual(
        r.files.map((f) => path.relative(dir, f)),
        [
          'board.dts',
          'board.dtsi',
          'include/dt-bindings/interrupt-controller/arm-gic.h',
          'include/dt-bindings/interrupt-controller/irq.h',
          'pinctrl.dtsi',
          'include/dt-bindings/pinctrl/pins.h',
        ],
      );
      // And dtc accepts it, positions pointing into the right files.
      const compiled = dtc(undefined, r.text, dir);
      const bad = /<stdin>:(\d+)/.exec(compiled.stderr);
      assert.strictEqual(compiled.status, 0, `${compiled.stderr}${bad ? r.text.split('\n')[Number(bad[1]) - 1] : ''}`);
      const where = (needle: string, after = '') => {
        const p = r.map.positionAt(r.text.indexOf(needle, r.text.indexOf(after)));
        return `${path.relative(dir, p.file)}:${p.line}:${p.col}${p.expanded ? ' (expanded)' : ''}`;
      };
      assert.strictEqual(where('arm,armv8-timer'), 'board.dtsi:4:16');
      assert.strictEqual(where('uart1grp'), 'pinctrl.dtsi:2:16');
      assert.strictEqual(where('serial@'), 'board.dts:19:1 (expanded)');
      assert.strictEqual(where('pinctrl-0'), 'board.dts:22:2');
      assert.strictEqual(where('2>', 'cont = '), 'board.dts:13:2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- generated differential against cpp -------------------------------------------------------

/** xorshift32: the same cases on every run. */
function rng(seed: number): { int(n: number): number; pick<T>(a: readonly T[]): T } {
  let s = seed >>> 0 || 1;
  const int = (n: number): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
  return { int, pick: (a) => a[int(a.length)] };
}

/** Macro programs: object- and function-like definitions using #, ##, variadics, then a use line. */
function macroProgram(r: ReturnType<typeof rng>): string {
  const names = ['A', 'B', 'C', 'F', 'G', 'H'];
  const body = (params: string[]): string => {
    const toks: string[] = [];
    const n = r.int(6);
    for (let i = 0; i < n; i++) {
      const k = r.int(10);
      if (k < 3 && params.length) toks.push(r.pick(params));
      else if (k < 5) toks.push(r.pick(names));
      else if (k === 5 && params.length && toks.length) toks.push('#' + r.pick(params));
      else if (k === 6 && toks.length && i < n - 1) toks.push('##');
      else toks.push(r.pick(['(', ')', ',', '1', 'x', '-', '<', '>', '0x1', '"s"']));
    }
    return toks.join(r.pick([' ', '']));
  };
  let s = '';
  for (const n of names) {
    if (r.int(3) === 0) continue;
    if (r.int(2)) s += `#define ${n} ${body([])}\n`;
    else {
      const ps = ['a', 'b', 'c'].slice(0, r.int(3) + 1);
      const va = r.int(4) === 0;
      s += `#define ${n}(${ps.join(', ')}${va ? ', ...' : ''}) ${body(va ? [...ps, '__VA_ARGS__'] : ps)}\n`;
    }
  }
  const use: string[] = [];
  for (let i = 0; i < 12; i++) use.push(r.pick([...names, '(', ')', ',', '1', 'y', '(', ')', 'A(', ' ']));
  return s + use.join(' ') + '\n';
}

/** `#if` over C expressions mixing signedness, shifts, defined and macros. */
function conditionProgram(r: ReturnType<typeof rng>): string {
  const expr = (d: number): string => {
    if (d > 3 || r.int(3) === 0) {
      return r.pick([
        '0',
        '1',
        '2',
        '-1',
        '0x10',
        '077',
        '3u',
        "'a'",
        'A',
        'B',
        'U',
        'defined A',
        'defined(U)',
        '9223372036854775807',
        '18446744073709551615u',
        '0xffffffffffffffff',
      ]);
    }
    const k = r.int(4);
    if (k === 0) return r.pick(['-', '~', '!', '+']) + expr(d + 1);
    if (k === 1) return `(${expr(d + 1)})`;
    if (k === 2) return `${expr(d + 1)} ? ${expr(d + 1)} : ${expr(d + 1)}`;
    const op = r.pick(['*', '/', '%', '+', '-', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||']);
    return `${expr(d + 1)} ${op} ${expr(d + 1)}`;
  };
  return `#define A 5\n#define B (A * 2)\n#if ${expr(0)}\nyes\n#else\nno\n#endif\n`;
}

/** DTS-looking files with nested conditionals, includes, comments, continuations and macro uses. */
function directiveProgram(r: ReturnType<typeof rng>): string {
  const plain = [
    '#define A 1',
    '#define B(x) x + A',
    '#define A',
    '#undef A',
    '#undef B',
    'p = <A B(2) 3>;',
    '#address-cells = <A>;',
    '\t#size-cells = <1>; /* A */',
    'n@0 { c = "A\'s"; };',
    '/* multi\n#if A B */ line A',
    '/* a */ # define D 1',
    '// B(1)',
    'B',
    '(7)',
    'cpu@A {',
    '};',
    '#include "h.dtsi"',
    'x = B(',
    '1) y;',
    '  # define C 3',
    'C',
    'q = A\\',
    'B;',
    'D',
    'x = "a//b", A; // C',
    'y = "/*", B(1), "*/"; /* A */ C',
  ];
  const lines: string[] = [];
  const block = (d: number): void => {
    const n = 1 + r.int(5);
    for (let i = 0; i < n; i++) {
      if (d < 3 && r.int(4) === 0) {
        lines.push(r.pick(['#if A', '#if !defined(B) && A', '#ifdef A', '#ifndef B', '#if B(1) == 1 + A']));
        block(d + 1);
        if (r.int(2)) {
          lines.push(r.pick(['#elif B', '#elif 1', '#elif defined C']));
          block(d + 1);
        }
        if (r.int(2)) {
          lines.push('#else');
          block(d + 1);
        }
        lines.push('#endif');
      } else lines.push(r.pick(plain));
    }
  };
  block(0);
  return lines.join('\n') + '\n';
}

/** Tokens without comments or whitespace (cpp without -C drops comments; we keep them). */
function squeeze(text: string): string {
  return tokens(text).join('');
}

describe('preprocessor against cpp on generated programs', () => {
  const generators: [string, (r: ReturnType<typeof rng>) => string][] = [
    ['macro programs', macroProgram],
    ['#if expressions', conditionProgram],
    ['conditional DTS files with includes', directiveProgram],
  ];
  for (const [name, generate] of generators) {
    it(`${name}: same output and same errors as cpp`, function () {
      this.timeout(120_000);
      const dir = mkdtempSync(path.join(tmpdir(), 'pp-gen-'));
      const header = '#ifndef H\n#define H\nh = <A>;\n#endif\n';
      writeFileSync(path.join(dir, 'h.dtsi'), header);
      const main = path.join(dir, 'in.dts');
      const r = rng(name.length * 7919);
      const disagreements: string[] = [];
      let compared = 0;
      try {
        for (let k = 0; k < 120; k++) {
          const src = generate(r);
          writeFileSync(main, src);
          const cpp = spawnSync('cpp', ['-x', 'assembler-with-cpp', '-undef', '-nostdinc', '-P', main], { encoding: 'utf8' });
          assert.ok(cpp.error === undefined, `cpp must be installed: ${cpp.error?.message}`);
          const ours = preprocess(main, src, { includePaths: [], host });
          const cppError = cpp.status !== 0 || cpp.stderr.includes('error');
          const ourError = ours.diagnostics.some((d) => d.severity === 'error');
          if (cppError !== ourError) {
            disagreements.push(
              `${JSON.stringify(src)}: cpp ${cppError ? 'error' : 'ok'} (${cpp.stderr.trim().split('\n')[0]}), ours ${JSON.stringify(ours.diagnostics.map((d) => d.message))}`,
            );
          } else if (!cppError) {
            compared++;
            if (squeeze(cpp.stdout) !== squeeze(ours.text))
              disagreements.push(`${JSON.stringify(src)}: cpp ${JSON.stringify(cpp.stdout)}, ours ${JSON.stringify(ours.text)}`);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.deepStrictEqual(disagreements.slice(0, 5), []);
      assert.ok(compared >= 60, `${compared} programs compared`);
    });
  }
});

// ---- predefined macros against cpp -------------------------------------------------------------

/** Non-blank output lines, whitespace runs folded; `# N "file"` lines dropped (cpp passes them through in assembler mode, we read them for dtc). */
function outputLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '' && !/^# ?\d/.test(l));
}

/** cpp's warnings and errors as "line message" ("-" for <built-in>; notes and option tags dropped). */
function cppMessages(stderr: string): string[] {
  const out: string[] = [];
  for (const l of stderr.split('\n')) {
    const m = /^[^:]*:(?:(\d+)(?::\d+)?:)? (warning|error): (.*?)(?: \[-W[^\]]*\])?$/.exec(l);
    if (m) out.push(`${m[1] ?? '-'} ${m[2]}: ${m[3].replace(/[‘’]/g, "'")}`);
  }
  return out;
}

function ourMessages(r: PreprocessResult): string[] {
  return r.diagnostics.map((d) => `${(d.range?.start.line ?? 0) + 1} ${d.severity}: ${d.message}`);
}

describe('predefined macros against cpp -undef -nostdinc -x assembler-with-cpp', () => {
  /** The files of the differential, and their modification times (set as `touch -d` would). */
  const FILES: Record<string, { text: string; mtime: string }> = {
    'dts/board.dts': {
      mtime: '1973-09-16T01:03:52Z',
      text:
        [
          '/dts-v1/;',
          'a = __FILE__ __FILE_NAME__ __BASE_FILE__ __LINE__ __INCLUDE_LEVEL__ __COUNTER__ __COUNTER__;',
          'd = __DATE__ __TIME__ __TIMESTAMP__ __STDC__ __STDC_HOSTED__ __ASSEMBLER__;',
          '#include "sub/../common.dtsi"',
          '#include <dt-bindings/stamp.h>',
          'use = STAMP_HERE;',
          '#if defined(__TIMESTAMP__) && defined __COUNTER__ && __COUNTER__ == 3 && __INCLUDE_LEVEL__ == 0 && __LINE__ == 7',
          'all-defined;',
          '#endif',
          '#ifdef __DATE__',
          'date-defined = __COUNTER__;',
          '#endif',
          '#define LINE_OF(x) x __LINE__',
          'multi = LINE_OF(',
          '__LINE__',
          ') __LINE__ \\',
          '__LINE__;',
          '# 40 "marked.dts"',
          'after-marker = __FILE__ __LINE__;',
          '#line 70 "renamed/other.dts"',
          'after-line = __FILE__ __FILE_NAME__ __LINE__ __BASE_FILE__ __TIMESTAMP__;',
          '#undef __FILE__',
          '#define __LINE__ 7',
          '#define __STDC__ 2',
          '#define __ASSEMBLER__ 1',
          '#undef __STDC_HOSTED__',
          '#define __DATE__ "mine"',
          'changed = __FILE__ __LINE__ __STDC__ __DATE__;',
          '#ifndef __STDC_HOSTED__',
          'hosted-gone;',
          '#endif',
        ].join('\n') + '\n',
    },
    'dts/common.dtsi': {
      mtime: '2024-02-29T23:59:59Z',
      text: 'c = __FILE__ __FILE_NAME__ __INCLUDE_LEVEL__ __TIMESTAMP__ __COUNTER__;\n#define STAMP_HERE __TIMESTAMP__ __FILE__\n#include "deeper.h"\n',
    },
    'dts/deeper.h': { mtime: '2001-01-01T00:00:00Z', text: 'e = __FILE__ __INCLUDE_LEVEL__ __TIMESTAMP__;\n' },
    'include/dt-bindings/stamp.h': { mtime: '1999-12-31T12:30:00Z', text: 'f = __FILE__ __FILE_NAME__ __INCLUDE_LEVEL__ __TIMESTAMP__;\n' },
  };

  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-predef-'));
    for (const [name, f] of Object.entries(FILES)) {
      const p = path.join(dir, name);
      mkdirSync(path.dirname(p), { recursive: true });
      // cpp resolves `sub/../x` through the directory, so it must exist.
      mkdirSync(path.join(dir, 'dts/sub'), { recursive: true });
      writeFileSync(p, f.text);
      const t = new Date(f.mtime);
      utimesSync(p, t, t);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A Node host whose clock has a fixed time zone and SOURCE_DATE_EPOCH (cpp gets the same through TZ and the environment). */
  function hostWith(utcOffsetMinutes: number, sourceDateEpoch: string | undefined): NodeFileHost {
    return new (class extends NodeFileHost {
      override readonly buildClock: BuildClock = { now: () => Date.now(), utcOffsetMinutes: () => utcOffsetMinutes, sourceDateEpoch: () => sourceDateEpoch };
    })();
  }

  function both(main: string, includePaths: string[], tz: string, utcOffsetMinutes: number, sourceDateEpoch: string | undefined) {
    const env: NodeJS.ProcessEnv = { ...process.env, TZ: tz, LC_ALL: 'C' };
    if (sourceDateEpoch === undefined) delete env.SOURCE_DATE_EPOCH;
    else env.SOURCE_DATE_EPOCH = sourceDateEpoch;
    const cpp = spawnSync('cpp', ['-undef', '-nostdinc', '-x', 'assembler-with-cpp', '-P', ...includePaths.flatMap((i) => ['-I', i]), main], {
      encoding: 'utf8',
      env,
    });
    assert.ok(cpp.error === undefined, `cpp must be installed: ${cpp.error?.message}`);
    const ours = preprocess(main, readFileSync(main, 'utf8'), { includePaths, host: hostWith(utcOffsetMinutes, sourceDateEpoch) });
    return { cpp, ours };
  }

  it('-dM lists exactly our ordinary predefined macros', () => {
    const cpp = spawnSync('cpp', ['-undef', '-nostdinc', '-x', 'assembler-with-cpp', '-dM', '-E', '/dev/null'], { encoding: 'utf8' });
    assert.strictEqual(cpp.status, 0, cpp.stderr);
    const ours = [...PREDEFINED_MACROS.values()].filter((m) => !m.dynamic).map((m) => `#define ${m.name} ${m.body}`);
    assert.deepStrictEqual(cpp.stdout.trim().split('\n').sort(), ours.sort());
  });

  for (const [tz, offset] of [
    ['UTC', 0],
    ['Asia/Kolkata', 330],
  ] as const) {
    it(`every predefined macro gives cpp's output and warnings (TZ=${tz}, SOURCE_DATE_EPOCH and file times fixed)`, () => {
      const main = path.join(dir, 'dts/board.dts');
      // An include directory with a trailing slash: cpp keeps the spelling as given.
      const { cpp, ours } = both(main, [path.join(dir, 'include') + '/'], tz, offset, '1700000000');
      assert.strictEqual(cpp.status, 0, cpp.stderr);
      assert.deepStrictEqual(outputLines(ours.text), outputLines(cpp.stdout));
      assert.deepStrictEqual(ourMessages(ours), cppMessages(cpp.stderr));
      // The timestamps really are the files' own, in that zone, and the conditions were taken.
      assert.ok(ours.text.includes(offset === 0 ? '"Sun Sep 16 01:03:52 1973"' : '"Sun Sep 16 06:33:52 1973"'), ours.text);
      assert.ok(ours.text.includes('all-defined;') && ours.text.includes('hosted-gone;'), ours.text);
    });
  }

  it('relative spellings: the main file as given, includes through its directory, -I as written', () => {
    const env = { ...process.env, TZ: 'UTC', SOURCE_DATE_EPOCH: '0' };
    const cpp = spawnSync('cpp', ['-undef', '-nostdinc', '-x', 'assembler-with-cpp', '-P', '-I', './include//', 'dts/board.dts'], {
      encoding: 'utf8',
      cwd: dir,
      env,
    });
    assert.strictEqual(cpp.status, 0, cpp.stderr);
    // The cores take absolute paths: ours runs on the same spellings under `dir/`.
    const ours = preprocess(`${dir}/dts/board.dts`, FILES['dts/board.dts'].text, { includePaths: [`${dir}/./include//`], host: hostWith(0, '0') });
    assert.deepStrictEqual(outputLines(ours.text.split(`${dir}/`).join('')), outputLines(cpp.stdout));
    assert.ok(cpp.stdout.includes('"./include//dt-bindings/stamp.h"') && cpp.stdout.includes('"dts/sub/../deeper.h"'), cpp.stdout);
  });

  it('SOURCE_DATE_EPOCH: the values gcc accepts fix the date; the others are the same error', () => {
    const main = path.join(dir, 'date.dts');
    writeFileSync(main, 'x = __DATE__ __TIME__;\n');
    for (const v of ['0', '-0', ' 86399', '+5', '010', '253402300799', '', '5 ', '-1', '0x10', 'abc', '253402300800']) {
      const { cpp, ours } = both(main, [], 'Asia/Kolkata', 330, v);
      const cppError = cppMessages(cpp.stderr);
      assert.deepStrictEqual(
        ourMessages(ours).map((m) => m.replace(/^\S+ /, '')),
        cppError.map((m) => m.replace(/^\S+ /, '')),
        JSON.stringify(v),
      );
      if (cppError.length === 0) assert.deepStrictEqual(outputLines(ours.text), outputLines(cpp.stdout), JSON.stringify(v));
    }
  });
});
