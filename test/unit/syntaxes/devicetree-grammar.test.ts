// Runs the TextMate grammar tests (vscode-tmgrammar-test assertions in cases/*.dts) and checks that
// the grammars and language configurations the manifest names exist and are well-formed.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');

/** vscode-tmgrammar-test's assertions in `cases` against `grammar`: its output, after checking it passed. */
function grammarTest(grammar: string, cases: string): string {
  const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js', { paths: [root] });
  const run = spawnSync(process.execPath, [cli, '-c', '-g', grammar, cases], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  return run.stdout;
}

describe('syntaxes', () => {
  it('the devicetree grammar passes every tmgrammar assertion', function () {
    this.timeout(20000);
    const stdout = grammarTest('syntaxes/devicetree.tmLanguage.json', 'test/unit/syntaxes/cases/*.dts');
    assert.match(stdout, /basic\.dts run successfuly/);
    assert.match(stdout, /directives\.dts run successfuly/);
  });

  it('the serial-log grammar passes every tmgrammar assertion', function () {
    this.timeout(20000);
    assert.match(grammarTest('syntaxes/serial-log.tmLanguage.json', 'test/unit/syntaxes/cases/*.log'), /board\.log run successfuly/);
  });

  it('the manifest contributes its languages with existing grammars and configurations', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const ids = pkg.contributes.languages.map((l: { id: string }) => l.id);
    assert.deepEqual(ids.sort(), ['devicetree', 'microkit-system', 'serial-log']);
    for (const lang of pkg.contributes.languages) if (lang.configuration) JSON.parse(readFileSync(path.join(root, lang.configuration), 'utf8'));
    for (const g of pkg.contributes.grammars) {
      const grammar = JSON.parse(readFileSync(path.join(root, g.path), 'utf8'));
      assert.equal(grammar.scopeName, g.scopeName);
    }
    const dts = pkg.contributes.languages.find((l: { id: string }) => l.id === 'devicetree');
    assert.deepEqual(dts.extensions, ['.dts', '.dtsi', '.dtso', '.overlay']);
  });
});
