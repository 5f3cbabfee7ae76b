// The queue inspector's page shell: the extension's webview shell (webview-html.ts) with the
// inspector's bundle and stylesheet.
import { webviewCsp, webviewHtml } from './webview-html';

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
export const inspectorCsp = webviewCsp;

export function inspectorHtml(p: InspectorHtmlParts): string {
  return webviewHtml({ ...p, styleUris: [p.styleUri], title: 'Queue inspector', loading: 'Loading the queue inspector…' });
}
