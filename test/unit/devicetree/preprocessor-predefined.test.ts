// cpp's predefined macros in our preprocessor, with the clock, the time zone, SOURCE_DATE_EPOCH and
// file times injected through the FileHost (the conformance suite compares the same with gcc's cpp).

import * as assert from 'assert';
import { MemoryFileHost, type BuildClock } from '../../../src/common/host';
import { compileText } from '../../../src/devicetree/compile';
import { needsPreprocessing, preprocess, type PreprocessResult } from '../../../src/devicetree/preprocessor';
import { brokenDown, parseSourceDateEpoch } from '../../../src/devicetree/preprocessor/predefined';
import { findNodeByPath, getProperty, propertyStrings } from '../../../src/devicetree/tree';

const MAIN = '/proj/main.dts';
/** 1973-09-16 01:03:52 UTC, gcc's own example of __TIMESTAMP__. */
const SEP_1973 = Date.UTC(1973, 8, 16, 1, 3, 52);

function clock(nowMs: number, utcOffsetMinutes = 0, sourceDateEpoch?: string): BuildClock {
  return { now: () => nowMs, utcOffsetMinutes: () => utcOffsetMinutes, sourceDateEpoch: () => sourceDateEpoch };
}

interface Setup {
  files?: Record<string, string>;
  /** Modification times by path, in ms. */
  mtimes?: Record<string, number>;
  clock?: BuildClock;
  includePaths?: string[];
  file?: string;
}

function run(src: string, s: Setup = {}): PreprocessResult {
  const host = new MemoryFileHost({}, s.clock);
  const file = s.file ?? MAIN;
  host.set(file, src, s.mtimes?.[file]);
  for (const [path, text] of Object.entries(s.files ?? {})) host.set(path, text, s.mtimes?.[path]);
  return preprocess(file, src, { includePaths: s.includePaths ?? [], host });
}

/** Output lines, blank ones dropped. */
function out(r: PreprocessResult): string[] {
  return r.text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function diags(r: PreprocessResult): string[] {
  return r.diagnostics.map((d) => `${d.severity} ${d.range?.start.line}:${d.range?.start.col} ${d.message}`);
}

describe('preprocessor: predefined macros', () => {
  it('__DATE__ and __TIME__ read the host clock once, in local time', () => {
    let reads = 0;
    const c: BuildClock = {
      now: () => {
        reads++;
        return SEP_1973 + reads * 5000;
      },
      utcOffsetMinutes: () => -300,
      sourceDateEpoch: () => undefined,
    };
    const r = run('__DATE__ __TIME__\n__TIME__', { clock: c });
    assert.deepStrictEqual(out(r), ['"Sep 15 1973" "20:03:57"', '"20:03:57"']);
    assert.strictEqual(reads, 1);
    assert.deepStrictEqual(diags(r), []);
  });

  it('SOURCE_DATE_EPOCH fixes __DATE__ and __TIME__ in UTC, and an invalid one is an error at the use', () => {
    assert.deepStrictEqual(out(run('__DATE__ __TIME__', { clock: clock(SEP_1973, 120, ' +86399') })), ['"Jan  1 1970" "23:59:59"']);
    assert.deepStrictEqual(out(run('__DATE__', { clock: clock(SEP_1973, 120, '253402300799') })), ['"Dec 31 9999"']);
    const bad = run('x\n  __TIME__', { clock: clock(SEP_1973, 120, '0x10') });
    // gcc goes on with the clock's time.
    assert.deepStrictEqual(out(bad), ['x', '"03:03:52"']);
    assert.deepStrictEqual(diags(bad), [
      "error 1:2 environment variable 'SOURCE_DATE_EPOCH' must expand to a non-negative integer less than or equal to 253402300799",
    ]);
  });

  it('parses SOURCE_DATE_EPOCH as gcc does (strtoll, base 10, the whole value, 0..253402300799)', () => {
    const cases: [string, number | 'invalid'][] = [
      ['0', 0],
      ['-0', 0],
      [' 5', 5],
      ['+5', 5],
      ['010', 10],
      ['253402300799', 253402300799],
      ['', 'invalid'],
      ['5 ', 'invalid'],
      ['-1', 'invalid'],
      ['0x10', 'invalid'],
      ['abc', 'invalid'],
      ['253402300800', 'invalid'],
      ['99999999999999999999999', 'invalid'],
    ];
    for (const [v, want] of cases) assert.strictEqual(parseSourceDateEpoch(v), want, JSON.stringify(v));
  });

  it('__TIMESTAMP__ is the modification time of the file being read, whatever SOURCE_DATE_EPOCH says', () => {
    const r = run('a __TIMESTAMP__\n#include "h.dtsi"\nc STAMP', {
      files: { '/proj/h.dtsi': 'b __TIMESTAMP__\n#define STAMP __TIMESTAMP__\n' },
      mtimes: { [MAIN]: SEP_1973, '/proj/h.dtsi': Date.UTC(2024, 1, 29, 23, 59, 59, 999) },
      clock: clock(0, 60, '0'),
    });
    // A macro defined in the header but used in main.dts gives main.dts's time (gcc: the current buffer's).
    assert.deepStrictEqual(out(r), ['a "Sun Sep 16 02:03:52 1973"', 'b "Fri Mar  1 00:59:59 2024"', 'c "Sun Sep 16 02:03:52 1973"']);
    assert.deepStrictEqual(diags(r), []);
  });

  it('without a clock or a file time the macros say so, with one warning each, as gcc', () => {
    const r = run('__DATE__ __TIME__ __TIMESTAMP__\n__DATE__ __TIMESTAMP__');
    assert.deepStrictEqual(out(r), ['"??? ?? ????" "??:??:??" "??? ??? ?? ??:??:?? ????"', '"??? ?? ????" "??? ??? ?? ??:??:?? ????"']);
    assert.deepStrictEqual(diags(r), ['warning 0:0 could not determine date and time', 'warning 0:18 could not determine file timestamp']);
  });

  it('__COUNTER__, __INCLUDE_LEVEL__, __BASE_FILE__, __FILE__ and __FILE_NAME__ as cpp spells them', () => {
    const r = run('__COUNTER__ __INCLUDE_LEVEL__\n#include "sub/../inc/a.dtsi"\n#include <b.h>\n#if __COUNTER__ == 4\nfour\n#endif\n__COUNTER__', {
      files: {
        '/proj/inc/a.dtsi': '__FILE__ __FILE_NAME__ __BASE_FILE__ __INCLUDE_LEVEL__ __COUNTER__\n#include "b.h"\n',
        '/proj/inc/b.h': '__FILE__ __INCLUDE_LEVEL__ __COUNTER__\n',
      },
      includePaths: ['/proj/inc//'],
    });
    assert.deepStrictEqual(out(r), [
      '0 0',
      '"/proj/sub/../inc/a.dtsi" "a.dtsi" "/proj/main.dts" 1 1',
      '"/proj/sub/../inc/b.h" 2 2',
      '"/proj/inc//b.h" 1 3',
      'four',
      '5',
    ]);
    assert.deepStrictEqual(diags(r), []);
  });

  it('#ifdef and defined() see them; #undef removes them; a file name with quotes is escaped', () => {
    const src =
      '#if defined(__TIMESTAMP__) && defined __COUNTER__ && __STDC__ == 1 && __ASSEMBLER__ && __STDC_HOSTED__\nall\n#endif\n' +
      '#ifdef __DATE__\ndate\n#endif\n#undef __FILE__\n#ifndef __FILE__\ngone __FILE__\n#endif\n#line 7 "a\\"b.dts"\n#define F __FILE__\n';
    const r = run(`${src}F __LINE__`, { clock: clock(SEP_1973) });
    assert.deepStrictEqual(out(r), ['all', 'date', 'gone __FILE__', '__FILE__ 8']);
    assert.deepStrictEqual(diags(r), ['warning 6:7 undefining "__FILE__"']);
    const q = run('#line 3 "a\\"b\\\\c.dts"\n__FILE__ __FILE_NAME__');
    assert.deepStrictEqual(out(q), ['"a\\"b\\\\c.dts" "a\\"b\\\\c.dts"']);
  });

  it('warns on #define and #undef of predefined macros as cpp does', () => {
    const cases: [string, string[]][] = [
      ['#define __STDC__ 1', ['warning 0:8 "__STDC__" redefined']],
      ['#define __STDC_HOSTED__ 1', ['warning 0:8 "__STDC_HOSTED__" redefined']],
      ['#define __ASSEMBLER__ 1', []],
      ['#define __ASSEMBLER__ 2', ['warning 0:8 "__ASSEMBLER__" redefined']],
      ['#undef __ASSEMBLER__', []],
      ['#undef __STDC_HOSTED__', ['warning 0:7 undefining "__STDC_HOSTED__"']],
      ['#define __DATE__ 1\n#define __DATE__ 1', ['warning 0:8 "__DATE__" redefined']],
      ['#define __LINE__ 1\n#define __LINE__ 1', ['warning 0:8 "__LINE__" redefined', 'warning 1:8 "__LINE__" redefined']],
      ['#undef __LINE__\n#define __LINE__ 3\n#define __LINE__ 3', ['warning 0:7 undefining "__LINE__"', 'warning 2:8 "__LINE__" redefined']],
      ['#define __STDC_FOO 1\n#define __STDC_FOO 1\n#undef __STDC_FOO', ['warning 1:8 "__STDC_FOO" redefined', 'warning 2:7 undefining "__STDC_FOO"']],
      ['#define __STDC_LIMIT_MACROS 1\n#define __STDC_LIMIT_MACROS 1\n#undef __STDC_LIMIT_MACROS', []],
      ['#undef __TIMESTAMP__\n#undef __TIMESTAMP__', ['warning 0:7 undefining "__TIMESTAMP__"']],
    ];
    for (const [src, want] of cases) assert.deepStrictEqual(diags(run(src)), want, src);
  });

  it('a user redefinition replaces the dynamic value', () => {
    assert.deepStrictEqual(out(run('#define __TIMESTAMP__ "fixed"\n__TIMESTAMP__')), ['"fixed"']);
  });

  it('text that names a predefined macro takes the full path; other `__` words keep the fast path', () => {
    assert.strictEqual(needsPreprocessing('/ { model = __TIMESTAMP__; };'), true);
    assert.strictEqual(needsPreprocessing('/ { x = "a__LINE__"; };'), false);
    assert.strictEqual(needsPreprocessing('/ { __symbols__ { }; __overlay__ { }; x__FILE__y; };'), false);
    assert.strictEqual(needsPreprocessing('/ { __STDC__; };'), true);
  });

  it('a vendor board tree with __TIMESTAMP__ in its model compiles, and positions map to the use', () => {
    const text = '/dts-v1/;\n/ {\n\tmodel = __TIMESTAMP__;\n\tcompatible = "v,b";\n};\n';
    const host = new MemoryFileHost({}, clock(0));
    host.set(MAIN, text, SEP_1973);
    const r = compileText(MAIN, text, { host });
    assert.deepStrictEqual(r.diagnostics, []);
    const model = getProperty(findNodeByPath(r.tree, '/')!, 'model')!;
    assert.deepStrictEqual(propertyStrings(model), ['Sun Sep 16 01:03:52 1973']);
    const pp = preprocess(MAIN, text, { includePaths: [], host });
    const at = pp.map.positionAt(pp.text.indexOf('"Sun'));
    assert.deepStrictEqual(at, { file: MAIN, line: 2, col: 9, expanded: true });
  });

  it('brokenDown agrees with the calendar over four centuries and with time zones', () => {
    const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    let s = 12345;
    for (let i = 0; i < 2000; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const seconds = (s / 2147483648) * 253402300799 - 2208988800; // 1900 .. 9999
      const offset = (i % 29) * 60 - 840;
      const t = brokenDown(seconds, offset);
      const d = new Date((Math.floor(seconds) + offset * 60) * 1000);
      assert.deepStrictEqual(
        [t.year, t.month, t.day, weekday[t.weekday], t.hours, t.minutes, t.seconds],
        [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), weekday[d.getUTCDay()], d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()],
        String(seconds),
      );
    }
  });
});
