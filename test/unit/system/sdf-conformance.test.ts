// The conformance corpus of test/fixtures/sdf-conformance: one .system per error site of the
// microkit tool's sdf.rs (Microkit 2.3.0), each naming its site, the architecture (and release)
// it is checked for, and the tool's message text. Ours must report an error containing that text.
import * as assert from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseSystem } from '../../../src/system/parse';
import { isArch, isMicrokitVersion, type TargetOptions } from '../../../src/system/target';

export const CORPUS_DIR = path.join(__dirname, '../../fixtures/sdf-conformance');

/** The error sites of sdf.rs at 2.3.0: each `Err(...)` and `value_error(...)` call (test/conformance/sdf-sites.test.ts recounts them). */
export const SDF_ERROR_SITES = 131;

export interface ConformanceCase {
  file: string;
  line: number;
  options: TargetOptions;
  expect: string;
  text: string;
}

export function conformanceCases(): ConformanceCase[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.system'))
    .sort()
    .map((f) => {
      const text = readFileSync(path.join(CORPUS_DIR, f), 'utf8');
      const head = /<!-- sdf\.rs:(\d+) arch=(\S+)(?: version=(\S+))? -->/.exec(text);
      const expect = /<!-- expect: (.*) -->/.exec(text);
      if (!head || !expect || !isArch(head[2]) || (head[3] !== undefined && !isMicrokitVersion(head[3]))) throw new Error(`${f}: malformed header`);
      const options: TargetOptions = {
        arch: head[2],
        archOrigin: 'project',
        version: head[3] as TargetOptions['version'],
        versionOrigin: head[3] ? 'project' : undefined,
      };
      return { file: f, line: Number(head[1]), options, expect: expect[1], text };
    });
}

describe('sdf.rs conformance corpus', () => {
  const cases = conformanceCases();

  for (const c of cases) {
    it(`${c.file}: sdf.rs:${c.line} on ${c.options.arch}: "${c.expect}"`, () => {
      const { diagnostics } = parseSystem(path.join(CORPUS_DIR, c.file), c.text, c.options);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      assert.ok(
        errors.some((d) => d.message.includes(c.expect) && d.range !== undefined),
        `no error containing the tool's text; got:\n${errors.map((d) => `${d.code}: ${d.message}`).join('\n')}`,
      );
    });
  }

  it(`covers ${new Set(cases.map((c) => c.line)).size} of the ${SDF_ERROR_SITES} error sites of sdf.rs`, () => {
    const covered = new Set(cases.map((c) => c.line)).size;
    console.log(`      sdf.rs error sites covered: ${covered} of ${SDF_ERROR_SITES}`);
    assert.ok(covered >= 118, `${covered}`);
  });

  it('the tool-clean variant of each file (its other arches aside) never crashes the parser', () => {
    for (const c of cases) for (const arch of ['aarch64', 'riscv64', 'x86_64'] as const) parseSystem(c.file, c.text, { ...c.options, arch });
  });
});
