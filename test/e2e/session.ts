// One end-to-end session: a sandboxed code-server with our VSIX installed, a workspace folder open
// in Chromium, and the logs gathered at the end. close() always ends both processes.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { Page } from 'playwright-core';
import { Chromium, launchChromium } from './browser';
import { CodeServer, createSandbox, installExtension, PROJECT_ROOT, Sandbox, SEEDED_SETTINGS } from './code-server';
import { activationLine, errorEntries, isExtensionHostLog, LogError } from './logs';
import { waitForWorkbench } from './workbench';

export const LOG_DIR = path.join(PROJECT_ROOT, 'test-results', 'e2e', 'logs');

export interface SessionOptions {
  /** The folder to open; the session works on a copy of it, so the test cannot change the original. */
  readonly workspace: string;
  /** VSIX files to install before code-server starts. */
  readonly vsix?: readonly string[];
  /** Settings merged over SEEDED_SETTINGS. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Names the saved logs (test-results/e2e/logs/<name>/). */
  readonly name: string;
  /** Workspace trust on, with no prompt: the folder, never trusted before, opens in Restricted Mode. */
  readonly restrictedMode?: boolean;
}

/** Settings that turn workspace trust on without its startup prompt. */
const RESTRICTED_MODE_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

export class E2ESession {
  /** Uncaught exceptions in the workbench page (its own console is noisy offline, so only these). */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly sandbox: Sandbox,
    readonly workspace: string,
    readonly codeServer: CodeServer,
    readonly chromium: Chromium,
    readonly page: Page,
    private readonly name: string,
  ) {
    page.on('pageerror', (err) => this.pageErrors.push(err.stack ?? err.message));
  }

  static async open(options: SessionOptions): Promise<E2ESession> {
    const sandbox = createSandbox({ ...SEEDED_SETTINGS, ...(options.restrictedMode ? RESTRICTED_MODE_SETTINGS : {}), ...options.settings });
    const workspace = path.join(sandbox.root, 'workspace', path.basename(options.workspace));
    let codeServer: CodeServer | undefined;
    let chromium: Chromium | undefined;
    try {
      cpSync(options.workspace, workspace, { recursive: true });
      for (const vsix of options.vsix ?? []) installExtension(sandbox, vsix);
      codeServer = await CodeServer.start(sandbox, workspace, undefined, { workspaceTrust: options.restrictedMode });
      chromium = await launchChromium();
      const page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
      const session = new E2ESession(sandbox, workspace, codeServer, chromium, page, options.name);
      await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(workspace)}`);
      await waitForWorkbench(page);
      return session;
    } catch (err) {
      await chromium?.close();
      await codeServer?.stop();
      rmSync(sandbox.root, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * The extension-host log files of this session (one per extension-host start), and the log
   * channels (LogOutputChannel, e.g. a language client's trace) of the extensions in `ownIds`.
   * Paths are relative to the session's log folder.
   */
  extensionHostLogFiles(ownIds: readonly string[] = []): string[] {
    return listFiles(path.join(this.sandbox.userDataDir, 'logs'))
      .filter((f) => isExtensionHostLog(f, ownIds))
      .sort();
  }

  /** The main extension host logs' text, concatenated. */
  extensionHostLog(): string {
    const root = path.join(this.sandbox.userDataDir, 'logs');
    return this.extensionHostLogFiles()
      .map((f) => readFileSync(path.join(root, f), 'utf8'))
      .join('\n');
  }

  /**
   * Error-level entries of the extension host logs and of the log channels of the extensions in
   * `ownIds`, except those matching one of `allowed`.
   */
  extensionHostErrors(allowed: readonly RegExp[] = [], ownIds: readonly string[] = []): LogError[] {
    const root = path.join(this.sandbox.userDataDir, 'logs');
    const errors: LogError[] = [];
    for (const file of this.extensionHostLogFiles(ownIds)) {
      for (const entry of errorEntries(readFileSync(path.join(root, file), 'utf8'), allowed)) errors.push({ file, text: entry.text });
    }
    return errors;
  }

  /**
   * Polls the extension host log until `extensionId` has been activated; returns the log line.
   * VS Code logs "ExtensionService#_doActivateExtension <id>, ..." when it activates one.
   */
  async waitForActivation(extensionId: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = activationLine(this.extensionHostLog(), extensionId);
      if (line) return line;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`${extensionId} was not activated within ${timeoutMs} ms. Extension host log:\n${this.extensionHostLog()}`);
  }

  /**
   * Ends Chromium and code-server (whatever state they are in), saves the logs under
   * test-results/e2e/logs/<name>/ and removes the sandbox. Safe to call twice.
   */
  async close(): Promise<void> {
    await this.chromium.close();
    await this.codeServer.stop();
    if (!existsSync(this.sandbox.root)) return;
    const saved = path.join(LOG_DIR, this.name);
    rmSync(saved, { recursive: true, force: true });
    mkdirSync(saved, { recursive: true });
    const logs = path.join(this.sandbox.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, saved, { recursive: true });
    writeFileSync(path.join(saved, 'code-server.log'), this.codeServer.log);
    writeFileSync(path.join(saved, 'page-errors.log'), this.pageErrors.join('\n\n'));
    rmSync(this.sandbox.root, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}
