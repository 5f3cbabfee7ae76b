// README.md as the Marketplace and Open VSX show it: its generated tables match the manifest, every
// picture it names exists (a PNG in docs/images, which vsce links through the repository) and is one
// an e2e test takes, and its promises to a new user are still there.
import * as assert from 'assert';
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { README_PATH, readManifest, withGeneratedSections } from '../../../scripts/gen-readme';
import { PROJECT_ROOT } from '../../../scripts/package-vsix';

const readme = readFileSync(README_PATH, 'utf8');

/** The targets of Markdown images (`![alt](target "title")`) and HTML `<img src>`. */
export function imageTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const m of markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
  for (const m of markdown.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1]);
  return targets;
}

/** The names passed to readmePicture(page, '<name>') in the e2e tests. */
function picturesTheE2eTakes(): Set<string> {
  const dir = path.join(PROJECT_ROOT, 'test', 'e2e');
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/readmePicture\([^,]+,\s*'([^']+)'\)/g)) names.add(m[1]);
  }
  return names;
}

describe('packaging: the README', () => {
  it('has the commands and settings tables of the manifest (npm run docs:readme)', () => {
    assert.ok(withGeneratedSections(readme, readManifest()) === readme, 'README.md is stale: run npm run docs:readme');
  });

  it('finds Markdown and HTML images', () => {
    assert.deepStrictEqual(imageTargets('![a](docs/images/x.png) text ![b](<y.png> "t")\n<img alt="c" src="z.gif">'), ['docs/images/x.png', 'y.png', 'z.gif']);
  });

  it('shows pictures of booting, switching, a fault explained and the inspector', () => {
    const targets = imageTargets(readme);
    for (const name of ['booted', 'switching', 'fault-explained', 'inspector']) {
      assert.ok(targets.includes(`docs/images/${name}.png`), `the README shows no docs/images/${name}.png; it shows ${targets.join(', ')}`);
    }
  });

  it('names only pictures that exist, as PNG files in docs/images that an e2e test takes', () => {
    const taken = picturesTheE2eTakes();
    for (const target of imageTargets(readme)) {
      // Relative, so that vsce turns it into a link into the repository; SVG is refused by the Marketplace.
      assert.match(target, /^docs\/images\/[\w-]+\.png$/, `${target}: README pictures are PNG files in docs/images`);
      assert.ok(existsSync(path.join(PROJECT_ROOT, target)), `the README names ${target}, which does not exist: run npm run test:e2e`);
      const name = path.basename(target, '.png');
      assert.ok(taken.has(name), `no e2e test takes ${target} (readmePicture(page, '${name}'))`);
    }
  });

  it('keeps its promises: one command boots both guests, one runs the tests', () => {
    assert.ok(readme.includes('\n    npm ci && npm start\n'), 'the boot command');
    assert.ok(readme.includes('\n    npm ci && npm test\n'), 'the test command');
  });
});
