// Links on the fault lines of the emulator's terminals: a line that starts a report the explainer
// decodes (a libvmm fault, a monitor fault, a vIRQ error...) is a link; following it explains the line
// against the workspace's project and offers to open the device-tree node or .system element.
import * as vscode from 'vscode';
import { decodeLog, explainLog, loadExplainContext } from '../explain';
import { NodeFileHost } from '../node/file-host';
import { workspaceProject } from './explain-log';

interface FaultLink extends vscode.TerminalLink {
  line: string;
}

class FaultLinkProvider implements vscode.TerminalLinkProvider<FaultLink> {
  provideTerminalLinks(context: vscode.TerminalLinkContext): FaultLink[] {
    // Only the extension's own (pseudo)terminals: the emulator's guests and serial port.
    if (!('pty' in context.terminal.creationOptions)) return [];
    const events = decodeLog(context.line);
    if (events.length === 0 || events[0].kind === 'silence-after-begin') return [];
    const e = events[0];
    return [{ startIndex: e.col, length: Math.max(1, e.endCol - e.col), tooltip: 'Explain this fault', line: context.line }];
  }

  async handleTerminalLink(link: FaultLink): Promise<void> {
    const host = new NodeFileHost();
    const project = workspaceProject(host);
    const [x] = explainLog(link.line, project ? loadExplainContext(project, host) : undefined);
    if (!x) return;
    const actions = x.related.map((r) => r.message);
    const choice = await vscode.window.showInformationMessage(x.message, ...actions);
    const target = x.related.find((r) => r.message === choice);
    if (!target) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(target.range.file));
    const at = new vscode.Position(target.range.start.line, target.range.start.col);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
  }
}

export function registerFaultLinks(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.window.registerTerminalLinkProvider(new FaultLinkProvider()));
}
