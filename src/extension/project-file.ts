// Which project to boot: the `microkitDualGuest.projectFile` setting, else the workspace's
// dual-guest.json or `.system` (asked when there are several), else the example in the VSIX.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const EXCLUDE = '{**/node_modules/**,**/.git/**}';

export async function findProjectFile(): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const configured = vscode.workspace.getConfiguration('microkitDualGuest', folder?.uri).get<string>('projectFile', '');
  if (configured) return folder && !path.isAbsolute(configured) ? path.join(folder.uri.fsPath, configured) : configured;
  let found = await vscode.workspace.findFiles('**/dual-guest.json', EXCLUDE, 20);
  if (found.length === 0) found = await vscode.workspace.findFiles('**/*.system', EXCLUDE, 20);
  if (found.length === 0) return undefined;
  if (found.length === 1) return found[0].fsPath;
  const pick = await vscode.window.showQuickPick(
    found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
    { title: 'Boot which project?' },
  );
  return pick?.uri.fsPath;
}

/** The example that ships in the VSIX (examples/dual-guest). */
export function bundledExample(context: vscode.ExtensionContext): string {
  return context.asAbsolutePath(path.join('examples', 'dual-guest', 'dual-guest.json'));
}

/** Copy the example to a folder the user picks and open it (the VSIX's own copy is read-only). */
export async function openExampleCopy(context: vscode.ExtensionContext): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Copy the example here' });
  if (!picked?.[0]) return;
  const target = path.join(picked[0].fsPath, 'dual-guest-example');
  if (fs.existsSync(target)) {
    void vscode.window.showErrorMessage(`${target} already exists: pick another folder.`);
    return;
  }
  fs.cpSync(path.dirname(bundledExample(context)), target, { recursive: true });
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), { forceNewWindow: false });
}
