// Starts the language server (dist/server.js, over IPC) for device trees and .system files, and
// pushes the `microkitDualGuest` settings to it (initialization and on change).
import * as path from 'path';
import * as vscode from 'vscode';
import { SERVER_NODE_FLAGS } from '../server/protocol';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'devicetree' },
      { scheme: 'file', language: 'microkit-system' },
      { scheme: 'untitled', language: 'devicetree' },
      { scheme: 'untitled', language: 'microkit-system' },
      { scheme: 'file', language: 'serial-log' },
      // VS Code's own Log language claims .log files too: a log opened as it is explained all the same.
      { scheme: 'file', language: 'log', pattern: '**/*.log' },
    ],
    initializationOptions: vscode.workspace.getConfiguration('microkitDualGuest'),
    synchronize: {
      configurationSection: 'microkitDualGuest',
      // Trees and projects read files that are not open: tell the server when they change on disk.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.dts,*.dtsi,*.dtso,*.overlay,*.h,*.system,dual-guest.json}'),
    },
  };
  const client = new LanguageClient('microkitDualGuest', 'Microkit Dual Guest language server', serverOptions, clientOptions);
  await client.start();
  return client;
}
