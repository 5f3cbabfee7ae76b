// The Open VSX acceptance check (scripts/open-vsx.ts) on manifests the registry or ovsx would refuse.
import * as assert from 'assert';
import { openVsxProblems } from '../../../scripts/open-vsx';

const GOOD = {
  publisher: 'microkit-dual-guest',
  name: 'microkit-dual-guest',
  version: '0.1.0',
  license: 'BSD-2-Clause',
  displayName: 'Microkit Dual Guest',
  description: 'Emulate, lint and inspect.',
  engines: { vscode: '^1.100.0' },
  icon: 'media/icon.png',
  categories: ['Linters'],
  keywords: ['seL4'],
  repository: { url: 'https://github.com/o/r.git' },
  homepage: 'https://github.com/o/r#readme',
  bugs: { url: 'https://github.com/o/r/issues' },
  galleryBanner: { color: '#1f3b4d', theme: 'dark' },
};
const FILES = ['[content_types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/license.txt', 'extension/media/icon.png'];

describe('packaging: Open VSX acceptance', () => {
  it('accepts a complete manifest in a complete VSIX', () => {
    assert.deepStrictEqual(openVsxProblems(GOOD, FILES), []);
  });

  it('refuses what ovsx or the registry refuses, one message per problem', () => {
    const cases: [Record<string, unknown>, string[], RegExp][] = [
      [{ license: undefined }, FILES, /license is missing/],
      [{}, FILES.filter((f) => f !== 'extension/license.txt'), /no LICENSE file/],
      [{ publisher: 'my publisher' }, FILES, /publisher "my publisher" is not a valid Open VSX namespace/],
      [{ name: undefined }, FILES, /name is missing/],
      [{ version: '1.0' }, FILES, /not a semantic version/],
      [{ engines: {} }, FILES, /engines.vscode is missing/],
      [{ description: 'x'.repeat(2049) }, FILES, /description is longer than 2048/],
      [{ keywords: ['a\u0007b'] }, FILES, /keywords has a character the registry refuses \(U\+0007 at 1\)/],
      [{ homepage: 'github.com/o/r' }, FILES, /homepage "github.com\/o\/r" is not an http\(s\) URL/],
      [{ galleryBanner: { theme: 'blue' } }, FILES, /galleryBanner.theme "blue"/],
      [{ icon: 'media/icon.svg' }, [...FILES, 'extension/media/icon.svg'], /icon media\/icon.svg is not a PNG/],
      [{ icon: 'media/other.png' }, FILES, /icon media\/other.png is not in the VSIX/],
      [{ enabledApiProposals: ['terminalDataWriteEvent'] }, FILES, /proposed API/],
      [{}, FILES.filter((f) => f !== 'extension.vsixmanifest'), /no extension.vsixmanifest/],
    ];
    for (const [change, files, expected] of cases) {
      const problems = openVsxProblems({ ...GOOD, ...change }, files);
      assert.strictEqual(problems.length, 1, `${JSON.stringify(change)}: ${problems.join('; ')}`);
      assert.match(problems[0], expected);
    }
  });

  it('accepts a git+https repository URL, as the registry does', () => {
    assert.deepStrictEqual(openVsxProblems({ ...GOOD, repository: 'git+https://github.com/o/r.git' }, FILES), []);
  });
});
