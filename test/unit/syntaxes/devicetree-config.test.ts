// The devicetree language configuration's auto-closing, replayed the way VS Code applies it
// (src/vs/editor/common/cursor/cursorTypeOperations.ts, 1.100): among the pairs whose `open` ends with
// the typed character and matches the text before the cursor, the longest wins; it closes only when
// the character after the cursor is blank or in the language's autoCloseBefore set, and not when the
// typed character lands in a token whose standard type is one of the pair's `notIn` (VS Code takes
// that type from the TextMate scopes: `comment.*` or `string.*`). The scopes come from the real grammar.
// VS Code over-types only single-character closes, so a `}` typed inside `{|};` is the server's
// on-type formatting's business (test/unit/server/devicetree.test.ts).
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..', '..');

interface Pair {
  open: string;
  close: string;
  notIn?: string[];
}
const config = JSON.parse(readFileSync(path.join(root, 'language-configuration/devicetree.json'), 'utf8')) as {
  autoClosingPairs: Pair[];
  brackets: string[][];
  autoCloseBefore?: string;
};
/** VS Code's default for brackets when a language configuration sets none (CharacterPairSupport). */
const AUTO_CLOSE_BEFORE = config.autoCloseBefore ?? '\'"`;:.,=}])> \n\t';

let grammar: textmate.IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm', { paths: [root] }));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      textmate.parseRawGrammar(readFileSync(path.join(root, 'syntaxes/devicetree.tmLanguage.json'), 'utf8'), 'devicetree.tmLanguage.json'),
  });
  grammar = (await registry.loadGrammar('source.devicetree'))!;
});

/** The standard token type VS Code derives for the character at `col` of the last line of `lines`. */
function tokenType(lines: string[], col: number): 'comment' | 'string' | 'other' {
  let stack = textmate.INITIAL;
  let tokens: textmate.IToken[] = [];
  for (const line of lines) ({ ruleStack: stack, tokens } = grammar.tokenizeLine(line, stack));
  const t = tokens.find((x) => x.startIndex <= col && col < x.endIndex);
  const scopes = t?.scopes ?? [];
  if (scopes.some((s) => /^comment\b/.test(s))) return 'comment';
  if (scopes.some((s) => /^string\b/.test(s))) return 'string';
  return 'other';
}

/** Type `ch` where `|` is in `text` (the cursor); returns the text after VS Code's auto-closing. */
function type(text: string, ch: string): string {
  const at = text.indexOf('|');
  const before = text.slice(0, at);
  const after = text.slice(at + 1);
  const candidates = config.autoClosingPairs.filter((p) => p.open.endsWith(ch) && (before + ch).endsWith(p.open));
  const pair = candidates.sort((a, b) => b.open.length - a.open.length)[0];
  const next = after[0];
  const typedLines = (before + ch + after).split('\n');
  const lineStart = before.lastIndexOf('\n') + 1;
  const kind = tokenType(typedLines.slice(0, before.split('\n').length), before.length - lineStart);
  const close = pair && (next === undefined || AUTO_CLOSE_BEFORE.includes(next)) && !(pair.notIn ?? []).includes(kind);
  return before + ch + '|' + (close ? pair.close : '') + after;
}

describe('devicetree language configuration', () => {
  it('closes `{` of a node with `};`: the root, a child, a labelled node, a reference node', () => {
    assert.equal(type('/ |', '{'), '/ {|};');
    assert.equal(type('/ {\n\tserial@30860000 |\n};', '{'), '/ {\n\tserial@30860000 {|};\n};');
    assert.equal(type('\tuart1: serial@30860000 |', '{'), '\tuart1: serial@30860000 {|};');
    assert.equal(type('&uart1 |', '{'), '&uart1 {|};');
    assert.equal(type('&{/soc/serial@0} |', '{'), '&{/soc/serial@0} {|};');
  });

  it('closes `&{` of a path reference with `}`, in a value and at the top level', () => {
    assert.equal(type('&|', '{'), '&{|}');
    assert.equal(type('\tstdout-path = &|;', '{'), '\tstdout-path = &{|};');
    assert.equal(type('\tclocks = <&|>;', '{'), '\tclocks = <&{|}>;');
  });

  it('does not close a `{` typed in a string or a comment', () => {
    // Nothing after the cursor: only the token type can keep these open.
    assert.equal(tokenType(['\ts = "a {'], 8), 'string');
    assert.equal(type('\ts = "a |', '{'), '\ts = "a {|');
    assert.equal(type('\t// a |', '{'), '\t// a {|');
    assert.equal(type('/* a |', '{'), '/* a {|');
  });

  it("Enter between `{` and `};` indents: `};` starts with the bracket VS Code's onEnter rule looks for", () => {
    assert.ok(config.brackets.some(([open, close]) => open === '{' && close === '}'));
    for (const p of config.autoClosingPairs.filter((x) => x.open.endsWith('{'))) assert.ok(p.close.startsWith('}'), p.close);
  });
});
