// The page shell's Content-Security-Policy and script tag (the browser side is in
// test/conformance/inspector-page.test.ts).
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { inspectorCsp, inspectorHtml } from '../../../src/extension/inspector-html';
import { INSPECTOR_VIEW_TYPE } from '../../../src/extension/inspector-protocol';

const parts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://x/dist/webview/main.js',
  styleUri: 'https://x/webview/media/inspector.css',
  nonce: 'abc123+/=',
};

describe('inspector page shell', () => {
  it('allows scripts only with the nonce, nothing unsafe, nothing by default', () => {
    const csp = inspectorCsp(parts);
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    assert.deepStrictEqual(directives.get('default-src'), ["'none'"]);
    assert.deepStrictEqual(directives.get('script-src'), ["'nonce-abc123+/='"]);
    assert.deepStrictEqual(directives.get('style-src'), [parts.cspSource, "'nonce-abc123+/='"]);
    assert.ok(!csp.includes('unsafe'));
  });

  it('loads the one script with the nonce and the stylesheet from the webview origin', () => {
    const html = inspectorHtml(parts);
    assert.strictEqual(html.split('<script').length - 1, 1);
    assert.ok(html.includes(`<script nonce="${parts.nonce}" src="${parts.scriptUri}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${parts.styleUri}">`));
    assert.ok(html.includes(`<meta property="csp-nonce" content="${parts.nonce}">`));
  });

  it('escapes what it puts in attributes', () => {
    const html = inspectorHtml({ ...parts, scriptUri: 'https://x/"><script>alert(1)</script>' });
    assert.strictEqual(html.split('<script').length - 1, 1);
  });
});

describe('inspector manifest entries', () => {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

  it('activates on the panel so the serializer can restore it after a reload', () => {
    assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${INSPECTOR_VIEW_TYPE}`));
  });

  it('contributes the command that opens it', () => {
    assert.ok(manifest.contributes.commands.some((c: { command: string }) => c.command === 'microkitDualGuest.openQueueInspector'));
  });
});
