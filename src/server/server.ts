// Wires an LSP connection to the workspace: document sync, settings, and one handler per feature,
// dispatched to the language of the document. Analysis is synchronous per notification; after each
// one the server publishes what changed and sends the `settled` notification (protocol.ts).
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  SemanticTokensBuilder,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type SemanticTokens,
  type SemanticTokensDelta,
} from 'vscode-languageserver/node';
import type { Diagnostic } from '../common/diagnostics';
import { decodeUtf8 } from '../common/host';
import { toLspDiagnostic } from './convert';
import type { LanguageFeatures } from './features';
import { CONTEXTS_REQUEST, SETTLED_NOTIFICATION, type ContextInfo, type SettledParams } from './protocol';
import { readSettings } from './settings';
import { devicetreeFeatures, devicetreeWorkspaceSymbols } from './devicetree/dt-features';
import { DevicetreeUnitProvider, isDevicetreeFile } from './devicetree/dt-provider';
import { DtUnit } from './devicetree/dt-unit';
import { TOKEN_MODIFIERS, TOKEN_TYPES, tokenTypeIndex, type SemanticToken } from './devicetree/semantic-tokens';
import { systemFeatures } from './system/system-features';
import { SystemUnitProvider } from './system/system-provider';
import { isSerialLogFile, LogUnitProvider } from './log/log-unit';
import { serialLogFeatures } from './log/log-features';
import { pathToUri, uriToPath } from './uri';
import { isSystemFile, Workspace, type WorkspaceHost } from './workspace';

/** How long the edits must pause before the trees' indexes are built ahead of requests. */
const PREPARE_DELAY_MS = 30;

/**
 * The trees' indexes (hover, references, tokens read them) are built once the edits pause, after the
 * diagnostics are out, rather than by the first request. A newer edit makes this one's work moot:
 * while edits come faster than PREPARE_DELAY_MS each is analysed without building an index the next
 * one replaces (a request in between builds the one it needs itself). Call after each analysis.
 */
function preparer(ws: Workspace, connection: Connection): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      try {
        ws.prepareUnits();
      } catch (e) {
        connection.console.error(`preparing for requests failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }, PREPARE_DELAY_MS);
  };
}

/** What the server's handlers share: the connection, the workspace and the helpers every handler uses. */
interface ServerContext {
  readonly connection: Connection;
  readonly ws: Workspace;
  /** Semantic tokens: one builder per document, which keeps the last result a delta request starts from. */
  readonly tokenBuilders: Map<string, SemanticTokensBuilder>;
  /** Re-analyse after a change, publish what changed, and send `settled`. */
  settle(changed: string[] | 'all'): void;
  /** Run a feature, turning any internal failure into an empty answer plus a log line: never crash the server. */
  guarded<T>(name: string, uri: string, fallback: T, f: (features: LanguageFeatures, path: string) => T): T;
}

export function startServer(connection: Connection, disk: WorkspaceHost): Workspace {
  const ws = new Workspace(disk);
  ws.addProvider(new SystemUnitProvider());
  ws.addProvider(new DevicetreeUnitProvider());
  ws.addProvider(new LogUnitProvider());
  const ctx: ServerContext = { connection, ws, tokenBuilders: new Map(), settle: settler(connection, ws), guarded: featureRunner(connection, ws) };
  connection.onInitialize((params): InitializeResult => {
    ws.settings = readSettings(params.initializationOptions);
    return { capabilities: CAPABILITIES, serverInfo: { name: 'microkit-dual-guest', version: '0.1.0' } };
  });
  connection.onInitialized(() => {
    // Ask for settings pushes when the client supports dynamic registration; harmless otherwise.
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'microkitDualGuest' }).catch(() => undefined);
  });
  connection.onDidChangeConfiguration((params) => {
    if (params.settings !== null && params.settings !== undefined) ws.settings = readSettings(params.settings);
    ctx.settle('all');
  });
  registerDocumentSync(ctx);
  connection.onRequest(CONTEXTS_REQUEST, (): ContextInfo[] =>
    ws
      .liveUnits()
      .filter((u): u is DtUnit => u instanceof DtUnit)
      .map((u) => ({ files: u.files, includePaths: u.includePaths, origin: u.origin, vm: u.vm })),
  );
  registerFeatures(ctx);
  registerSemanticTokens(ctx);
  return ws;
}

const CAPABILITIES: InitializeResult['capabilities'] = {
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
  hoverProvider: true,
  // No space or '=' triggers: completion popping up on every space is noise; Ctrl+Space still asks.
  completionProvider: { triggerCharacters: ['&', '{', '/', '"', '<'] },
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: true,
  workspaceSymbolProvider: true,
  foldingRangeProvider: true,
  documentFormattingProvider: true,
  // `}` closing a node gets its `;` (the language configuration closes a typed `{` with `};`).
  documentOnTypeFormattingProvider: { firstTriggerCharacter: '}' },
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
  declarationProvider: true,
  typeDefinitionProvider: true,
  documentLinkProvider: { resolveProvider: false },
  // Inside `< >`: each space moves to the next cell.
  signatureHelpProvider: { triggerCharacters: ['<', ' '], retriggerCharacters: [' '] },
  semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: { delta: true }, range: true },
};

function settler(connection: Connection, ws: Workspace): ServerContext['settle'] {
  let seq = 0;
  const schedulePrepare = preparer(ws, connection);
  return (changed) => {
    const t0 = performance.now();
    let updates = new Map<string, { diagnostic: Diagnostic; source: string }[]>();
    try {
      updates = ws.refresh(changed);
    } catch (e) {
      connection.console.error(`analysis failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
    for (const [file, list] of updates) {
      void connection.sendDiagnostics({ uri: pathToUri(file), diagnostics: list.map((e) => toLspDiagnostic(e.diagnostic, e.source)) });
    }
    seq++;
    const params: SettledParams = { seq, analysisMs: performance.now() - t0 };
    void connection.sendNotification(SETTLED_NOTIFICATION, params);
    schedulePrepare();
  };
}

function featureRunner(connection: Connection, ws: Workspace): ServerContext['guarded'] {
  const featuresFor = (path: string): LanguageFeatures | undefined =>
    isSystemFile(path)
      ? systemFeatures
      : isDevicetreeFile(path) || ws.docs.get(path)?.languageId === 'devicetree'
        ? devicetreeFeatures
        : isSerialLogFile(path) || ws.docs.get(path)?.languageId === 'serial-log'
          ? serialLogFeatures
          : undefined;
  return (name, uri, fallback, f) => {
    const path = uriToPath(uri);
    const features = featuresFor(path);
    if (!features) return fallback;
    try {
      return f(features, path);
    } catch (e) {
      connection.console.error(`${name} failed on ${uri}: ${e instanceof Error ? e.stack : String(e)}`);
      return fallback;
    }
  };
}

/** Open, change, close and save of documents, and changes on disk: each settles what it touched. */
function registerDocumentSync({ connection, ws, tokenBuilders, settle }: ServerContext): void {
  connection.onDidOpenTextDocument(({ textDocument: d }) => {
    const path = uriToPath(d.uri);
    // A client that sends no text (null, against the protocol) opens an empty buffer rather than one
    // that every later analysis would trip over.
    const text = typeof d.text === 'string' ? d.text : '';
    if (text !== d.text) connection.console.warn(`didOpen of ${d.uri} without text: opened as empty`);
    // Opening a file whose buffer equals the disk changes nothing another tree has read.
    const unchanged = sameAsDisk(ws, path, text);
    ws.docs.open(path, d.uri, d.languageId, d.version, text);
    settle(unchanged ? [] : [path]);
  });

  connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
    const path = uriToPath(d.uri);
    ws.docs.change(path, d.version ?? 0, contentChanges);
    settle([path]);
  });

  connection.onDidCloseTextDocument(({ textDocument: d }) => {
    const path = uriToPath(d.uri);
    const unchanged = sameAsDisk(ws, path, ws.docs.get(path)?.getText());
    tokenBuilders.delete(d.uri);
    ws.docs.close(path);
    // When the buffer differed from the file on disk, anything that read it must re-read.
    settle(unchanged ? [] : [path]);
  });

  connection.onDidSaveTextDocument(() => settle([]));

  connection.onDidChangeWatchedFiles(({ changes }) => settle(changes.map((c) => uriToPath(c.uri))));
}

/** The requests answered by the document's language (LanguageFeatures), each guarded. */
function registerFeatures({ connection, ws, guarded }: ServerContext): void {
  connection.onHover(({ textDocument, position }) => guarded('hover', textDocument.uri, null, (f, p) => f.hover(ws, p, position)));
  connection.onCompletion(({ textDocument, position }) => guarded('completion', textDocument.uri, [], (f, p) => f.completion(ws, p, position)));
  connection.onDefinition(({ textDocument, position }) => guarded('definition', textDocument.uri, [], (f, p) => f.definition(ws, p, position)));
  connection.onReferences(({ textDocument, position, context }) =>
    guarded('references', textDocument.uri, [], (f, p) => f.references(ws, p, position, context.includeDeclaration)),
  );
  connection.onPrepareRename(({ textDocument, position }) => guarded('prepareRename', textDocument.uri, null, (f, p) => f.prepareRename(ws, p, position)));
  connection.onRenameRequest(({ textDocument, position, newName }) => guarded('rename', textDocument.uri, null, (f, p) => f.rename(ws, p, position, newName)));
  connection.onDocumentSymbol(({ textDocument }) => guarded('documentSymbol', textDocument.uri, [], (f, p) => f.documentSymbols(ws, p)));
  connection.onWorkspaceSymbol(({ query }) => {
    try {
      return devicetreeWorkspaceSymbols(ws, query);
    } catch (e) {
      connection.console.error(`workspaceSymbol failed: ${e instanceof Error ? e.stack : String(e)}`);
      return [];
    }
  });
  connection.onFoldingRanges(({ textDocument }) => guarded('foldingRanges', textDocument.uri, [], (f, p) => f.foldingRanges(ws, p)));
  connection.onDocumentFormatting(({ textDocument, options }) => guarded('formatting', textDocument.uri, [], (f, p) => f.formatting(ws, p, options)));
  connection.onDocumentOnTypeFormatting(({ textDocument, position, ch }) =>
    guarded('onTypeFormatting', textDocument.uri, [], (f, p) => f.onTypeFormatting?.(ws, p, position, ch) ?? []),
  );
  connection.onCodeAction(({ textDocument, range, context }) =>
    guarded('codeAction', textDocument.uri, [], (f, p) => f.codeActions(ws, p, range, context.diagnostics, context.only)),
  );
  connection.onDeclaration(({ textDocument, position }) => guarded('declaration', textDocument.uri, [], (f, p) => f.declaration?.(ws, p, position) ?? []));
  connection.onTypeDefinition(({ textDocument, position }) =>
    guarded('typeDefinition', textDocument.uri, [], (f, p) => f.typeDefinition?.(ws, p, position) ?? []),
  );
  connection.onDocumentLinks(({ textDocument }) => guarded('documentLinks', textDocument.uri, [], (f, p) => f.documentLinks?.(ws, p) ?? []));
  connection.onSignatureHelp(({ textDocument, position }) =>
    guarded('signatureHelp', textDocument.uri, null, (f, p) => f.signatureHelp?.(ws, p, position) ?? null),
  );
}

/** Semantic tokens, whole (kept per document for the next delta), as a delta, and for a range. */
function registerSemanticTokens({ connection, ws, tokenBuilders, guarded }: ServerContext): void {
  const tokensOf = (uri: string): SemanticToken[] => guarded('semanticTokens', uri, [], (f, p) => f.semanticTokens?.(ws, p) ?? []);
  const pushTokens = (builder: SemanticTokensBuilder, tokens: SemanticToken[], from = 0, to = Infinity): void => {
    for (const t of tokens) if (t.line >= from && t.line <= to) builder.push(t.line, t.col, t.length, tokenTypeIndex(t.type), t.modifiers);
  };
  connection.languages.semanticTokens.on(({ textDocument }): SemanticTokens => {
    const tokens = tokensOf(textDocument.uri);
    const builder = new SemanticTokensBuilder();
    tokenBuilders.set(textDocument.uri, builder);
    pushTokens(builder, tokens);
    return builder.build();
  });
  connection.languages.semanticTokens.onDelta(({ textDocument, previousResultId }): SemanticTokens | SemanticTokensDelta => {
    const tokens = tokensOf(textDocument.uri);
    let builder = tokenBuilders.get(textDocument.uri);
    if (!builder) tokenBuilders.set(textDocument.uri, (builder = new SemanticTokensBuilder()));
    builder.previousResult(previousResultId);
    pushTokens(builder, tokens);
    return builder.canBuildEdits() ? builder.buildEdits() : builder.build();
  });
  connection.languages.semanticTokens.onRange(({ textDocument, range }): SemanticTokens => {
    const tokens = tokensOf(textDocument.uri);
    const builder = new SemanticTokensBuilder();
    pushTokens(builder, tokens, range.start.line, range.end.line);
    return builder.build();
  });
}

function sameAsDisk(ws: Workspace, path: string, text: string | undefined): boolean {
  const disk = ws.disk.readFile(path);
  return disk !== undefined && text !== undefined && decodeUtf8(disk) === text;
}
