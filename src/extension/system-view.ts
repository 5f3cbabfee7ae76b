// "Show system view": a webview panel per .system file with the picture of its system, redrawn as the
// file is edited, and restored after a reload through a WebviewPanelSerializer. A click in the page
// selects the element in the .system editor. VS Code glue only: the logic is in
// system-view-controller.ts and src/system/system-view.ts.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { ViewRef } from '../system/system-view';
import { COMMANDS } from './command-ids';
import { SystemViewController } from './system-view-controller';
import { SYSTEM_VIEW_TYPE, parseSystemViewState } from './system-view-protocol';
import { webviewHtml } from './webview-html';

/** Edits closer together than this are drawn once (typing stays smooth on a large file). */
const REDRAW_DELAY_MS = 120;

const panels = new Map<string, vscode.WebviewPanel>();

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Only the page bundle and the stylesheets: nothing else of the extension or the workspace.
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'webview', 'media')],
  };
}

function title(doc: vscode.TextDocument): string {
  return vscode.workspace.asRelativePath(doc.uri);
}

async function reveal(uri: vscode.Uri, ref: ViewRef): Promise<void> {
  // Opened again by URI: the document the panel was made with may have been closed since.
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = doc.validateRange(new vscode.Range(ref.start.line, ref.start.col, ref.end.line, ref.end.col));
  const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: open?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
  // The whole element selected, the cursor at its start (where the reader starts reading it).
  editor.selection = new vscode.Selection(range.end, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function setUp(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, doc: vscode.TextDocument): void {
  const webview = panel.webview;
  const uri = doc.uri.toString();
  webview.options = webviewOptions(context);
  const media = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'webview', 'media', name)).toString();
  webview.html = webviewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', 'system-view.js')).toString(),
    styleUris: [media('inspector.css'), media('system-view.css')],
    nonce: randomBytes(18).toString('base64'),
    title: 'System view',
    loading: 'Loading the system view…',
  });
  panel.title = `System: ${title(doc)}`;
  const controller = new SystemViewController(
    { postMessage: (m) => void webview.postMessage(m), reveal: (ref) => void reveal(doc.uri, ref) },
    { uri, fileName: doc.uri.fsPath, title: title(doc) },
    doc.getText(),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const subs = [
    webview.onDidReceiveMessage((m: unknown) => controller.receive(m)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() !== uri || e.contentChanges.length === 0) return;
      const changed = e.document;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        controller.update(changed.getText());
      }, REDRAW_DELAY_MS);
    }),
  ];
  panel.onDidDispose(() => {
    if (timer) clearTimeout(timer);
    for (const s of subs) s.dispose();
    if (panels.get(uri) === panel) panels.delete(uri);
  });
  panels.set(uri, panel);
}

/** The .system file to show: the command's argument (explorer, editor title), else the active editor's, else one to pick. */
async function chooseSystemFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && (active.languageId === 'microkit-system' || active.fileName.endsWith('.system'))) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.system', '**/node_modules/**', 200);
  if (files.length <= 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
    { placeHolder: 'Which system file?' },
  );
  return picked?.uri;
}

async function showSystemView(context: vscode.ExtensionContext, arg: unknown): Promise<void> {
  const uri = await chooseSystemFile(arg);
  if (!uri) {
    void vscode.window.showInformationMessage('Open a .system file to show its system view.');
    return;
  }
  const existing = panels.get(uri.toString());
  if (existing) {
    existing.reveal(undefined, true);
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const panel = vscode.window.createWebviewPanel(
    SYSTEM_VIEW_TYPE,
    `System: ${title(doc)}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    webviewOptions(context),
  );
  setUp(context, panel, doc);
}

export function registerSystemView(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showSystemView, (arg: unknown) => showSystemView(context, arg)),
    vscode.window.registerWebviewPanelSerializer(SYSTEM_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const saved = parseSystemViewState(state);
        try {
          if (!saved) throw new Error('no file recorded');
          setUp(context, panel, await vscode.workspace.openTextDocument(vscode.Uri.parse(saved.uri)));
        } catch {
          // The file is gone (or the state is from elsewhere): nothing to show.
          panel.dispose();
        }
      },
    }),
  );
}
