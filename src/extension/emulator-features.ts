// The emulator side of the extension: one EmulatorCtx (session, terminals, status bar, output
// channel, Problems entries) and the commands over it (emulator-commands.ts). VS Code glue only;
// the logic is in src/host.
import * as vscode from 'vscode';
import { EMULATOR_SETTINGS, SECTION } from './command-ids';
import { EMULATOR_COMMANDS } from './emulator-commands';
import { EmulatorCtx } from './emulator-ctx';
import { registerInspectorSerializer } from './inspector';

export function registerEmulatorFeatures(context: vscode.ExtensionContext): void {
  const ctx = new EmulatorCtx(context);
  context.subscriptions.push(ctx);
  for (const [id, factory] of Object.entries(EMULATOR_COMMANDS)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, factory(ctx)));
  }
  registerInspectorSerializer(context, () => (ctx.session.running ? ctx.session : undefined));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${EMULATOR_SETTINGS.serialLogFile}`) && vscode.workspace.isTrusted) ctx.configureSerialLog();
    }),
  );
}
