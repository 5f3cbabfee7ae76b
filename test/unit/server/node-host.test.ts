// The server's Node host keeps a file's bytes while its stat stays the same, and never serves stale
// bytes: a changed file is read again, and a file changed too recently to trust its stat is not kept.
import { strict as assert } from 'assert';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { decodeUtf8 } from '../../../src/common/host';
import { NodeWorkspaceHost, SETTLED_FILE_MS } from '../../../src/server/node-host';

describe('server: NodeWorkspaceHost', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-node-host-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** A host whose clock says every file on disk has been still for long enough. */
  const settledHost = (): NodeWorkspaceHost => new NodeWorkspaceHost(() => Date.now() + 10 * SETTLED_FILE_MS);

  it('gives the same bytes object for a file that has not changed', () => {
    const file = path.join(dir, 'same.dtsi');
    writeFileSync(file, '/ { a = <1>; };\n');
    const host = settledHost();
    const first = host.readFile(file);
    assert.equal(decodeUtf8(first!), '/ { a = <1>; };\n');
    assert.equal(host.readFile(file), first);
    assert.deepEqual(host.keptFiles(), [file]);
  });

  it('reads a changed file again', () => {
    const file = path.join(dir, 'changed.dtsi');
    writeFileSync(file, '/ { a = <1>; };\n');
    const host = settledHost();
    host.readFile(file);
    writeFileSync(file, '/ { a = <22>; };\n');
    assert.equal(decodeUtf8(host.readFile(file)!), '/ { a = <22>; };\n');
  });

  it('does not keep a file changed within SETTLED_FILE_MS, so a same-size rewrite in the same clock tick is seen', () => {
    const file = path.join(dir, 'racy.dtsi');
    writeFileSync(file, '/ { a = <1>; };\n');
    const host = new NodeWorkspaceHost();
    assert.equal(decodeUtf8(host.readFile(file)!), '/ { a = <1>; };\n');
    assert.deepEqual(host.keptFiles(), []);
    // Same size, and the modification time put back: only the content tells the versions apart.
    const { atime, mtime } = statSync(file);
    writeFileSync(file, '/ { a = <2>; };\n');
    utimesSync(file, atime, mtime);
    assert.equal(decodeUtf8(host.readFile(file)!), '/ { a = <2>; };\n');
  });

  it('forgets a file that was removed', () => {
    const file = path.join(dir, 'gone.dtsi');
    writeFileSync(file, '/ { };\n');
    const host = settledHost();
    assert.ok(host.readFile(file));
    rmSync(file);
    assert.equal(host.readFile(file), undefined);
    assert.deepEqual(host.keptFiles(), []);
  });

  it('reads what is not a regular file as absent, as NodeFileHost does', () => {
    const host = settledHost();
    assert.equal(host.readFile(dir), undefined);
    assert.equal(host.readFile(path.join(dir, 'missing.h')), undefined);
    assert.deepEqual(host.keptFiles(), []);
  });
});
