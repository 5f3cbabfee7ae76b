// The system view's extension side without VS Code: what the page may post, what the extension
// posts back for a file and an edit, and the manifest entries that reach it.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { COMMANDS } from '../../../src/extension/command-ids';
import { SystemViewController } from '../../../src/extension/system-view-controller';
import { SYSTEM_VIEW_TYPE, parseSystemViewMessage, parseSystemViewState, type SystemViewHostMessage } from '../../../src/extension/system-view-protocol';
import type { ViewRef } from '../../../src/system/system-view';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'dual-guest', 'dual-guest.system');

describe('system view: protocol and controller', () => {
  it('accepts only ready and reveal messages with a well-formed place', () => {
    const ref = { start: { line: 3, col: 4 }, end: { line: 9, col: 0 } };
    assert.deepStrictEqual(parseSystemViewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepStrictEqual(parseSystemViewMessage({ type: 'reveal', ref: { ...ref, file: '/etc/passwd' } }), { type: 'reveal', ref });
    for (const bad of [
      null,
      'reveal',
      { type: 'reveal' },
      { type: 'open', ref },
      { type: 'reveal', ref: { start: { line: -1, col: 0 }, end: ref.end } },
      { type: 'reveal', ref: { start: { line: 1.5, col: 0 }, end: ref.end } },
      { type: 'reveal', ref: { start: ref.end, end: ref.start } },
      { type: 'reveal', ref: { start: { line: '3', col: 4 }, end: ref.end } },
    ])
      assert.strictEqual(parseSystemViewMessage(bad), undefined, JSON.stringify(bad));
    assert.deepStrictEqual(parseSystemViewState({ uri: 'file:///w/a.system' }), { uri: 'file:///w/a.system' });
    assert.strictEqual(parseSystemViewState({ uri: '' }), undefined);
    assert.strictEqual(parseSystemViewState(undefined), undefined);
  });

  it('posts the view at once, again when the page is ready and on each edit; reveals what the page names', () => {
    const sent: SystemViewHostMessage[] = [];
    const revealed: ViewRef[] = [];
    const text = readFileSync(EXAMPLE, 'utf8');
    const c = new SystemViewController(
      { postMessage: (m) => sent.push(m), reveal: (r) => revealed.push(r) },
      { uri: 'file:///w/dual-guest.system', fileName: EXAMPLE, title: 'dual-guest.system' },
      text,
    );
    assert.strictEqual(sent.length, 1);
    assert.deepStrictEqual(
      [sent[0].type, sent[0].uri, sent[0].title, sent[0].errors, sent[0].view.domains.length],
      ['view', 'file:///w/dual-guest.system', 'dual-guest.system', 0, 7],
    );
    c.receive({ type: 'ready' });
    assert.strictEqual(sent.length, 2);
    assert.deepStrictEqual(sent[1], sent[0]);
    c.update(text.replace('priority="100"', 'priority="300"'));
    assert.strictEqual(sent.length, 3);
    assert.ok(sent[2].errors > 0, 'a priority over 254 is an error');
    const uart = sent[2].view.domains.find((d) => d.name === 'uart_driver')!;
    c.receive({ type: 'reveal', ref: uart.ref });
    c.receive({ type: 'reveal', ref: 'everything' });
    assert.deepStrictEqual(revealed, [uart.ref]);
    assert.strictEqual(c.rejectedMessages, 1);
  });

  it('is contributed: the command on .system editors and files, and the panel restored after a reload', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${SYSTEM_VIEW_TYPE}`));
    assert.ok(
      manifest.contributes.commands.some((x: { command: string; title: string }) => x.command === COMMANDS.showSystemView && x.title === 'Show system view'),
    );
    assert.ok(
      manifest.contributes.menus['editor/title'].some(
        (m: { command: string; when: string }) => m.command === COMMANDS.showSystemView && m.when === 'resourceLangId == microkit-system',
      ),
    );
    assert.ok(
      manifest.contributes.menus['explorer/context'].some(
        (m: { command: string; when: string }) => m.command === COMMANDS.showSystemView && m.when === 'resourceExtname == .system',
      ),
    );
  });
});
