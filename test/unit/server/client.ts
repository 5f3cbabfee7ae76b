// A small LSP client for protocol-level tests: spawns the real server over stdio, speaks JSON-RPC
// through vscode-languageserver-protocol, counts the document notifications it sends and waits for
// the server's matching `settled` notification, so every assertion sees the analysis of the last edit.
import { spawn, type ChildProcess } from 'child_process';
import { buildSync } from 'esbuild';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Location,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { SERVER_NODE_FLAGS, SETTLED_NOTIFICATION, type SettledParams } from '../../../src/server/protocol';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

let bundled: string | undefined;

/**
 * The server built from the current sources into one file (as scripts/build.mjs does for dist/), once
 * per test process: starting Node on a bundle takes a fraction of transpiling every module with tsx.
 */
export function serverBundle(): string {
  if (!bundled) {
    const out = path.join(tmpdir(), `mkdg-server-test-${process.pid}.js`);
    buildSync({
      entryPoints: [path.join(PROJECT_ROOT, 'src/server/main.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'error',
    });
    bundled = out;
  }
  return bundled;
}

/** The 0-based line of `text` holding `needle` (-1 when none does). */
export function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle));
}

export function uri(file: string): string {
  return pathToFileURL(file).href;
}

export class TestClient {
  private sent = 0;
  private settled = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private versions = new Map<string, number>();
  private readonly diags = new Map<string, Diagnostic[]>();
  lastAnalysisMs = 0;
  readonly stderr: string[] = [];

  private constructor(
    private readonly proc: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  /** Start the server (bundled from the current sources, or from source through tsx) and initialize it with `settings`. */
  static async start(settings: unknown = {}, options: { fromSource?: boolean } = {}): Promise<TestClient> {
    const args = options.fromSource
      ? [...SERVER_NODE_FLAGS, '-r', 'tsx/cjs', path.join(PROJECT_ROOT, 'src/server/main.ts'), '--stdio']
      : [...SERVER_NODE_FLAGS, serverBundle(), '--stdio'];
    const proc = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new TestClient(proc, connection);
    proc.stderr!.on('data', (b: Buffer) => client.stderr.push(b.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => client.diags.set(p.uri, p.diagnostics));
    connection.onNotification(SETTLED_NOTIFICATION, (p: SettledParams) => {
      client.settled = p.seq;
      client.lastAnalysisMs = p.analysisMs;
      for (const w of client.waiters.filter((x) => x.seq <= p.seq)) w.resolve();
      client.waiters = client.waiters.filter((x) => x.seq > p.seq);
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => client.stderr.push(p.message));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/configuration', () => []);
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: settings });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** Errors the server logged (a feature that threw is a bug even though the server survives it). */
  loggedErrors(): string[] {
    return this.stderr.filter((s) => s.includes('failed'));
  }

  private async notify(method: string, params: unknown): Promise<void> {
    const seq = ++this.sent;
    const done = new Promise<void>((resolve) => {
      if (this.settled >= seq) resolve();
      else this.waiters.push({ seq, resolve });
    });
    await this.connection.sendNotification(method, params);
    await done;
  }

  open(file: string, text: string, languageId = file.endsWith('.system') ? 'microkit-system' : 'devicetree'): Promise<void> {
    this.versions.set(file, 1);
    return this.notify('textDocument/didOpen', { textDocument: { uri: uri(file), languageId, version: 1, text } });
  }

  /** Open a buffer by URI (e.g. `untitled:Untitled-1`). */
  openUri(docUri: string, languageId: string, text: string): Promise<void> {
    return this.notify('textDocument/didOpen', { textDocument: { uri: docUri, languageId, version: 1, text } });
  }

  diagnosticsOfUri(docUri: string): Diagnostic[] {
    return this.diags.get(docUri) ?? [];
  }

  /** Replace the whole text, or apply incremental changes. */
  change(file: string, change: string | TextDocumentContentChangeEvent[]): Promise<void> {
    const version = (this.versions.get(file) ?? 1) + 1;
    this.versions.set(file, version);
    const contentChanges = typeof change === 'string' ? [{ text: change }] : change;
    return this.notify('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges });
  }

  close(file: string): Promise<void> {
    return this.notify('textDocument/didClose', { textDocument: { uri: uri(file) } });
  }

  /** Tell the server these files changed on disk (as the editor's file watcher does). */
  filesChanged(files: string[]): Promise<void> {
    return this.notify('workspace/didChangeWatchedFiles', { changes: files.map((f) => ({ uri: uri(f), type: 2 })) });
  }

  configure(settings: unknown): Promise<void> {
    return this.notify('workspace/didChangeConfiguration', { settings });
  }

  diagnostics(file: string): Diagnostic[] {
    return this.diags.get(uri(file)) ?? [];
  }

  allDiagnostics(): Map<string, Diagnostic[]> {
    return this.diags;
  }

  private pos(file: string, line: number, character: number): { textDocument: { uri: string }; position: { line: number; character: number } } {
    return { textDocument: { uri: uri(file) }, position: { line, character } };
  }

  hover(file: string, line: number, character: number): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', this.pos(file, line, character));
  }

  async completion(file: string, line: number, character: number): Promise<CompletionItem[]> {
    const r = await this.connection.sendRequest<CompletionItem[] | CompletionList | null>('textDocument/completion', this.pos(file, line, character));
    return Array.isArray(r) ? r : (r?.items ?? []);
  }

  definition(file: string, line: number, character: number): Promise<Location[] | null> {
    return this.connection.sendRequest('textDocument/definition', this.pos(file, line, character));
  }

  references(file: string, line: number, character: number, includeDeclaration = true): Promise<Location[] | null> {
    return this.connection.sendRequest('textDocument/references', { ...this.pos(file, line, character), context: { includeDeclaration } });
  }

  prepareRename(file: string, line: number, character: number): Promise<Range | null> {
    return this.connection.sendRequest('textDocument/prepareRename', this.pos(file, line, character));
  }

  rename(file: string, line: number, character: number, newName: string): Promise<WorkspaceEdit | null> {
    return this.connection.sendRequest('textDocument/rename', { ...this.pos(file, line, character), newName });
  }

  symbols(file: string): Promise<DocumentSymbol[]> {
    return this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri(file) } });
  }

  folding(file: string): Promise<FoldingRange[]> {
    return this.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri: uri(file) } });
  }

  format(file: string): Promise<TextEdit[] | null> {
    return this.connection.sendRequest('textDocument/formatting', { textDocument: { uri: uri(file) }, options: { tabSize: 4, insertSpaces: true } });
  }

  codeActions(file: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[] | null> {
    return this.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: uri(file) }, range, context: { diagnostics } });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params);
  }

  /** The server process's resident memory, read from /proc (Linux). */
  pid(): number | undefined {
    return this.proc.pid;
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/** Apply LSP text edits to a text (for formatting and rename assertions). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: { line: number; character: number }): number => (p.line >= lineStarts.length ? text.length : lineStarts[p.line] + p.character);
  // Last first; inserts at one place in reverse, so they end up in the order given (as the protocol says).
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => off(b.e.range.start) - off(a.e.range.start) || b.i - a.i)
    .map((x) => x.e);
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
