// The page shell every webview of the extension is served in (queue inspector, system view). Kept
// free of `vscode` so the page tests serve exactly this HTML. Scripts run only with the per-load
// nonce; no inline script, no eval; styles and fonts only from the webview's own resource origin.

export interface WebviewHtmlParts {
  /** webview.cspSource: the origin(s) asWebviewUri hands out. */
  cspSource: string;
  /** asWebviewUri of the page's bundle (dist/webview/<page>.js). */
  scriptUri: string;
  /** asWebviewUri of its stylesheets (webview/media/*.css), in cascade order. */
  styleUris: string[];
  /** A fresh random value per page load (base64 or hex). */
  nonce: string;
  /** The document's title and the text shown until the script has drawn. */
  title: string;
  loading: string;
}

/** The Content-Security-Policy the pages are served with. */
export function webviewCsp(p: Pick<WebviewHtmlParts, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${p.nonce}'`,
    // The nonce lets the component library's feature-detection <style> element in (it reads the
    // nonce from the csp-nonce meta below); no other inline style is allowed.
    `style-src ${p.cspSource} 'nonce-${p.nonce}'`,
    `font-src ${p.cspSource}`,
    `img-src ${p.cspSource} data:`,
  ].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function webviewHtml(p: WebviewHtmlParts): string {
  const styles = p.styleUris.map((u) => `<link rel="stylesheet" href="${attr(u)}">\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(webviewCsp(p))}">
<meta property="csp-nonce" content="${attr(p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}<title>${attr(p.title)}</title>
</head>
<body>
<main id="app" aria-live="off"><p class="placeholder">${attr(p.loading)}</p></main>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
