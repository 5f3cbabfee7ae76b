// The manifest as a Marketplace / Open VSX listing and the places the extension meets the user:
// its icon, links, kind, activation on a lone .system file, and the "Boot dual guests" entry points.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { COMMANDS } from '../../../src/extension/command-ids';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Manifest {
  icon: string;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  keywords: string[];
  categories: string[];
  galleryBanner: { color: string; theme: string };
  preview: boolean;
  extensionKind: string[];
  activationEvents: string[];
  contributes: {
    commands: { command: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
  };
}
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the 8-byte signature). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('extension: the listing and entry points in the manifest', () => {
  it('has a 128×128 PNG icon whose SVG source is beside it', () => {
    assert.equal(manifest.icon, 'media/icon.png');
    assert.deepEqual(pngSize(readFileSync(path.join(ROOT, manifest.icon))), { width: 128, height: 128 });
    assert.match(readFileSync(path.join(ROOT, 'media', 'icon.svg'), 'utf8'), /<svg[^>]*viewBox="0 0 128 128"/);
  });

  it('links a repository, homepage and issue tracker over https on one GitHub repository', () => {
    const repo = manifest.repository.url.replace(/\.git$/, '');
    assert.equal(manifest.repository.type, 'git');
    assert.match(repo, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    assert.ok(manifest.homepage.startsWith(repo), manifest.homepage);
    assert.equal(manifest.bugs.url, `${repo}/issues`);
  });

  it('has keywords, fitting categories, a banner and the preview flag', () => {
    assert.ok(manifest.keywords.length >= 5 && manifest.keywords.length <= 30, 'the Marketplace shows up to 30 keywords');
    for (const k of ['seL4', 'Microkit', 'libvmm', 'sDDF', 'devicetree']) assert.ok(manifest.keywords.includes(k), k);
    assert.deepEqual(manifest.categories, ['Programming Languages', 'Linters', 'Debuggers']);
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
    assert.equal(manifest.preview, true);
  });

  it('runs where the workspace is (it reads its files and spawns the emulator worker)', () => {
    assert.deepEqual(manifest.extensionKind, ['workspace']);
  });

  it('activates on a workspace holding only a .system file', () => {
    assert.ok(manifest.activationEvents.includes('workspaceContains:**/*.system'));
    assert.ok(manifest.activationEvents.includes('workspaceContains:**/dual-guest.json'));
  });

  it('offers "Boot dual guests" in the title of a .system editor, with an icon, and in the Run and Debug welcome', () => {
    const title = manifest.contributes.menus['editor/title'].filter((m) => m.command === COMMANDS.boot);
    assert.deepEqual(title, [{ command: COMMANDS.boot, when: 'resourceLangId == microkit-system', group: 'navigation' }]);
    assert.ok(manifest.contributes.commands.find((c) => c.command === COMMANDS.boot)?.icon, 'a navigation button needs an icon');
    const debug = manifest.contributes.viewsWelcome.filter((w) => w.view === 'debug');
    assert.equal(debug.length, 1);
    assert.ok(debug[0].contents.includes(`](command:${COMMANDS.boot})`), debug[0].contents);
  });

  it('names only contributed commands in its menus and welcome views', () => {
    const known = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const items of Object.values(manifest.contributes.menus)) for (const m of items) assert.ok(known.has(m.command), m.command);
    for (const w of manifest.contributes.viewsWelcome) {
      for (const [, id] of w.contents.matchAll(/\]\(command:([\w.]+)\)/g)) assert.ok(known.has(id), id);
    }
  });
});
