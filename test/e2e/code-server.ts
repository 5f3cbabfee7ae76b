// A code-server (VS Code 1.100.3 with a real Node extension host) in a throw-away sandbox: fresh
// user-data and extensions folders, pre-seeded settings, bound to 127.0.0.1 on a free port.
// scripts/e2e-setup.sh installs it into .cache/code-server.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import * as os from 'os';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_ENTRY = path.join(PROJECT_ROOT, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/**
 * Settings every session starts with: no welcome page, no trust prompt, and the terminal's DOM
 * renderer so that its text can be read from `.xterm-rows`.
 */
export const SEEDED_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

/** The folders one session owns; all live under `root`, which is removed at the end. */
export interface Sandbox {
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** XDG folders, so that code-server's config.yaml and caches stay out of the real home. */
  readonly xdgDir: string;
}

/** The code-server entry point, or an error saying how to install it. */
export function requireCodeServer(): string {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed at ${CODE_SERVER_ENTRY}: run scripts/e2e-setup.sh first.`);
  }
  return CODE_SERVER_ENTRY;
}

export function createSandbox(settings: Readonly<Record<string, unknown>> = SEEDED_SETTINGS): Sandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mdg-e2e-'));
  const sandbox: Sandbox = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    xdgDir: path.join(root, 'xdg'),
  };
  mkdirSync(path.join(sandbox.userDataDir, 'User'), { recursive: true });
  mkdirSync(sandbox.extensionsDir, { recursive: true });
  mkdirSync(sandbox.xdgDir, { recursive: true });
  writeFileSync(path.join(sandbox.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  return sandbox;
}

/** A port nobody listens on right now (asked from the kernel, so parallel runs do not collide). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function sandboxEnv(sandbox: Sandbox): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(sandbox.xdgDir, 'config'),
    XDG_DATA_HOME: path.join(sandbox.xdgDir, 'data'),
    XDG_CACHE_HOME: path.join(sandbox.xdgDir, 'cache'),
    // The password is never used (--auth none) but code-server would otherwise generate one.
    PASSWORD: undefined,
  };
}

function commonArgs(sandbox: Sandbox): string[] {
  return ['--user-data-dir', sandbox.userDataDir, '--extensions-dir', sandbox.extensionsDir, '--config', path.join(sandbox.xdgDir, 'config.yaml')];
}

/**
 * Installs a VSIX into the sandbox's extensions folder with code-server's CLI. Returns the CLI's
 * output; throws when it fails or does not report the installation.
 */
export function installExtension(sandbox: Sandbox, vsixPath: string): string {
  const result = spawnSync(process.execPath, [requireCodeServer(), ...commonArgs(sandbox), '--install-extension', vsixPath, '--force'], {
    env: sandboxEnv(sandbox),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return output;
}

/** A running code-server; stop() ends it and every process it started. */
export class CodeServer {
  private readonly exited: Promise<void>;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly sandbox: Sandbox,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything code-server printed so far (its own log, not the extension host's). */
  get log(): string {
    return this.output;
  }

  /** Starts code-server on a free port with `workspace` as the folder to open; resolves once it listens. */
  static async start(sandbox: Sandbox, workspace: string, timeoutMs = 60_000, options: { workspaceTrust?: boolean } = {}): Promise<CodeServer> {
    const port = await findFreePort();
    const child = spawn(
      process.execPath,
      [
        requireCodeServer(),
        ...commonArgs(sandbox),
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        // Workspace trust is off unless a test is about it (Restricted Mode).
        ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
        workspace,
      ],
      {
        env: sandboxEnv(sandbox),
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so that stop() reaches the extension host and terminals too.
        detached: true,
      },
    );
    const server = new CodeServer(child, port, sandbox);
    if (child.pid !== undefined) trackGroup(child.pid);
    try {
      await server.waitForOutput(/HTTP server listening on/, timeoutMs);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => {
        if (pattern.test(this.output)) finish();
      }, 100);
      const timer = setTimeout(() => finish(new Error(`code-server did not print ${pattern} within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      const onExit = () => finish(new Error(`code-server exited before it was ready:\n${this.output}`));
      this.child.once('exit', onExit);
      const finish = (err?: Error) => {
        clearInterval(poll);
        clearTimeout(timer);
        this.child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
    });
  }

  /** Ends the whole process group: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 5_000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      killGroup(pid, 'SIGTERM');
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
    }
    // Also when the leader is gone: the extension host and terminals may outlive it.
    killGroup(pid, 'SIGKILL');
    await this.exited;
    liveGroups.delete(pid);
  }
}

/**
 * code-server runs in its own process group (detached), so it would outlive this process if the
 * test run is interrupted: kill every group still running when this process exits or is signalled.
 * (Playwright does the same for the Chromium it launches.)
 */
const liveGroups = new Set<number>();
let exitHooksInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => liveGroups.forEach((g) => killGroup(g, 'SIGKILL'));
  process.on('exit', killAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      killAll();
      // Alone, this listener would swallow the signal; with others (mocha's) they decide.
      if (process.listenerCount(signal) === 1) process.exit(code);
    });
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
