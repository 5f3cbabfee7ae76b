// "Explain a board log": a log file opens as a serial log (the language server puts the explanations
// on its lines, with quick fixes); the clipboard is explained here against the workspace's project
// and printed, lint-style, in an output channel.
import * as vscode from 'vscode';
import { explainLog, findProjectFor, formatExplanation, loadExplainContext } from '../explain';
import { NodeFileHost } from '../node/file-host';
import { COMMANDS } from './command-ids';

/** The workspace's project (the first folder with a dual-guest.json or a single .system). */
export function workspaceProject(host: NodeFileHost): string | undefined {
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (f.uri.scheme !== 'file') continue;
    const found = findProjectFor(f.uri.fsPath.replace(/\\/g, '/'), host);
    if (found) return found;
  }
  return undefined;
}

export function explainText(text: string): string[] {
  const host = new NodeFileHost();
  const project = workspaceProject(host);
  const ctx = project ? loadExplainContext(project, host) : undefined;
  return explainLog(text, ctx).map((x) => formatExplanation(x, 'clipboard', (f) => vscode.workspace.asRelativePath(f)));
}

export function registerExplainLog(context: vscode.ExtensionContext): void {
  let channel: vscode.OutputChannel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.explainLog, async () => {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'From the clipboard', id: 'clipboard' },
          { label: 'From a file...', id: 'file' },
        ],
        { placeHolder: 'Explain a board log' },
      );
      if (!pick) return;
      if (pick.id === 'file') {
        const [uri] = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Serial log': ['log', 'txt'], 'All files': ['*'] } })) ?? [];
        if (!uri) return;
        const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'serial-log');
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        return;
      }
      const text = await vscode.env.clipboard.readText();
      const lines = explainText(text);
      channel ??= vscode.window.createOutputChannel('Board log explained');
      context.subscriptions.push(channel);
      channel.clear();
      channel.appendLine(
        lines.length > 0
          ? lines.join('\n')
          : 'Nothing in the clipboard that the explainer recognises (Microkit monitor, seL4, libvmm, sDDF or Linux boot errors).',
      );
      channel.show(true);
    }),
  );
}
