// The queue inspector's page shell. Kept free of `vscode` so the page tests serve exactly this HTML.
// Scripts run only with the per-load nonce; no inline script, no eval; styles and fonts only from the
// webview's own resource origin.

export interface InspectorHtmlParts {
  /** webview.cspSource: the origin(s) asWebviewUri hands out. */
  cspSource: string;
  /** asWebviewUri of dist/webview/main.js. */
  scriptUri: string;
  /** asWebviewUri of webview/media/inspector.css. */
  styleUri: string;
  /** A fresh random value per page load (base64 or hex). */
  nonce: string;
}

/** The Content-Security-Policy the page is served with. */
export function inspectorCsp(p: Pick<InspectorHtmlParts, 'cspSource' | 'nonce'>): string {
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

export function inspectorHtml(p: InspectorHtmlParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(inspectorCsp(p))}">
<meta property="csp-nonce" content="${attr(p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Queue inspector</title>
</head>
<body>
<main id="app" aria-live="off"><p class="placeholder">Loading the queue inspector…</p></main>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
