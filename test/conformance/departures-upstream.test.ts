// Every upstream line the emulator's departure notes cite exists in the pinned upstream sources
// (../shared/upstream, see its README for the commits).
import { strict as assert } from 'assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './corpus';

const UPSTREAM = path.resolve(PROJECT_ROOT, '..', 'shared', 'upstream');
const CITE = /\((sddf|libvmm|microkit) ([\w./-]+:\d[^)]*)\)/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('conformance: departure notes cite lines that exist upstream', () => {
  it('every cited file exists and every cited line is within it', () => {
    assert.ok(existsSync(UPSTREAM), `the pinned upstream sources are missing: expected them at ${UPSTREAM}`);
    let cited = 0;
    for (const f of files(path.join(PROJECT_ROOT, 'src', 'emulator'))) {
      const text = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('//'))
        .map((l) => l.slice(2).trim())
        .join(' ');
      for (const [, repo, refs] of text.matchAll(CITE)) {
        let file = '';
        for (const part of refs.split(', ')) {
          const m = /^(?:([\w./-]+):)?(\d+)(?:-(\d+))?$/.exec(part);
          assert.ok(m, `${path.basename(f)}: cannot read the citation part '${part}' of (${repo} ${refs})`);
          if (m[1]) file = m[1];
          const upstreamFile = path.join(UPSTREAM, repo, file);
          assert.ok(existsSync(upstreamFile), `${path.basename(f)}: ${repo}/${file} does not exist`);
          const lines = readFileSync(upstreamFile, 'utf8').split('\n').length;
          assert.ok(Number(m[3] ?? m[2]) <= lines, `${path.basename(f)}: ${repo}/${file} has ${lines} lines, cited ${part}`);
          cited++;
        }
      }
    }
    assert.ok(cited >= 30, `only ${cited} citations found`);
  });
});
