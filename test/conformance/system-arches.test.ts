// Every .system of ../shared/corpus and ../shared/upstream on every architecture: on AArch64 (the
// architecture they are written for) no error at all; on the others only the errors the real tool
// gives for that architecture (its ARM IRQs on x86, VMs on RISC-V's non-hypervisor kernel, a VM's
// scheduling attributes on x86 from 2.3). And the count of sdf.rs error sites the corpus is held to.
import * as assert from 'assert';
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { parseSystem } from '../../src/system/parse';
import { ARCHES } from '../../src/system/target';
import { corpusPath } from './corpus';
import { SDF_ERROR_SITES } from '../unit/system/sdf-conformance.test';

function systemFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...systemFiles(p));
    else if (e.endsWith('.system')) out.push(p);
  }
  return out;
}

/** What the tool says of an AArch64 file on the other architectures: true errors, not false ones. */
const ARCH_ERRORS: Record<string, RegExp> = {
  riscv64: /^(seL4 has not been built as a hypervisor|invalid attribute '(priority|budget|period)' on element 'virtual_machine')/,
  x86_64: /^(ARM and RISC-V IRQs are not supported on x86|invalid attribute '(priority|budget|period)' on element 'virtual_machine')/,
};

describe('corpus .system files on every architecture', () => {
  const root = path.dirname(corpusPath('.'));
  const files = [...systemFiles(path.join(root, 'corpus')), ...systemFiles(path.join(root, 'upstream'))];

  it('finds the corpus systems', () => assert.ok(files.length >= 4, files.join(', ')));

  for (const file of files) {
    for (const arch of ARCHES) {
      it(`${path.relative(root, file)} on ${arch}: ${arch === 'aarch64' ? 'no error' : 'only the errors the tool gives on that architecture'}`, () => {
        const { diagnostics } = parseSystem(file, readFileSync(file, 'utf8'), { arch, archOrigin: 'project' });
        const errors = diagnostics.filter((d) => d.severity === 'error');
        const unexpected = arch === 'aarch64' ? errors : errors.filter((d) => !ARCH_ERRORS[arch].test(d.message));
        assert.deepStrictEqual(
          unexpected.map((d) => `${d.code} ${d.range?.start.line}: ${d.message}`),
          [],
        );
      });
    }
  }

  it(`sdf.rs has ${SDF_ERROR_SITES} error sites (Err and value_error calls), as the conformance corpus counts`, () => {
    const lines = readFileSync(path.join(root, 'upstream/microkit/tool/microkit/src/sdf.rs'), 'utf8').split('\n');
    let sites = 0;
    lines.forEach((l, i) => {
      if (l.includes('fn value_error')) return;
      if (l.includes('value_error(')) sites++;
      else if (
        /Err\((format!|"|\s*$)/.test(l) &&
        !lines
          .slice(i, i + 3)
          .join(' ')
          .includes('value_error(')
      )
        sites++;
    });
    assert.strictEqual(sites, SDF_ERROR_SITES);
  });
});
