// Serves a webview page on localhost the way the webview gets it: the real shell from
// webview-html.ts (same CSP, a fresh nonce per load), the freshly bundled page script and its CSS
// (the queue inspector's by default; the system view's with SYSTEM_VIEW_PAGE).
// The stand-in for acquireVsCodeApi and the theme variables are added by the test through Playwright
// init scripts, which the page's CSP does not govern (VS Code injects them from outside the page too).
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { build } from 'esbuild';
import { webviewHtml } from '../../src/extension/webview-html';

const ROOT = path.resolve(__dirname, '..', '..');

/** A page: its entry under webview/src, its stylesheets under webview/media, its shell's texts. */
export interface PageSpec {
  entry: string;
  styles: string[];
  title: string;
  loading: string;
}

export const INSPECTOR_PAGE: PageSpec = { entry: 'main.ts', styles: ['inspector.css'], title: 'Queue inspector', loading: 'Loading the queue inspector…' };
export const SYSTEM_VIEW_PAGE: PageSpec = {
  entry: 'system-view/main.ts',
  styles: ['inspector.css', 'system-view.css'],
  title: 'System view',
  loading: 'Loading the system view…',
};

/** Bundles a page as scripts/build.mjs does (into memory, so a parallel build is not disturbed). */
export async function bundlePage(page: PageSpec = INSPECTOR_PAGE): Promise<string> {
  const r = await build({
    entryPoints: [path.join(ROOT, 'webview', 'src', page.entry)],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

const PROBE = `
try { window.__evalProbe = String((0, eval)('1 + 1')); } catch (e) { window.__evalProbe = e.name; }
try { window.__fnProbe = String(new Function('return 2')()); } catch (e) { window.__fnProbe = e.name; }
`;

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function servePage(script: string, page: PageSpec = INSPECTOR_PAGE): Promise<PageServer> {
  const css = new Map(page.styles.map((f) => [`/${f}`, readFileSync(path.join(ROOT, 'webview', 'media', f), 'utf8')]));
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        webviewHtml({
          cspSource: origin,
          scriptUri: `${origin}/main.js`,
          styleUris: page.styles.map((f) => `${origin}/${f}`),
          nonce: randomBytes(18).toString('base64'),
          title: page.title,
          loading: page.loading,
        }),
      );
    } else if (url === '/main.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else if (url === '/probe.js') {
      // For the CSP test: a page script that tries eval and new Function.
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(PROBE);
    } else if (css.has(url)) {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(css.get(url));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
