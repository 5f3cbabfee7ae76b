// The switch character: read from a serial_config.h through our preprocessor, the precedence of the
// project file, the setting or flag, the header and the default, and how it is written for the user.

import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { loadProject } from '../../../src/system/project';
import {
  describeKey,
  describeSwitchChar,
  parseSwitchChar,
  resolveSwitchChar,
  serialConfigCandidates,
  switchCharFromHeader,
} from '../../../src/system/switch-char';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const SYS = '/w/src/main.system';
const HEADER = '/w/src/serial_config.h';

/** A header as sDDF's examples write it: includes that do not resolve here, then the defines. */
function header(define: string): string {
  return [
    '#pragma once',
    '',
    '#include <microkit.h>',
    '#include <sddf/serial/queue.h>',
    '',
    '/* Control character to switch input stream */',
    define,
    "#define SERIAL_TERMINATE_NUM '\\r'",
    '',
  ].join('\n');
}

function fromHeader(define: string, file = HEADER) {
  return switchCharFromHeader(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, [file]: header(define) }));
}

describe('switch character: serial_config.h', () => {
  const spellings: [string, number][] = [
    ['#define SERIAL_SWITCH_CHAR 64', 0x40],
    ['#define SERIAL_SWITCH_CHAR 28', 0x1c],
    ["#define SERIAL_SWITCH_CHAR '@'", 0x40],
    ["#define SERIAL_SWITCH_CHAR '\\x1c'", 0x1c],
    ["#define SERIAL_SWITCH_CHAR '\\034'", 0x1c],
    ["#define SERIAL_SWITCH_CHAR '\\\\'", 0x5c],
    ["#define SERIAL_SWITCH_CHAR '\\0'", 0],
    ["#define SERIAL_SWITCH_CHAR '\\xff'", 0xff],
    ['#define SERIAL_SWITCH_CHAR 0x1C', 0x1c],
    ["#define SERIAL_SWITCH_CHAR ('A' - 1)", 0x40],
    ["#define CTRL(c) ((c) & 0x1f)\n#define SERIAL_SWITCH_CHAR CTRL('\\\\')", 0x1c],
    ["#define SWITCH_KEY '@'\n#define SERIAL_SWITCH_CHAR SWITCH_KEY", 0x40],
    ["#ifndef SERIAL_SWITCH_CHAR\n#define SERIAL_SWITCH_CHAR /* at */ '@'\n#endif", 0x40],
    ['#if 0\n#define SERIAL_SWITCH_CHAR 1\n#else\n#define SERIAL_SWITCH_CHAR \\\n  64\n#endif', 0x40],
  ];
  for (const [define, expected] of spellings) {
    it(`reads ${JSON.stringify(define)} as 0x${expected.toString(16)}`, () => {
      const r = fromHeader(define);
      assert.deepStrictEqual(r.diagnostics, []);
      assert.strictEqual(r.value, expected);
      assert.strictEqual(r.file, HEADER);
    });
  }

  it('points at the #define with a warning when the value cannot be evaluated, and keeps the default', () => {
    const cases: [string, RegExp][] = [
      ['#define SERIAL_SWITCH_CHAR SWITCH_KEY', /'SWITCH_KEY' is not a macro defined here/],
      ['#define SERIAL_SWITCH_CHAR 300', /its value 300 is not a character/],
      ['#define SERIAL_SWITCH_CHAR "@"', /token ""@"" is not valid in an expression/],
      ['#define SERIAL_SWITCH_CHAR', /expected an expression/],
      ['#define SERIAL_SWITCH_CHAR(x) x', /function-like macro/],
      ["#define SERIAL_SWITCH_CHAR 'ab", /SERIAL_SWITCH_CHAR/],
    ];
    for (const [define, message] of cases) {
      const host = new MemoryFileHost({ [SYS]: EXAMPLE, [HEADER]: header(define) });
      const r = resolveSwitchChar({ systemFile: SYS, host });
      assert.strictEqual(r.value, 0x1c, define);
      assert.deepStrictEqual(r.origin, { kind: 'default', unusableHeader: HEADER }, define);
      assert.strictEqual(r.diagnostics.length, 1, define);
      const d = r.diagnostics[0];
      assert.strictEqual(d.severity, 'warning');
      assert.strictEqual(d.code, 'project-switch-char');
      assert.match(d.message, message, define);
      assert.match(d.message, /set "serial.switchChar" in the project file/);
      // The #define is line 7 of the header (0-based 6): at the macro's name (an empty body: just after it).
      assert.deepStrictEqual([d.range?.file, d.range?.start.line], [HEADER, 6], define);
      assert.strictEqual(d.range?.start.col, define === '#define SERIAL_SWITCH_CHAR' ? 26 : 8, define);
    }
  });

  it('follows an #include beside the header, and sees a change in either file (evaluated once per text)', () => {
    const host = new MemoryFileHost({
      [SYS]: EXAMPLE,
      [HEADER]: header('#include "keys.h"\n#define SERIAL_SWITCH_CHAR KEY_AT'),
      '/w/src/keys.h': "#define KEY_AT '@'\n",
    });
    assert.strictEqual(switchCharFromHeader(SYS, host).value, 0x40);
    assert.strictEqual(switchCharFromHeader(SYS, host).value, 0x40);
    host.set('/w/src/keys.h', "#define KEY_AT '#'\n");
    assert.strictEqual(switchCharFromHeader(SYS, host).value, 0x23);
    host.set(HEADER, header('#define SERIAL_SWITCH_CHAR 33'));
    assert.strictEqual(switchCharFromHeader(SYS, host).value, 0x21);
  });

  it('searches beside the .system and where builds keep it, up to two folders above, nearest first', () => {
    assert.deepStrictEqual(serialConfigCandidates('/a/b/c/x.system').slice(0, 4), [
      '/a/b/c/serial_config.h',
      '/a/b/c/include/serial_config.h',
      '/a/b/c/include/serial_config/serial_config.h',
      '/a/b/c/src/serial_config.h',
    ]);
    assert.strictEqual(serialConfigCandidates('/a/b/c/x.system').length, 12);
    assert.ok(!serialConfigCandidates('/a/b/c/x.system').some((f) => f === '/serial_config.h'));
    // sDDF's examples: include/serial_config/serial_config.h above a build folder.
    assert.strictEqual(fromHeader('#define SERIAL_SWITCH_CHAR 64', '/w/include/serial_config/serial_config.h').value, 0x40);
    // The nearest header wins; one without the macro is passed over.
    const host = new MemoryFileHost({
      [SYS]: EXAMPLE,
      [HEADER]: header("#define SERIAL_SWITCH_CHAR '@'"),
      '/w/serial_config.h': header("#define SERIAL_SWITCH_CHAR '#'"),
    });
    assert.strictEqual(switchCharFromHeader(SYS, host).value, 0x40);
    host.set(HEADER, '#define SERIAL_NUM_CLIENTS 2\n');
    assert.deepStrictEqual([switchCharFromHeader(SYS, host).value, switchCharFromHeader(SYS, host).file], [0x23, '/w/serial_config.h']);
    // Too far up: not found.
    assert.strictEqual(
      switchCharFromHeader('/a/b/c/d/x.system', new MemoryFileHost({ '/a/serial_config.h': header('#define SERIAL_SWITCH_CHAR 64') })).value,
      undefined,
    );
  });
});

describe('switch character: precedence', () => {
  const JSONF = '/w/src/main.json';
  const withHeader = { [SYS]: EXAMPLE, [HEADER]: header('#define SERIAL_SWITCH_CHAR 35') };
  const flag = { value: 0x21, label: '--switch-char' };

  it('project file > setting or flag > serial_config.h > default', () => {
    const project = loadProject(SYS, new MemoryFileHost({ ...withHeader, [JSONF]: '{ "serial": { "switchChar": "@" } }' }), { switchChar: flag });
    assert.strictEqual(project.serial.switchChar, 0x40);
    assert.deepStrictEqual(project.serial.switchCharOrigin, {
      kind: 'project',
      file: JSONF,
      range: { file: JSONF, start: { line: 0, col: 28 }, end: { line: 0, col: 31 } },
      shadowed: flag,
    });
    const overridden = loadProject(SYS, new MemoryFileHost(withHeader), { switchChar: flag });
    assert.deepStrictEqual([overridden.serial.switchChar, overridden.serial.switchCharOrigin], [0x21, { kind: 'override', label: '--switch-char' }]);
    const inferred = loadProject(SYS, new MemoryFileHost(withHeader));
    assert.strictEqual(inferred.serial.switchChar, 0x23);
    assert.strictEqual(inferred.serial.switchCharOrigin.kind, 'header');
    const bare = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE }));
    assert.deepStrictEqual([bare.serial.switchChar, bare.serial.switchCharOrigin], [0x1c, { kind: 'default', unusableHeader: undefined }]);
  });

  it('an override equal to the project file is not reported as shadowed; the header warning reaches the project', () => {
    const same = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, [JSONF]: '{ "serial": { "switchChar": 33 } }' }), { switchChar: flag });
    assert.strictEqual(same.serial.switchCharOrigin.kind === 'project' && same.serial.switchCharOrigin.shadowed, undefined);
    const broken = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, [HEADER]: header('#define SERIAL_SWITCH_CHAR KEY') }));
    assert.deepStrictEqual(
      broken.diagnostics.filter((d) => d.code === 'project-switch-char').map((d) => d.range?.file),
      [HEADER],
    );
    // A switch character given elsewhere means the header is not read, so it cannot warn.
    const given = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, [HEADER]: header('#define SERIAL_SWITCH_CHAR KEY') }), { switchChar: flag });
    assert.ok(!given.diagnostics.some((d) => d.code === 'project-switch-char'));
  });
});

describe('switch character: as typed and as shown', () => {
  it('parses a character, a control key or a byte value', () => {
    const cases: [string, number | undefined][] = [
      ['@', 0x40],
      ['Ctrl-\\', 0x1c],
      ['ctrl+]', 0x1d],
      ['^\\', 0x1c],
      ['Ctrl-a', 0x01],
      ['Ctrl-?', 0x7f],
      ['0x1c', 0x1c],
      ['0X40', 0x40],
      ['28', 28],
      ['7', 0x37],
      ['255', 255],
      ['', undefined],
      ['256', undefined],
      ['Ctrl-', undefined],
      ['Ctrl-ab', undefined],
      ['Ctrl-1', undefined],
      ['0x', undefined],
      ['0x100', undefined],
      ['@@', undefined],
      ['€', undefined],
    ];
    for (const [text, value] of cases) assert.strictEqual(parseSwitchChar(text), value, text);
  });

  it('writes keys as the user types them, and says where the character came from', () => {
    assert.deepStrictEqual([0x1c, 0x40, 0x1d, 0x7f, 0xa0, 0x20].map(describeKey), ['Ctrl-\\', "'@'", 'Ctrl-]', 'Ctrl-?', '0xa0', "' '"]);
    const r = { file: HEADER, start: { line: 16, col: 8 }, end: { line: 16, col: 26 } };
    assert.strictEqual(describeSwitchChar(0x40, { kind: 'project', file: '/w/dual-guest.json' }), "'@' (from the project file dual-guest.json)");
    assert.strictEqual(
      describeSwitchChar(0x40, { kind: 'project', file: '/w/dual-guest.json', shadowed: { value: 0x1c, label: '--switch-char' } }),
      "'@' (from the project file dual-guest.json, over --switch-char's Ctrl-\\)",
    );
    assert.strictEqual(
      describeSwitchChar(0x21, { kind: 'override', label: 'the setting microkitDualGuest.emulator.switchCharacter' }),
      "'!' (from the setting microkitDualGuest.emulator.switchCharacter)",
    );
    assert.strictEqual(
      describeSwitchChar(0x40, { kind: 'header', file: HEADER, range: r }, (f) => f.slice(3)),
      "'@' (from SERIAL_SWITCH_CHAR in src/serial_config.h:17)",
    );
    assert.strictEqual(describeSwitchChar(0x1c, { kind: 'default' }), "Ctrl-\\ (sdfgen's default)");
    assert.strictEqual(
      describeSwitchChar(0x1c, { kind: 'default', unusableHeader: HEADER }),
      "Ctrl-\\ (sdfgen's default: SERIAL_SWITCH_CHAR in serial_config.h could not be read)",
    );
  });
});
