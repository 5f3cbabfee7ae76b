// The layers, held by the compiler (tsconfig/cores.json, tsconfig/devicetree.json): the cores see no
// Node or DOM types, and a layer's files import only its own and the layers below (a composite
// project must list every file of its program). Each case adds one probe file to a layer's program.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The errors of `layer`'s program with `probe` (a file of `probeDir`) added, as "file: TSnnnn message". */
function compileLayer(layer: string, probeDir?: string, probe?: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig', `${layer}.json`),
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  )!;
  const probeFile = probeDir ? path.join(ROOT, probeDir, '__layer_probe__.ts') : undefined;
  const host = ts.createCompilerHost(parsed.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) =>
    probeFile && path.resolve(name) === probeFile ? ts.createSourceFile(name, probe!, version) : read(name, version, onError);
  host.fileExists = (
    (exists) => (name: string) =>
      (probeFile !== undefined && path.resolve(name) === probeFile) || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram({ rootNames: probeFile ? [...parsed.fileNames, probeFile] : parsed.fileNames, options: parsed.options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : '-'}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

/** The errors in files of `dirs` other than the probe (a layer's own files must compile). */
function ownErrors(errors: string[], dirs: string[]): string[] {
  return errors.filter((e) => dirs.some((d) => e.startsWith(`${d}/`)) && !e.includes('__layer_probe__'));
}

describe('layers', function () {
  this.timeout(180_000);

  it('the cores compile without Node or DOM types; a core using a Node module or a DOM global does not', () => {
    const errors = compileLayer(
      'cores',
      'src/system',
      ["import { readFileSync } from 'fs';", 'export const probe = [readFileSync, document.title, process.env.HOME];'].join('\n'),
    );
    assert.deepEqual(ownErrors(errors, ['src/common', 'src/devicetree', 'src/system', 'src/emulator']), []);
    const has = (re: RegExp): boolean => errors.some((e) => re.test(e));
    assert.ok(has(/__layer_probe__\.ts: TS2307 Cannot find module 'fs'/), errors.join('\n'));
    assert.ok(has(/__layer_probe__\.ts: TS(2584|2304) Cannot find name 'document'/), errors.join('\n'));
    assert.ok(has(/__layer_probe__\.ts: TS(2580|2591) Cannot find name 'process'/), errors.join('\n'));
  });

  it('src/devicetree compiles with src/common alone; importing the system core or the language server does not', () => {
    const errors = compileLayer(
      'devicetree',
      'src/devicetree',
      [
        "import { parseSystem } from '../system/parse';",
        "import { toLspDiagnostic } from '../server/convert';",
        'export const probe = [parseSystem, toLspDiagnostic];',
      ].join('\n'),
    );
    assert.deepEqual(ownErrors(errors, ['src/common', 'src/devicetree']), []);
    assert.ok(
      errors.some((e) => /__layer_probe__\.ts: TS6307 File '.*src\/system\/parse\.ts' is not listed within the file list of project/.test(e)),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => /__layer_probe__\.ts: TS6307 File '.*src\/server\/convert\.ts' is not listed/.test(e)),
      errors.join('\n'),
    );
  });
});
