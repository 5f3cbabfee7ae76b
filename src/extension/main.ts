// Extension entry: a thin activation that starts the language client. Later features (emulator,
// queue inspector) register here through their own modules.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { startLanguageClient } from './language-client';
import { registerEmulatorFeatures } from './emulator-features';
import { registerExplainLog } from './explain-log';
import { registerFaultLinks } from './fault-links';
import { registerSystemView } from './system-view';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Commands first: they must exist even while (or if) the language server is starting.
  registerEmulatorFeatures(context);
  registerExplainLog(context);
  registerFaultLinks(context);
  registerSystemView(context);
  client = await startLanguageClient(context);
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
