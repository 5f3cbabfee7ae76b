// `dual-guest lint` on .system files: text and JSON output, exit status 1 on errors.

import * as assert from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { runLint } from '../../../src/cli/lint';

const GOOD = '<system>\n  <memory_region name="a" size="0x1000" />\n  <protection_domain name="p">\n    <program_image path="p.elf" />\n    <map mr="a" vaddr="0x0" />\n  </protection_domain>\n</system>\n';
const BAD = GOOD.replace('<map mr="a" vaddr="0x0" />', '<map mr="a" vaddr="0x0" perms="w" />');

function lint(args: string[], files: Record<string, string>): { code: number; out: string; err: string } {
  let out = '', err = '';
  const code = runLint(args, { host: new MemoryFileHost(files), cwd: '/w', stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
  return { code, out, err };
}

describe('dual-guest lint on .system files', () => {
  it('a clean system prints nothing and exits 0', () => {
    assert.deepStrictEqual(lint(['s.system'], { '/w/s.system': GOOD }), { code: 0, out: '', err: '' });
  });

  it('an error is printed with its position and the rule, exit 1', () => {
    const r = lint(['s.system'], { '/w/s.system': BAD });
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.out, "s.system:5.36-5.37: Error (sdf-write-only-map): perms must not be 'w', write-only mappings are not allowed on element 'map'\n");
  });

  it('--format json, and a project file joined with +', () => {
    const r = lint(['--format', 'json', 's.system+p.json'], { '/w/s.system': GOOD, '/w/p.json': '{ "serial": { "baud": 0 } }' });
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(JSON.parse(r.out), [{
      file: 'p.json', range: { start: { line: 1, col: 23 }, end: { line: 1, col: 24 } }, severity: 'error', code: 'project-schema',
      message: "'baud' must be greater than 0", subject: null,
    }]);
  });
});
