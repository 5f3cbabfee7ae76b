// The Node FileHost reads regular files only, bounded, and never blocks: a workspace can name
// /dev/zero, a FIFO or a symlink to either (hostile-input issue), and must get an answer at once.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { NodeFileHost } from '../../../src/node/file-host';
import { compileFiles } from '../../../src/devicetree/compile';
import { unreadableReason } from '../../../src/common/host';
import { lintSystemFile } from '../../../src/system/index';

describe('node/file-host', () => {
  let dir: string;
  const host = new NodeFileHost();
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mkdg-host-'));
    writeFileSync(path.join(dir, 'plain.dts'), '/dts-v1/;\n/ { };\n');
    execFileSync('mkfifo', [path.join(dir, 'fifo.dts')]);
    symlinkSync('/dev/zero', path.join(dir, 'zero.dts'));
    mkdirSync(path.join(dir, 'folder.dts'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file whole', () => {
    assert.equal(new TextDecoder().decode(host.readFile(path.join(dir, 'plain.dts'))), '/dts-v1/;\n/ { };\n');
    assert.equal(host.unreadable(path.join(dir, 'plain.dts')), undefined);
  });

  it('does not read a character device, even through a symlink, and says why', () => {
    assert.equal(host.readFile('/dev/zero'), undefined);
    assert.equal(host.readFile(path.join(dir, 'zero.dts')), undefined);
    assert.equal(host.fileExists(path.join(dir, 'zero.dts')), false);
    assert.match(unreadableReason(host, path.join(dir, 'zero.dts')), /not a regular file/);
  });

  it('does not block on a FIFO with no writer', () => {
    // A blocking open would hang this test (and the language server) for good.
    assert.equal(host.readFile(path.join(dir, 'fifo.dts')), undefined);
    assert.match(unreadableReason(host, path.join(dir, 'fifo.dts')), /not a regular file/);
  });

  it('names a directory and a missing file as such', () => {
    assert.equal(host.readFile(path.join(dir, 'folder.dts')), undefined);
    assert.equal(unreadableReason(host, path.join(dir, 'folder.dts')), 'Is a directory');
    assert.equal(unreadableReason(host, path.join(dir, 'missing.dts')), 'No such file or directory');
  });

  it('compiles a tree that includes /dev/zero and a FIFO into errors, at once', () => {
    writeFileSync(path.join(dir, 'hostile.dts'), `/dts-v1/;\n/include/ "/dev/zero"\n/include/ "fifo.dts"\n#include "zero.dts"\n/ { };\n`);
    const r = compileFiles([path.join(dir, 'hostile.dts')], { host });
    const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.ok(
      errors.some((m) => m.startsWith('Couldn\'t open "/dev/zero": not a regular file')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((m) => m.startsWith('Couldn\'t open "fifo.dts": not a regular file')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((m) => m.includes('zero.dts')),
      errors.join('\n'),
    );
  });

  it('a project file whose initrd is /dev/zero gets a positioned error at once, saying why', () => {
    const project = path.join(dir, 'project');
    cpSync(path.join(__dirname, '../../../examples/dual-guest'), project, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(project, 'dual-guest.json'), 'utf8')) as { guests: Record<string, Record<string, unknown>> };
    json.guests['client_linux-1'].initrd = '/dev/zero';
    writeFileSync(path.join(project, 'dual-guest.json'), JSON.stringify(json, null, 2));
    const found = lintSystemFile(path.join(project, 'dual-guest.system'), host).filter((d) => d.message.includes('/dev/zero'));
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0].message, /^initrd image '\/dev\/zero': not a regular file/);
    assert.equal(found[0].range?.file, path.join(project, 'dual-guest.json'));
  });
});
