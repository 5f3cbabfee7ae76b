// Driving a webview page in Chromium as VS Code would: the stand-in for acquireVsCodeApi and the
// theme's variables (init scripts, outside the page's CSP as VS Code's are), messages posted as the
// extension posts them, and the probes the CSP tests run. Shared by the page tests.
import type { Page } from 'playwright-core';
import { THEMES, type ThemeName } from './themes';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM library).
declare const window: any, document: any, location: any;
declare function requestAnimationFrame(cb: () => void): number;
declare function getComputedStyle(el: unknown): { color: string; backgroundColor: string };

/** The stand-in for VS Code's acquireVsCodeApi: records posts, keeps state in sessionStorage. */
export function standIn(theme: { bodyClass: string; vars: Record<string, string> }): string {
  return `(() => {
    window.__posted = [];
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    const vars = ${JSON.stringify(theme.vars)};
    // Like VS Code: variables on <html>, the theme kind as a body class (the toolkit watches it).
    document.addEventListener('DOMContentLoaded', () => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      document.body.classList.add(${JSON.stringify(theme.bodyClass)});
    });
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => JSON.parse(sessionStorage.getItem('vscodeState') || 'null'),
        setState: (s) => sessionStorage.setItem('vscodeState', JSON.stringify(s)),
      };
    };
  })();`;
}

/** Posts a message as the extension would, and returns once the page has handled it. */
export async function post(page: Page, m: object): Promise<void> {
  await page.evaluate(
    (msg) =>
      new Promise<void>((resolve) => {
        // Posted messages arrive in order: once the marker arrives, the page's own listener has run.
        // (No named function here: tsx would wrap it in a helper the page does not have.)
        const marker = { testMarker: Math.random() };
        const stop = new AbortController();
        window.addEventListener(
          'message',
          (ev: { data: unknown }) => {
            if ((ev.data as { testMarker?: number } | null)?.testMarker !== marker.testMarker) return;
            stop.abort();
            resolve();
          },
          { signal: stop.signal },
        );
        window.postMessage(msg, '*');
        window.postMessage(marker, '*');
      }),
    m as unknown as Record<string, unknown>,
  );
}

/** Two animation frames: what the page drew on the next frame is on screen. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** What the page posted through the stand-in, in order. */
export function posted(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as any).__posted);
}

/** The body's text and background colours, and the ones the theme's variables say. */
export async function themeColours(page: Page, theme: ThemeName): Promise<{ actual: { fg: string; bg: string }; expected: { fg: string; bg: string } }> {
  const actual = await page.evaluate(() => {
    const cs = getComputedStyle(document.body);
    return { fg: cs.color, bg: cs.backgroundColor };
  });
  const rgb = (hexColour: string) => {
    const n = parseInt(hexColour.slice(1), 16);
    return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
  };
  return { actual, expected: { fg: rgb(THEMES[theme].vars['--vscode-foreground']), bg: rgb(THEMES[theme].vars['--vscode-editor-background']) } };
}

/**
 * Tries an inline script, and eval and new Function from a page script (Playwright's own evaluate is
 * exempt): a script from the page's origin carrying the page's nonce, served by the page server as
 * /probe.js. Under the CSP, nothing runs.
 */
export async function cspProbes(page: Page): Promise<{ inline: boolean; evalProbe: string; fnProbe: string }> {
  const inline = await page.evaluate(async () => {
    const el = document.createElement('script');
    el.textContent = 'window.__inlineRan = true;';
    document.body.append(el);
    await new Promise((r) => setTimeout(r, 50));
    return (window as any).__inlineRan === true;
  });
  const probe = await page.evaluate(async () => {
    const own = document.querySelector('script[src]');
    const el = document.createElement('script');
    el.nonce = own.nonce;
    el.src = new URL('/probe.js', location.href).href;
    await new Promise((r) => {
      el.onload = r;
      el.onerror = r;
      document.body.append(el);
    });
    return { evalProbe: (window as any).__evalProbe, fnProbe: (window as any).__fnProbe };
  });
  return { inline, ...probe };
}
