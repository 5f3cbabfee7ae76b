// The DTS preprocessor: directives, macro expansion (C11 6.10.3 examples), includes, line markers,
// diagnostics and the source map. Every case goes through one check() helper.

import * as assert from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import type { Diagnostic } from '../../../src/common/diagnostics';
import { preprocess, type PreprocessOptions, type PreprocessResult } from '../../../src/devicetree/preprocessor';
import { withCpuMillis } from '../../cpu-time';

const MAIN = '/proj/main.dts';

interface Case {
  /** Other files, by absolute path. */
  files?: Record<string, string>;
  includePaths?: string[];
  defines?: Record<string, string>;
  /** Expected diagnostics as "severity line:col message" (0-based); message may be a prefix ending in '…'. */
  diagnostics?: string[];
  /** Compare with all whitespace removed (for the C standard's examples, whose spacing is free). */
  ignoreSpaces?: boolean;
}

export function run(src: string, c: Case = {}): PreprocessResult {
  const options: PreprocessOptions = {
    includePaths: c.includePaths ?? ['/inc'],
    host: new MemoryFileHost(c.files ?? {}),
    defines: c.defines,
  };
  return preprocess(MAIN, src, options);
}

/** Output with blank lines dropped and each line's surrounding blanks trimmed. */
function lines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}

function formatDiagnostic(d: Diagnostic): string {
  const at = d.range ? `${d.range.start.line}:${d.range.start.col}` : '-';
  return `${d.severity} ${at} ${d.message}`;
}

function check(src: string, expected: string, c: Case = {}): PreprocessResult {
  const r = run(src, c);
  if (c.ignoreSpaces) assert.strictEqual(r.text.replace(/\s+/g, ''), expected.replace(/\s+/g, ''));
  else assert.strictEqual(lines(r.text), lines(expected));
  const got = r.diagnostics.map(formatDiagnostic);
  const want = c.diagnostics ?? [];
  assert.strictEqual(got.length, want.length, `diagnostics: ${JSON.stringify(got)}`);
  want.forEach((w, i) => {
    if (w.endsWith('…')) assert.ok(got[i].startsWith(w.slice(0, -1)), `${got[i]} should start with ${w}`);
    else assert.strictEqual(got[i], w);
  });
  return r;
}

describe('preprocessor: text without directives', () => {
  it('passes DTS through unchanged, `#prop` lines included', () => {
    const src = '/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <0>;\n\tcpu@0 { reg = <0>; };\n};\n';
    const r = check(src, src);
    assert.strictEqual(r.text, src);
  });
  it('keeps comments and does not expand inside them, strings or char literals', () => {
    check('#define X 1\n/* X */ a = "X"; // X\nb = \'X\'; c = <X>;', '/* X */ a = "X"; // X\nb = \'X\'; c = <1>;');
  });
  it('a // comment ending in a backslash continues on the next line (as in cpp)', () => {
    check('#define M 1\n// c \\\nM\nM', '// c M\n1');
  });
  it('sees macros after literals that hold comment markers', () => {
    check('#define M 1\nx = "a//b", M;\ny = "/*", M, "*/";\nz = \'"\', M;', 'x = "a//b", 1;\ny = "/*", 1, "*/";\nz = \'"\', 1;');
  });
  it('tokenizes as cpp does: pinctrl-0 is pinctrl - 0, cpu@0 is cpu @ 0', () => {
    check('#define pinctrl P\n#define cpu C\npinctrl-0 = <&x>; cpu@0 {};', 'P-0 = <&x>; C@0 {};');
  });
  it('expands macros on pass-through `#name` lines', () => {
    check('#define CELLS 2\n#address-cells = <CELLS>;', '#address-cells = <2>;');
  });
  it('joins backslash continuations in text', () => {
    check('a = <1 \\\n2>;', 'a = <1 2>;');
  });
});

describe('preprocessor: what starts a directive', () => {
  const cases: [string, string, string][] = [
    ['indented', '  #  define A 1\nA', '1'],
    ['after a comment, as cpp', '/* x */ #define A 1\nA', '1'],
    ['after a comment that began on an earlier line', '/* x\n y */ #define A 1\nA', '1'],
    ['not after text', 'a = <1>; #define A 1\nA', 'a = <1>; #define A 1\nA'],
    ['not inside a comment', '/*\n#define A 1\n*/\nA', '/*\n#define A 1\n*/\nA'],
    ['## is not a directive', '##define A 1\nA', '##define A 1\nA'],
  ];
  for (const [name, src, out] of cases) it(name, () => check(src, out));
});

describe('preprocessor: #define and #undef', () => {
  const cases: [string, string, string, Case?][] = [
    ['object-like', '#define A 42\nx = <A>;', 'x = <42>;'],
    ['empty body', '#define A\nx = <1 A 2>;', 'x = <1  2>;'],
    ['function-like', '#define ADD(a, b) ((a) + (b))\nx = <ADD(1, 2)>;', 'x = <((1) + (2))>;'],
    ['function-like name without ( is not an invocation', '#define F(a) a\nx = F;', 'x = F;'],
    ['invocation spanning lines', '#define F(a, b) a b\nx = <F(1,\n 2)>;', 'x = <1 2>;'],
    ['( on the next line', '#define F(a) [a]\nF\n(1)', '[1]'],
    ['nested parentheses in arguments', '#define F(a, b) a|b\nF((1, 2), 3)', '(1, 2)|3'],
    ['continued definition', '#define CELLS(a) \\\n  a \\\n  a\nCELLS(7)', '7 7'],
    ['#undef', '#define A 1\n#undef A\nA', 'A'],
    ['redefinition warns', '#define A 1\n#define A 2\nA', '2', { diagnostics: ['warning 1:8 "A" redefined'] }],
    ['identical redefinition is silent', '#define A 1 + 2\n#define A 1   +  2\nA', '1 + 2'],
    ['defines option', 'A F(3)', '5 [3]', { defines: { A: '5', 'F(x)': '[x]' } }],
    ['too few arguments', '#define F(a, b) a\nF(1)', 'F(1)', { diagnostics: ['error 1:0 macro "F" requires 2 arguments, but only 1 given'] }],
    ['too many arguments', '#define F(a) a\nF(1, 2)', 'F(1, 2)', { diagnostics: ['error 1:0 macro "F" passed 2 arguments, but takes just 1'] }],
    ['unterminated argument list', '#define F(a) a\nF(1, 2', 'F(1, 2', { diagnostics: ['error 1:0 unterminated argument list invoking macro "F"'] }],
    ['no name', '#define\nx', 'x', { diagnostics: ['error 0:0 no macro name given in #define directive'] }],
    ['bad name', '#define 3 x\nx', 'x', { diagnostics: ['error 0:8 macro names must be identifiers'] }],
    ['defined as a name', '#define defined 1', '', { diagnostics: ['error 0:8 "defined" cannot be used as a macro name'] }],
    ['## at an end', '#define F(a) ## a', '', { diagnostics: ["error 0:0 '##' cannot appear at either end of a macro expansion"] }],
    ['# without a parameter stays (as in assembler-with-cpp)', '#define F(a) 1#b a#a\nF(2)', '1#b 2"2"'],
    ['bad parameter list', '#define F(a, 1) a', '', { diagnostics: ['error 0:13 expected parameter name, found "1"'] }],
    ['duplicate parameter', '#define F(a, a) a', '', { diagnostics: ['error 0:13 duplicate macro parameter "a"'] }],
    ['object-like # is an ordinary token', '#define H # x\nH', '# x'],
    ['stringize', '#define S(x) #x\nS( a  +  "q\\n" \'c\' )', '"a + \\"q\\\\n\\" \'c\'"'],
    ['paste', '#define CAT(a, b) a ## b\n<CAT(0x, 1f) CAT(GIC_, SPI)>', '<0x1f GIC_SPI>'],
    [
      'paste that is no token',
      '#define CAT(a, b) a ## b\nCAT(+, /)',
      '+/',
      { diagnostics: ['warning 1:0 pasting "+" and "/" does not give a valid preprocessing token'] },
    ],
    ['consecutive ## act as one', '#define A(x) x ## ## ## 1\nA(y)', 'y1'],
    ['argument pre-expansion', '#define ONE 1\n#define F(x) x #x\nF(ONE)', '1 "ONE"'],
    ['GNU named variadic', '#define V(fmt, args...) fmt: args\nV(a, b, c)', 'a: b, c'],
    ['GNU comma swallowing', '#define E(fmt, ...) f(fmt, ## __VA_ARGS__)\nE(a) E(a, b)', 'f(a) f(a, b)'],
    ['__VA_OPT__', '#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\nF(1) F(1,2) F(1,)', 'f(1 ) f(1 , 2) f(1 )'],
    [
      '__VA_OPT__ with ## inside and around',
      '#define G(x, ...) x ## __VA_OPT__(y z)\n#define H(...) [__VA_OPT__(__VA_ARGS__ ## 3)]\nG(a) G(a, 1) H() H(1)',
      'a ay z [] [13]',
    ],
    ['variadic argument omitted', '#define E(fmt, ...) [fmt __VA_ARGS__]\nE(a)', '[a ]'],
    ['empty parameter list', '#define P() int\nP() P ()', 'int int'],
    // cpp passes `# N "x"` markers through for dtc (assembler mode); only #line moves its own idea of the place.
    [
      '__LINE__ and __FILE__',
      'a\n__LINE__ __FILE__\n# 40 "x.dts"\n__LINE__ __FILE__\n#line 50 "sub/y.dts"\n__LINE__ __FILE__ __FILE_NAME__',
      'a\n2 "/proj/main.dts"\n4 "/proj/main.dts"\n50 "sub/y.dts" "y.dts"',
    ],
    ['__LINE__ in a macro is the invocation line', '#define L __LINE__\n\nL', '3'],
    ['builtins count as defined', '#if defined(__LINE__) && __LINE__ == 1\nok\n#endif', 'ok'],
    ['directives inside macro arguments', '#define F(a, b) a+b\nF(1,\n#ifdef X\n 2\n#else\n 3\n#endif\n)', '1+3'],
  ];
  for (const [name, src, out, c] of cases) it(name, () => check(src, out, c));
  it('errors in the defines option name <command-line>; newlines cannot inject directives', () => {
    const r = check('x B', 'x #define C D', { defines: { '3': '1', 'B\n#define C': 'D' }, diagnostics: ['error 0:8 macro names must be identifiers'] });
    assert.strictEqual(r.diagnostics[0].range?.file, '<command-line>');
    assert.deepStrictEqual(r.files, [MAIN]);
  });
});

describe('preprocessor: C11 6.10.3.5 examples', () => {
  it('example 3 (rescanning and nesting)', () => {
    check(
      `#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };`,
      `f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);
f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);
int i[] = { 1, 23, 4, 5, };
char c[2][6] = { "hello", "" };`,
      { ignoreSpaces: true },
    );
  });
  it('example 4 (# and ##, macro-expanded #include)', () => {
    const r = check(
      `#define str(s) # s
#define xstr(s) str(s)
#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", \\
 x ## s, x ## t)
#define INCFILE(n) vers ## n
#define glue(a, b) a ## b
#define xglue(a, b) glue(a, b)
#define HIGHLOW "hello"
#define LOW LOW ", world"
debug(1, 2);
fputs(str(strncmp("abc\\0d", "abc", '\\4') // this goes away
 == 0) str(: @\\n), s);
#include xstr(INCFILE(2).h)
glue(HIGH, LOW);
xglue(HIGH, LOW)`,
      `printf("x" "1" "= %d, x" "2" "= %s", x1, x2);
fputs("strncmp(\\"abc\\\\0d\\", \\"abc\\", '\\\\4') == 0" ": @\\n", s);
included
"hello";
"hello" ", world"`,
      { ignoreSpaces: true, files: { '/proj/vers2.h': 'included\n' } },
    );
    assert.deepStrictEqual(
      r.includes.map((i) => i.target),
      ['/proj/vers2.h'],
    );
  });
  it('example 5 (placemarkers)', () => {
    check(
      `#define t(x,y,z) x ## y ## z
int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),
t(10,,), t(,11,), t(,,12), t(,,) };`,
      'int j[] = { 123, 45, 67, 89, 10, 11, 12, };',
      { ignoreSpaces: true },
    );
  });
  it('example 7 (variable arguments)', () => {
    check(
      `#define debug(...) fprintf(stderr, __VA_ARGS__)
#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test):\\
 printf(__VA_ARGS__))
debug("Flag");
debug("X = %d\\n", x);
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);`,
      `fprintf(stderr, "Flag");
fprintf(stderr, "X = %d\\n", x);
puts("The first, second, and third items.");
((x>y)?puts("x>y"): printf("x is %d but y is %d", x, y));`,
      { ignoreSpaces: true },
    );
  });
});

describe('preprocessor: self-reference terminates (painted blue)', () => {
  const cases: [string, string, string][] = [
    ['object-like self', '#define foo foo + 1\nfoo', 'foo + 1'],
    ['mutual', '#define a b\n#define b a\na b', 'a b'],
    ['function-like self', '#define f(x) f(x + 1)\nf(0)', 'f(0 + 1)'],
    ['self through an argument', '#define f(x) x\n#define g f(g)\ng', 'g'],
    ['indirect function chain', '#define AA BB\n#define BB(x) AA(x)\nBB(1)', 'BB(1)'],
  ];
  for (const [name, src, out] of cases) it(name, () => check(src, out));
});

describe('preprocessor: conditionals', () => {
  const cases: [string, string, string, Case?][] = [
    ['#ifdef taken', '#define A\n#ifdef A\nyes\n#endif', 'yes'],
    ['#ifdef not taken', '#ifdef A\nyes\n#endif', ''],
    ['#ifndef', '#ifndef A\nyes\n#else\nno\n#endif', 'yes'],
    ['#if/#elif/#else chain', '#define V 2\n#if V == 1\none\n#elif V == 2\ntwo\n#elif V == 2\nagain\n#else\nother\n#endif', 'two'],
    ['#else taken', '#if 0\na\n#elif 0\nb\n#else\nc\n#endif', 'c'],
    ['nesting inside a skipped group', '#if 0\n#if 1\na\n#else\nb\n#endif\nc\n#else\nd\n#endif', 'd'],
    ['nesting inside a taken group', '#if 1\n#if 0\na\n#else\nb\n#endif\n#endif', 'b'],
    ['defined X', '#define X\n#if defined X && !defined Y\nok\n#endif', 'ok'],
    ['defined(X)', '#define X\n#if defined(X) && !defined ( Y )\nok\n#endif', 'ok'],
    ['#elifdef / #elifndef', '#if 0\n#elifdef Z\na\n#elifndef Z\nb\n#endif', 'b'],
    ['undefined identifiers are 0', '#if UNDEFINED == 0 && !FOO\nok\n#endif', 'ok'],
    ['macros expand in #if', '#define N (1 << 4)\n#if N == 16 && N % 5 == 1\nok\n#endif', 'ok'],
    ['C arithmetic: signed, hex, octal, char, ternary', "#if -1 < 0 && 0x10 == 020 && 'A' == 65 && (1 ? 2 : 3) == 2 && 10UL / 3 == 3\nok\n#endif", 'ok'],
    [
      'unsigned arithmetic as cpp: u suffix and too-large literals',
      '#if -1 > 0u && 18446744073709551615 == -1 && 0xffffffffffffffff > 0 && -1 < 0 && (1 ? -1 : 0u) > 0\nok\n#endif',
      'ok',
    ],
    ['a negative shift count shifts the other way (gcc)', '#if (1 >> -4) == 16 && (-16 >> 2) == -4 && (1 << 64) == 0\nok\n#endif', 'ok'],
    ['short circuit skips division by zero', '#if 0 && 1 / 0\na\n#else\nok\n#endif', 'ok'],
    ['division by zero', '#if 1 / 0\na\n#endif', '', { diagnostics: ['error 0:4 Division by zero in #if'] }],
    ['syntax error', '#if 1 +\na\n#endif', '', { diagnostics: ['error 0:7 expected an expression in #if'] }],
    ['missing operator', '#if 1 2\na\n#endif', '', { diagnostics: ['error 0:6 missing binary operator before token "2"'] }],
    ['empty #if', '#if\na\n#endif', '', { diagnostics: ['error 0:1 #if with no expression'] }],
    ['string in #if', '#if "a"\na\n#endif', '', { diagnostics: ['error 0:4 token ""a"" is not valid in an expression in #if'] }],
    ['bad defined', '#if defined\n#endif', '', { diagnostics: ['error 0:4 operator "defined" requires an identifier'] }],
    ['bad number', '#if 12abc\n#endif', '', { diagnostics: ['error 0:4 invalid integer constant "12abc" in #if'] }],
    ['unterminated #if reported at the #if', 'a\n  #if 1\nb\n', 'a\nb', { diagnostics: ['error 1:2 unterminated #if'] }],
    ['unterminated #ifdef', '#ifdef X\n', '', { diagnostics: ['error 0:0 unterminated #ifdef'] }],
    ['stray #else', 'a\n#else\n', 'a', { diagnostics: ['error 1:0 #else without #if'] }],
    ['stray #endif', '#endif\n', '', { diagnostics: ['error 0:0 #endif without #if'] }],
    ['stray #elif', '#elif 1\n', '', { diagnostics: ['error 0:0 #elif without #if'] }],
    ['#else after #else', '#if 0\n#else\na\n#else\nb\n#endif', 'a', { diagnostics: ['error 3:0 #else after #else'] }],
    ['#ifdef without a name', '#ifdef\n#endif', '', { diagnostics: ['error 0:1 no macro name given in #ifdef directive'] }],
    ['directives in skipped groups are not run', '#if 0\n#error no\n#define A 1\n#include "missing.h"\n#endif\nA', 'A'],
    ['unknown directives in skipped groups are ignored', '#if 0\n#address-cells = <1>;\n#endif', ''],
    ['#elif is not evaluated once a group was taken', '#if 1\na\n#elif 1/0\nb\n#endif', 'a'],
  ];
  for (const [name, src, out, c] of cases) it(name, () => check(src, out, c));
});

describe('preprocessor: #error, #warning, #pragma', () => {
  it('#error is an error at the directive', () => check('x\n#error stop  here\n', 'x', { diagnostics: ['error 1:0 #error stop here'] }));
  it('#warning is a warning', () => check('#warning careful\ny', 'y', { diagnostics: ['warning 0:0 #warning careful'] }));
  it('#pragma and #ident are ignored', () => check('#pragma once\n#ident "x"\ny', 'y'));
  it('the null directive is removed', () => check('#\ny', 'y'));
});

describe('preprocessor: #include', () => {
  const files = {
    '/proj/local.h': '#define LOCAL 1\n',
    '/inc/dt-bindings/irq.h': '#ifndef IRQ_H\n#define IRQ_H\n#include "irq-types.h"\n#define GIC_SPI 0\n#endif\n',
    '/inc/dt-bindings/irq-types.h': '#define IRQ_TYPE_LEVEL_HIGH 4\n',
    '/proj/board.dtsi': '/ { soc {}; };\n',
    '/proj/self.h': '#include "self.h"\n',
    '/inc/next.h': '#define FIRST\n#include_next <next.h>\n',
    '/inc2/next.h': '#define SECOND\n',
  };
  it("quoted names search the includer's directory, angle names the include paths", () => {
    const r = check('#include "local.h"\n#include <dt-bindings/irq.h>\n#include <dt-bindings/irq.h>\n<GIC_SPI 42 IRQ_TYPE_LEVEL_HIGH LOCAL>', '<0 42 4 1>', {
      files,
    });
    assert.deepStrictEqual(r.files, [MAIN, '/proj/local.h', '/inc/dt-bindings/irq.h', '/inc/dt-bindings/irq-types.h']);
    assert.deepStrictEqual(
      r.includes.map((i) => [i.range.start.line, i.target]),
      [
        [0, '/proj/local.h'],
        [1, '/inc/dt-bindings/irq.h'],
        [2, '/inc/dt-bindings/irq-types.h'],
        [2, '/inc/dt-bindings/irq.h'],
      ],
    );
    assert.strictEqual(r.includes[2].range.file, '/inc/dt-bindings/irq.h');
    const spi = r.macros.get('GIC_SPI')!;
    assert.deepStrictEqual([spi.range?.file, spi.range?.start.line, spi.body], ['/inc/dt-bindings/irq.h', 3, '0']);
    assert.deepStrictEqual(
      r.macroExpansions.map((m) => `${m.name}@${m.range.start.line}:${m.range.start.col}`),
      ['GIC_SPI@3:1', 'IRQ_TYPE_LEVEL_HIGH@3:12', 'LOCAL@3:32'],
    );
  });
  it('included text is placed where the directive was', () => check('a\n#include "board.dtsi"\nb', 'a\n/ { soc {}; };\nb', { files }));
  it('#include_next continues after the directory that held the current file', () => {
    check('#include <next.h>\n#ifdef SECOND\nok\n#endif', 'ok', { files, includePaths: ['/inc', '/inc2'] });
  });
  it('a missing file is an error at its name, listing the searched directories', () => {
    check('#include "nope.h"\n#include <nope.h>', '', {
      files,
      includePaths: ['/inc', '/inc2'],
      diagnostics: [
        'error 0:9 nope.h: No such file or directory (searched: /proj, /inc, /inc2)',
        'error 1:9 nope.h: No such file or directory (searched: /inc, /inc2)',
      ],
    });
  });
  it('missing include paths are said so', () => {
    check('#include <x.h>', '', { includePaths: [], diagnostics: ['error 0:9 x.h: No such file or directory (searched: no include paths)'] });
  });
  it('endless self-inclusion stops at depth 200', () => {
    const r = run('#include "self.h"\n', { files });
    assert.strictEqual(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0].message, /^#include nested depth 200 exceeds maximum of 200$/);
    assert.strictEqual(r.diagnostics[0].range?.file, '/proj/self.h');
  });
  it('malformed #include', () => check('#include foo', '', { diagnostics: ['error 0:0 #include expects "FILENAME" or <FILENAME>'] }));
  it('conditionals must close in the file that opened them', () => {
    check('#include "open.h"\n#endif', '', {
      files: { '/proj/open.h': '#if 1\n' },
      diagnostics: ['error 0:0 unterminated #if', 'error 1:0 #endif without #if'],
    });
  });
});

describe('preprocessor: line markers', () => {
  /** The position the output's first occurrence of `needle` maps to, as "file:line:col". */
  function at(r: PreprocessResult, needle: string): string {
    const o = r.text.indexOf(needle);
    assert.ok(o >= 0, `${needle} in output`);
    const p = r.map.positionAt(o);
    return `${p.file}:${p.line}:${p.col}`;
  }
  it('`# N "file" flags` and `#line N "file"` number the following line', () => {
    const r = check('a\n# 12 "x.dts" 1 3\nb\n#line 40 "/abs/y.dts"\n  c\n# 7\nd\n', 'a\nb\nc\nd');
    assert.strictEqual(at(r, 'a'), `${MAIN}:0:0`);
    assert.strictEqual(at(r, 'b'), '/proj/x.dts:11:0');
    assert.strictEqual(at(r, 'c'), '/abs/y.dts:39:2');
    assert.strictEqual(at(r, 'd'), '/abs/y.dts:6:0');
  });
  it('cpp output with nested markers (the decompiled board tree style)', () => {
    const src = [
      '# 0 "tmp/linux/board.dts"',
      '# 0 "<built-in>"',
      '# 0 "<command-line>"',
      '# 1 "tmp/linux/board.dts"',
      '',
      '/dts-v1/;',
      '',
      '# 1 "tmp/linux/include/dt-bindings/gpio/gpio.h" 1',
      '# 9 "tmp/linux/board.dts" 2',
      '/ {',
      '\t#address-cells = <2>;',
      '};',
      '',
    ].join('\n');
    const r = check(src, '/dts-v1/;\n/ {\n#address-cells = <2>;\n};');
    assert.strictEqual(at(r, '/dts-v1/'), '/proj/tmp/linux/board.dts:1:0');
    assert.strictEqual(at(r, '#address-cells'), '/proj/tmp/linux/board.dts:9:1');
  });
  it("markers inside property values do not take the next line's numbers", () => {
    const r = check('p = <\n# 10 "q.dts"\n\t0x12345678\n>;', 'p = <\n0x12345678\n>;');
    assert.strictEqual(at(r, '0x12345678'), '/proj/q.dts:9:1');
  });
  it('escapes in marker names are decoded', () => {
    const r = check('# 100 "\\".dts"\na\n# 200 "\\\\.dts"\nb', 'a\nb');
    assert.strictEqual(at(r, 'a'), '/proj/".dts:99:0');
    assert.strictEqual(at(r, 'b'), '/proj/\\.dts:199:0');
  });
  it('a nul in a marker name is an error, as in dtc', () => {
    check('# 0 "\0"\nx', 'x', { diagnostics: ['error 0:4 nul in line number directive'] });
    check('# 0 "\\0"\nx', 'x', { diagnostics: ['error 0:4 nul in line number directive'] });
  });
  it('a bad #line is an error', () => {
    check('#line x\n', '', { diagnostics: ['error 0:6 "x" after #line is not a positive integer'] });
    check('#line 3 x\n', '', { diagnostics: ['error 0:8 invalid filename "x" in line directive'] });
  });
  it('pseudo names like <built-in> stay as written', () => {
    const r = check('# 1 "<built-in>"\nz', 'z');
    assert.strictEqual(at(r, 'z'), '<built-in>:0:0');
  });
});

describe('preprocessor: source map', () => {
  it('maps macro output to the invocation and argument tokens to themselves', () => {
    const r = run('#define F(a) <a 1>\nx = F(zz);\n');
    assert.strictEqual(r.text.trim(), 'x = <zz 1>;');
    const p = (needle: string) => r.map.positionAt(r.text.indexOf(needle));
    assert.deepStrictEqual(p('x'), { file: MAIN, line: 1, col: 0 });
    assert.deepStrictEqual(p('<'), { file: MAIN, line: 1, col: 4, expanded: true });
    assert.deepStrictEqual(p('1>'), { file: MAIN, line: 1, col: 4, expanded: true });
    assert.deepStrictEqual(p('zz'), { file: MAIN, line: 1, col: 6 });
    assert.deepStrictEqual(p(';'), { file: MAIN, line: 1, col: 9 });
  });
  it('maps included text to the included file', () => {
    const r = run('a;\n#include "b.dtsi"\nc;\n', { files: { '/proj/b.dtsi': '// b\nb;\n' } });
    assert.strictEqual(lines(r.text), 'a;\n// b\nb;\nc;');
    const p = (needle: string) => r.map.positionAt(r.text.indexOf(needle));
    assert.deepStrictEqual(p('b;'), { file: '/proj/b.dtsi', line: 1, col: 0 });
    assert.deepStrictEqual(p('c;'), { file: MAIN, line: 2, col: 0 });
  });
  it('maps the pieces of a continued line to their own columns', () => {
    const r = run('ab\\\ncd = <1>;');
    assert.strictEqual(r.text, 'abcd = <1>;');
    assert.deepStrictEqual(r.map.positionAt(2), { file: MAIN, line: 1, col: 0 });
    assert.deepStrictEqual(r.map.positionAt(1), { file: MAIN, line: 0, col: 1 });
  });
  it('clamps offsets outside the text', () => {
    const r = run('ab');
    assert.deepStrictEqual(r.map.positionAt(-5), { file: MAIN, line: 0, col: 0 });
    assert.deepStrictEqual(r.map.positionAt(99), { file: MAIN, line: 0, col: 2 });
  });
});

describe('preprocessor: hostile input', () => {
  it('exponential expansion stops with one error', () => {
    let src = '';
    for (let i = 0; i < 40; i++) src += `#define M${i} M${i + 1} M${i + 1}\n`;
    const { result: r, cpuMs } = withCpuMillis(() => run(src + 'M0\n'));
    assert.ok(cpuMs < 5000, `${cpuMs} ms of CPU`);
    assert.strictEqual(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0].message, /^expansion of macro "M\d+" is too large; macros are no longer expanded$/);
  });
  it('deeply nested arguments stop with one error', () => {
    const r = run('#define F(x) x\n' + 'F('.repeat(1000) + '1' + ')'.repeat(1000));
    assert.deepStrictEqual(
      r.diagnostics.map((d) => d.message),
      ['macro arguments nest more than 64 deep; macros are no longer expanded'],
    );
    // 60 levels are fine.
    check('#define F(x) x\n' + 'F('.repeat(60) + '1' + ')'.repeat(60), '1');
  });
  it('deeply nested #if expressions are an error, not a crash', () => {
    const r = run('#if ' + '('.repeat(3000) + '1' + ')'.repeat(3000) + '\n#endif\n#if ' + '1+'.repeat(3000) + '1\n#endif');
    assert.deepStrictEqual(
      r.diagnostics.map((d) => d.message),
      ['expression is too deeply nested in #if', 'expression is too deeply nested in #if'],
    );
  });
  it('an unterminated comment in a directive is reported at its start', () => {
    check('#define X 1 /* b\nc', '', { diagnostics: ['error 0:12 unterminated comment'] });
  });
  it('an unterminated comment in text is left to the DTS lexer', () => {
    check('a /* b\nc', 'a /* b\nc');
    check('#define Q\na /* b\nc', 'a /* b\nc');
  });
});
