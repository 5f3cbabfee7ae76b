// The per-file front-end cache: a compile through it equals a compile without it, files shared by
// two trees are preprocessed and parsed once, and a change to anything an entry read invalidates it.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { MemoryFileHost } from '../../../src/common/host';
import { compileTexts, FrontEndCache, writeDtb, writeDts, type CompileInput, type CompileResult } from '../../../src/devicetree/compile';
import { findNodeByPath, getProperty, propertyCells, propertyStrings } from '../../../src/devicetree/tree';

/** Everything a compile returns, in a comparable form (trees through both writers). */
function view(r: CompileResult): unknown {
  return {
    dts: writeDts(r.tree),
    dtb: [...writeDtb(r.tree)],
    diagnostics: r.diagnostics,
    fixupDiagnostics: r.fixupDiagnostics,
    files: r.files,
    includeDirectives: r.includeDirectives,
    documents: r.documents,
  };
}

function cellsAt(r: CompileResult, path: string, prop: string): number[] {
  const n = findNodeByPath(r.tree, path);
  const p = n && getProperty(n, prop);
  return p ? propertyCells(p) : [];
}

const BASE = '/dts-v1/;\n#include "defs.h"\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tl: n@10 { reg = <0x10 4>; v = <VAL>; };\n};\n';
const OVERLAY_1 = '&l { status = "okay"; };\n/ { a = <1>; };\n';
const OVERLAY_2 = '&l { status = "disabled"; };\n/ { b = <&l>; };\n';

describe('devicetree/front-end cache', () => {
  it('a file using __TIMESTAMP__ is compiled again when its modification time changes; __DATE__ is never reused', () => {
    const host = new MemoryFileHost({}, { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), utcOffsetMinutes: () => 0, sourceDateEpoch: () => undefined });
    const text = '/dts-v1/;\n/ { model = __TIMESTAMP__; };\n';
    host.set('/w/t.dts', text, Date.UTC(2020, 5, 1, 12, 0, 0));
    const cache = new FrontEndCache();
    const model = (r: CompileResult): string => propertyStrings(getProperty(findNodeByPath(r.tree, '/')!, 'model')!)[0];
    const first = compileTexts([{ file: '/w/t.dts', text }], { host, includePaths: [], cache });
    assert.equal(model(first), 'Mon Jun  1 12:00:00 2020');
    host.set('/w/t.dts', text, Date.UTC(2021, 6, 2, 13, 1, 2));
    const second = compileTexts([{ file: '/w/t.dts', text }], { host, includePaths: [], cache });
    assert.equal(model(second), 'Fri Jul  2 13:01:02 2021');
    const dated = '/dts-v1/;\n/ { model = __DATE__; };\n';
    compileTexts([{ file: '/w/d.dts', text: dated }], { host, includePaths: [], cache });
    const misses = cache.misses;
    compileTexts([{ file: '/w/d.dts', text: dated }], { host, includePaths: [], cache });
    assert.equal(cache.misses, misses + 1, 'a file that read the clock is preprocessed again');
  });

  it('compiles as without it, and two trees on one base preprocess and parse it once', () => {
    const host = new MemoryFileHost({ '/w/defs.h': '#define VAL 7\n' });
    const cache = new FrontEndCache();
    const opts = { host, includePaths: [] as string[] };
    const tree1: CompileInput[] = [
      { file: '/w/base.dts', text: BASE },
      { file: '/w/g1.dts', text: OVERLAY_1 },
    ];
    const tree2: CompileInput[] = [
      { file: '/w/base.dts', text: BASE },
      { file: '/w/g2.dts', text: OVERLAY_2 },
    ];
    const r1 = compileTexts(tree1, { ...opts, cache });
    const r2 = compileTexts(tree2, { ...opts, cache });
    assert.deepEqual(view(r1), view(compileTexts(tree1, opts)));
    assert.deepEqual(view(r2), view(compileTexts(tree2, opts)));
    assert.deepEqual(cellsAt(r1, '/n@10', 'v'), [7]);
    assert.equal(cache.misses, 3, 'base, g1, g2');
    assert.equal(cache.hits, 1, 'the base, for the second tree');
    assert.equal(r1.documents[0].ast, r2.documents[0].ast, 'one parse of the base');
    // A new text of the base is parsed once more; the overlays' entries still serve.
    const edited = BASE.replace('<0x10 4>', '<0x10 8>');
    compileTexts([{ file: '/w/base.dts', text: edited }, tree1[1]], { ...opts, cache });
    compileTexts([{ file: '/w/base.dts', text: edited }, tree2[1]], { ...opts, cache });
    assert.deepEqual([cache.misses, cache.hits], [4, 4]);
  });

  it('an edit to an included file invalidates what included it (#include and /include/, and a file appearing earlier in the search)', () => {
    const host = new MemoryFileHost({ '/w/defs.h': '#define VAL 7\n', '/w/inc/more.dtsi': '/ { m = <1>; };\n' });
    const cache = new FrontEndCache();
    const opts = { host, includePaths: ['/w/inc'] };
    const inputs: CompileInput[] = [
      { file: '/w/base.dts', text: BASE },
      { file: '/w/o.dts', text: '/include/ "more.dtsi"\n/ { o = <VAL>; };\n' },
    ];
    const compile = (): CompileResult => {
      const cached = compileTexts(inputs, { ...opts, cache });
      assert.deepEqual(view(cached), view(compileTexts(inputs, opts)));
      return cached;
    };
    assert.deepEqual(cellsAt(compile(), '/n@10', 'v'), [7]);
    host.set('/w/defs.h', '#define VAL 9\n');
    assert.deepEqual(cellsAt(compile(), '/n@10', 'v'), [9]);
    host.set('/w/inc/more.dtsi', '/ { m = <2>; };\n');
    assert.deepEqual(cellsAt(compile(), '/', 'm'), [2]);
    // Found first now: the overlay's directory comes before the include path.
    host.set('/w/more.dtsi', '/ { m = <3>; };\n');
    assert.deepEqual(cellsAt(compile(), '/', 'm'), [3]);
    const before = cache.misses;
    compile();
    assert.equal(cache.misses, before, 'nothing changed: no front end re-run');
  });

  it('a base that does not end at the top level (a node closed in the overlay) compiles as the texts appended', () => {
    const host = new MemoryFileHost({});
    const inputs: CompileInput[] = [
      { file: '/w/a.dts', text: '/dts-v1/;\n/ {\n\tx = <1>;\n' },
      { file: '/w/b.dts', text: '\ty = <2>;\n};\n' },
    ];
    const cache = new FrontEndCache();
    const r = compileTexts(inputs, { host, cache });
    assert.deepEqual(view(r), view(compileTexts(inputs, { host })));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(cellsAt(r, '/', 'y'), [2]);
  });

  it('property: any sequence of base and overlay texts compiles through one cache as without it', () => {
    const frags = [
      '/dts-v1/;\n',
      '/ {',
      '};',
      '{',
      '}',
      ';',
      'l: ',
      'n@1 ',
      'p = <1 2>;',
      '&l ',
      '&l { q; };',
      '"s',
      '[00 01]',
      '/*',
      '*/',
      '#include "h.h"\n',
      '#define V 3\n',
      'V',
      '/include/ "i.dtsi"\n',
      '/delete-node/ &l;',
      '/memreserve/ 0 1;',
      '\n',
      ' ',
      '/plugin/;\n',
    ];
    const text = fc.array(fc.constantFrom(...frags), { maxLength: 14 }).map((a) => a.join(''));
    const host = new MemoryFileHost({ '/w/h.h': '#define V 5\n', '/w/i.dtsi': '/ { i; };\n' });
    const cache = new FrontEndCache();
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text, text, fc.nat(2)), { minLength: 1, maxLength: 6 }), (versions) => {
        for (const [base, o1, o2, n] of versions) {
          const inputs: CompileInput[] = [
            { file: '/w/base.dts', text: '/dts-v1/;\n' + base },
            { file: '/w/o1.dts', text: o1 },
            { file: '/w/o2.dts', text: o2 },
          ].slice(0, n + 1);
          assert.deepEqual(view(compileTexts(inputs, { host, cache })), view(compileTexts(inputs, { host })));
        }
      }),
      { numRuns: 150 },
    );
    assert.ok(cache.hits > 0);
  });
});
