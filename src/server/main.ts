// Entry point of the language server (bundled to dist/server.js; the extension starts it over IPC,
// tests spawn it with --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { NodeWorkspaceHost } from './node-host';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
startServer(connection, new NodeWorkspaceHost());
connection.listen();
