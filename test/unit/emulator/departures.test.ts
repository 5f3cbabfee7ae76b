// The departure notes: emulator.ts lists every file that departs from the pinned upstream, and every
// such file has its own list, each item citing the upstream file and line it departs from.
import { strict as assert } from 'assert';
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', 'src', 'emulator');
const HEADER = '// Departures from the pinned upstream (sDDF 650ace5, libvmm';
/** "(sddf path/file.c:12)", "(libvmm path:12-14, 20)", "(microkit docs/manual.md:189)". */
const CITATION = /\((?:sddf|libvmm|microkit) [\w./-]+\.(?:c|h|md|rs|py):\d+(?:-\d+)?(?:, (?:[\w./-]+\.(?:c|h|md|rs|py):)?\d+(?:-\d+)?)*\)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The "- " items of the departure list that starts at the header, continuation lines joined. */
function items(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(HEADER));
  if (start < 0) return [];
  const out: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('// - ')) out.push(l.slice(5));
    else if (l.startsWith('//   ') && out.length > 0) out[out.length - 1] += ` ${l.slice(5)}`;
    else if (!l.startsWith(HEADER.slice(0, 3)) || out.length > 0) break;
  }
  return out;
}

describe('emulator: departure notes', () => {
  const rel = (p: string): string => path.relative(ROOT, p).split(path.sep).join('/');
  const perFile = new Map(
    files(ROOT)
      .filter((f) => !f.endsWith('emulator.ts'))
      .map((f) => [rel(f), items(readFileSync(f, 'utf8'))] as const)
      .filter(([, list]) => list.length > 0),
  );
  const summary = items(readFileSync(path.join(ROOT, 'emulator.ts'), 'utf8'));

  it('emulator.ts names every file with a departure list, and only those', () => {
    const named = summary.map((s) => s.slice(0, s.indexOf(':')));
    assert.deepEqual([...named].sort(), [...perFile.keys()].sort());
  });

  it('every departure in a file cites the upstream file and line it departs from', () => {
    assert.ok(perFile.size >= 8, [...perFile.keys()].join(', '));
    for (const [file, list] of perFile) for (const item of list) assert.match(item, CITATION, `${file}: ${item}`);
  });

  it("emulator.ts's line for a file has as many parts as the file has departures", () => {
    for (const s of summary) {
      const file = s.slice(0, s.indexOf(':'));
      const parts = s.slice(file.length + 1).split(';').length;
      assert.equal(parts, perFile.get(file)?.length, `${file}: ${s}`);
    }
  });
});
