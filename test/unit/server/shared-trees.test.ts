// Two guests on one base (the default example: board.dts + guest-1.dts, board.dts + guest-2.dts):
// the server preprocesses and parses the base once per text for both trees, an edit of the base or
// of a header it includes reaches both, and the result equals a fresh server's.
import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { decodeUtf8, MemoryFileHost } from '../../../src/common/host';
import { findNodeByPath, getProperty, propertyCells } from '../../../src/devicetree/tree';
import { DevicetreeUnitProvider } from '../../../src/server/devicetree/dt-provider';
import { DtUnit } from '../../../src/server/devicetree/dt-unit';
import { SystemUnitProvider } from '../../../src/server/system/system-provider';
import { Workspace, type WorkspaceHost } from '../../../src/server/workspace';
import { PROJECT_ROOT } from './client';

const DIR = '/p';
const BOARD = `${DIR}/board.dts`;
const HEADER = `${DIR}/extra.h`;

function exampleHost(): MemoryFileHost {
  const host = new MemoryFileHost();
  const example = path.join(PROJECT_ROOT, 'examples', 'dual-guest');
  for (const name of readdirSync(example)) host.set(`${DIR}/${name}`, readFileSync(path.join(example, name), 'utf8'));
  // The base includes a header, as real board trees do.
  const board = decodeUtf8(host.readFile(BOARD)!);
  host.set(
    BOARD,
    board
      .replace('/dts-v1/;\n', '/dts-v1/;\n#include "extra.h"\n')
      .replace('\tinterrupt-parent = <&gpc>;\n', '\tinterrupt-parent = <&gpc>;\n\textra = <EXTRA>;\n'),
  );
  host.set(HEADER, '#define EXTRA 1\n');
  return host;
}

function workspace(host: WorkspaceHost): Workspace {
  const ws = new Workspace(host);
  ws.addProvider(new SystemUnitProvider());
  ws.addProvider(new DevicetreeUnitProvider());
  return ws;
}

function guestTrees(ws: Workspace): DtUnit[] {
  return ws
    .liveUnits()
    .filter((u): u is DtUnit => u instanceof DtUnit && u.vm !== undefined)
    .sort((a, b) => a.vm!.localeCompare(b.vm!));
}

function extra(u: DtUnit): number[] {
  const p = getProperty(findNodeByPath(u.result!.tree, '/')!, 'extra');
  return p ? propertyCells(p) : [];
}

/** What a fresh server publishes for the same files and buffers. */
function freshDiagnostics(host: WorkspaceHost, buffers: Map<string, string>): unknown {
  const ws = workspace(host);
  for (const [file, text] of buffers) ws.docs.open(file, `file://${file}`, 'devicetree', 1, text);
  ws.refresh('all');
  return [...ws.diagnosticsByFile()].sort(([a], [b]) => a.localeCompare(b));
}

describe('server: guests sharing a base', () => {
  it('parses the base once per text for both guests, and an edit of it or of its header reaches both', () => {
    const host = exampleHost();
    const ws = workspace(host);
    let board = decodeUtf8(host.readFile(BOARD)!);
    ws.docs.open(BOARD, `file://${BOARD}`, 'devicetree', 1, board);
    ws.refresh([BOARD]);
    const trees = guestTrees(ws);
    assert.deepEqual(
      trees.map((u) => [u.vm, u.files.map((f) => path.posix.basename(f))]),
      [
        ['client_linux-1', ['board.dts', 'guest-1.dts']],
        ['client_linux-2', ['board.dts', 'guest-2.dts']],
      ],
    );
    assert.equal(trees[0].result!.documents[0].ast, trees[1].result!.documents[0].ast, 'one parse of the base');
    assert.deepEqual(trees.map(extra), [[1], [1]]);
    const misses = ws.frontEnds.misses;

    // An edit of the base: parsed once more, for both trees; a new dtc warning on it in each tree.
    board = board.replace('\textra = <EXTRA>;\n', '\textra = <EXTRA 2>;\n\tthing { reg = <0 0x1000 0 0x10>; };\n');
    ws.docs.change(BOARD, 2, [{ text: board }]);
    const published = ws.refresh([BOARD]);
    assert.equal(ws.frontEnds.misses, misses + 1, 'the base alone is parsed again; the overlays come from the cache');
    assert.deepEqual(guestTrees(ws).map(extra), [
      [1, 2],
      [1, 2],
    ]);
    for (const u of guestTrees(ws))
      assert.ok(
        u.diagnostics.some((d) => d.code === 'unit_address_vs_reg' && d.range?.file === BOARD),
        `${u.vm}: ${JSON.stringify(u.diagnostics)}`,
      );
    assert.ok(published.get(BOARD)?.some((e) => e.diagnostic.code === 'unit_address_vs_reg'));

    // An edit of the header on disk: both trees see it.
    host.set(HEADER, '#define EXTRA 5\n');
    ws.refresh([HEADER]);
    assert.deepEqual(guestTrees(ws).map(extra), [
      [5, 2],
      [5, 2],
    ]);
    assert.deepEqual(
      [...ws.diagnosticsByFile()].sort(([a], [b]) => a.localeCompare(b)),
      freshDiagnostics(host, new Map([[BOARD, board]])),
    );

    // Closing the buffer: the trees go, and the cache keeps nothing for files no tree reads.
    ws.docs.close(BOARD);
    ws.refresh([BOARD]);
    assert.deepEqual(ws.frontEnds.files(), []);
  });
});
