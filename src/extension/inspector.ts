// The "Open queue inspector" webview panel: one panel at a time, restored after a reload through a
// WebviewPanelSerializer (no retainContextWhenHidden; the page keeps its own state with setState).
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { type InspectorSession, InspectorController } from './inspector-controller';
import { inspectorHtml } from './inspector-html';
import { INSPECTOR_VIEW_TYPE, parsePageState } from './inspector-protocol';

export type { InspectorSession } from './inspector-controller';

export { INSPECTOR_VIEW_TYPE } from './inspector-protocol';

let current: { panel: vscode.WebviewPanel; controller: InspectorController } | undefined;

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Only the page bundle and its stylesheet: nothing else of the extension or the workspace.
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'webview', 'media')],
  };
}

function setUp(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, session: InspectorSession | undefined, state: unknown): void {
  const webview = panel.webview;
  webview.options = webviewOptions(context);
  webview.html = inspectorHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', 'main.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'webview', 'media', 'inspector.css')).toString(),
    nonce: randomBytes(18).toString('base64'),
  });
  const controller = new InspectorController(
    {
      get visible() {
        return panel.visible;
      },
      postMessage: (m) => void webview.postMessage(m),
    },
    session,
    parsePageState(state),
  );
  const subs = [webview.onDidReceiveMessage((m: unknown) => controller.receive(m)), panel.onDidChangeViewState(() => controller.visibilityChanged())];
  panel.onDidDispose(() => {
    controller.dispose();
    for (const s of subs) s.dispose();
    if (current?.panel === panel) current = undefined;
  });
  current = { panel, controller };
}

/** Open (or reveal) the inspector on this session; undefined shows "no emulator running". */
export function openQueueInspector(context: vscode.ExtensionContext, session: InspectorSession | undefined): void {
  if (current) {
    current.controller.attach(session);
    current.panel.reveal(undefined, true);
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    INSPECTOR_VIEW_TYPE,
    'Queue inspector',
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    webviewOptions(context),
  );
  setUp(context, panel, session, undefined);
}

/** Tell an open inspector that the session started or ended (no-op when no panel is open). */
export function setInspectorSession(session: InspectorSession | undefined): void {
  current?.controller.attach(session);
}

/** Restores the panel after a window reload, attached to whatever session is running then. */
export function registerInspectorSerializer(context: vscode.ExtensionContext, getSession: () => InspectorSession | undefined): void {
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
      deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
        setUp(context, panel, getSession(), state);
        return Promise.resolve();
      },
    }),
  );
}
