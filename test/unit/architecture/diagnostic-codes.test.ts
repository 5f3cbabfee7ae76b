// Diagnostic codes are one union derived from the rule tables (common/diagnostics.ts DiagnosticCodes):
// the compiler rejects a code no table declares, so `npm test` (its typecheck) fails on a typo or
// on a code that drifted from the rule that emits it.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as ts from 'typescript';
import type { Diagnostic } from '../../../src/common/diagnostics';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Typecheck `source` as a file of src/ (so its imports resolve as they would there); the texts of its errors. */
function typecheck(source: string): string[] {
  const file = path.join(ROOT, 'src', '__code_fixture__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    types: [],
    lib: ['lib.es2022.d.ts'],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) => (path.resolve(name) === file ? ts.createSourceFile(name, source, version) : read(name, version, onError));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('diagnostic codes', () => {
  it('a code no rule table declares does not compile; a declared one does', function () {
    this.timeout(60_000);
    const fixture = (code: string): string =>
      [
        "import type { Diagnostic } from './common/diagnostics';",
        "import './system/rule-table';",
        `export const d: Diagnostic = { severity: 'warning', message: 'unused', code: '${code}' };`,
        // The drift this type caught: the language server greyed out a code no rule emits.
        `export const greyed = (x: Diagnostic): boolean => x.code === '${code}';`,
      ].join('\n');
    assert.deepEqual(typecheck(fixture('sdf-unused-mr')), []);
    const errors = typecheck(fixture('sdf-unused-memory-region'));
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0], /Type '"sdf-unused-memory-region"' is not assignable to type/);
    assert.match(errors[1], /no overlap/);
  });

  it('every layer registers its codes (dtc checks, the front end, system rules, the emulator, the server)', () => {
    const codes: NonNullable<Diagnostic['code']>[] = ['unit_address_vs_reg', 'syntax', 'sdf-unused-mr', 'guest-dt-memory', 'emulator-boot', 'internal-error'];
    assert.equal(codes.length, 6);
    // @ts-expect-error: the name of the rule, not its message (this line stops compiling if the code ever becomes valid)
    const typo: Diagnostic['code'] = 'unused_memory_region';
    assert.equal(typo, 'unused_memory_region');
  });
});
