// The emulator side's shared state, as rust-analyzer's Ctx: one DualGuestSession (src/host), its
// terminals, the status bar, the output channel and the Problems entries of boots and faults. The
// commands (emulator-commands.ts) are factories over it; the logic is in src/host.
import * as path from 'path';
import * as vscode from 'vscode';
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import type { InputLog } from '../emulator/record';
import { DualGuestSession, type SessionUi } from '../host/dual-guest-session';
import { startEmulatorWorker } from '../host/node-worker';
import { canPause } from '../host/status-text';
import { readBootSettings } from './boot-settings';
import { COMMANDS, EMULATOR_SETTINGS, SECTION } from './command-ids';
import { setInspectorSession } from './inspector';
import { bundledExample, findProjectFile, openExampleCopy } from './project-file';
import { SerialLogFile } from './serial-log-file';
import { EmulatorStatusBar } from './status-bar';
import { TerminalRegistry } from './terminals';

export class EmulatorCtx implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Microkit Dual Guest: emulator');
  /** Boot errors (a boot that failed) and the running session's faults, until the next boot. */
  private readonly problems = vscode.languages.createDiagnosticCollection('microkit-dual-guest-boot');
  readonly statusBar = new EmulatorStatusBar();
  readonly terminals = new TerminalRegistry();
  private readonly serialLogFile = new SerialLogFile((m) => this.output.appendLine(m));
  readonly session: DualGuestSession;
  lastProjectFile: string | undefined;
  private showFirstTerminal = true;
  /** Counts good boots: a fault toast from an earlier one offers nothing any more. */
  private bootCount = 0;
  private faultToastsShown = false;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.session = new DualGuestSession(() => startEmulatorWorker(extension.asAbsolutePath(path.join('dist', 'worker.js'))), this.sessionUi());
  }

  private sessionUi(): SessionUi {
    return {
      addTerminal: (t) => this.terminals.add(t, this.showFirstTerminal && t.target === this.session.guestList[0]?.client),
      removeTerminal: (t) => this.terminals.remove(t),
      status: (s) => this.statusBar.show(s),
      log: (line) => this.output.appendLine(line),
      bootFailed: (diagnostics, summary) => {
        this.showProblems(diagnostics);
        void vscode.window.showErrorMessage(summary, 'Show Problems').then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
      },
      clearBootProblems: () => this.clearProblems(),
      failure: (message, source) => this.showFailure(message, source),
      sessionProblems: (diagnostics) => this.showProblems(diagnostics),
      serialLine: (line) => this.serialLogFile.write(line),
    };
  }

  /** A running board (not one whose guests have all stopped): booting again would end it. */
  get boardLive(): boolean {
    return this.session.running && canPause(this.session.runState);
  }

  async boot(projectFile: string, replay?: InputLog): Promise<void> {
    // Restricted Mode keeps the language features; running the workspace's system (and writing its
    // log) waits until the user trusts it.
    if (!vscode.workspace.isTrusted) {
      const pick = await vscode.window.showWarningMessage(
        "Booting runs this workspace's system and writes its serial log: trust the workspace first (Restricted Mode keeps the language features).",
        'Manage Workspace Trust',
      );
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    this.lastProjectFile = projectFile;
    this.configureSerialLog();
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Booting dual guests' }, () =>
      this.session.boot(this.bootSettings(projectFile, replay)),
    );
    if (outcome.type !== 'booted') return;
    this.showFirstTerminal = false;
    // Terminals the user closed (Kill All Terminals too) come back with the board.
    this.terminals.reopen(this.session.terminals);
    setInspectorSession(this.session);
  }

  /** Ask before a boot ends a live board; true when the boot may go on. */
  async confirmRestart(): Promise<boolean> {
    if (!this.boardLive) return true;
    const pick = await vscode.window.showWarningMessage(
      'The dual guests are running. Boot again? Both guests restart and their state is lost.',
      { modal: true },
      'Boot again',
    );
    return pick === 'Boot again';
  }

  async chooseProject(): Promise<string | undefined> {
    const found = await findProjectFile();
    if (found) return found;
    const pick = await vscode.window.showInformationMessage(
      'No dual-guest.json or .system file in this workspace. Boot the bundled example (two Linux guests sharing one UART through sDDF)?',
      'Boot the example',
      'Open a copy of the example',
    );
    if (pick === 'Boot the example') return bundledExample(this.extension);
    if (pick === 'Open a copy of the example') await openExampleCopy(this.extension);
    return undefined;
  }

  async pickGuest(title: string): Promise<number | undefined> {
    const guests = this.session.guestList;
    if (guests.length === 0) {
      void vscode.window.showInformationMessage('No emulator is running: run "Boot dual guests" first.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      guests.map((g, i) => ({ label: g.vm, description: `client ${g.client}, VMM ${g.vmm}`, index: i })),
      { title },
    );
    return pick?.index;
  }

  requireRunning(): boolean {
    if (this.session.running) return true;
    void vscode.window.showInformationMessage('No emulator is running: run "Boot dual guests" first.');
    return false;
  }

  // The log file is written to, so only the user's own settings may name it: a cloned workspace's
  // .vscode/settings.json must not choose a file to append to (the setting is machine-scoped too).
  configureSerialLog(): void {
    const setting = vscode.workspace.getConfiguration(SECTION).inspect<string>(EMULATOR_SETTINGS.serialLogFile)?.globalValue ?? '';
    this.serialLogFile.configure(setting, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  }

  private bootSettings(projectFile: string, replay?: InputLog): ReturnType<typeof readBootSettings>['settings'] {
    const { settings, problems: bad } = readBootSettings(vscode.workspace.getConfiguration(SECTION, vscode.Uri.file(projectFile)), projectFile, replay);
    for (const p of bad) void vscode.window.showWarningMessage(p);
    return settings;
  }

  /** A fault or crash: "Go to source" opens the line that caused it; both buttons act only while it is this boot's. */
  private showFailure(message: string, source: SourceRange | undefined): void {
    const boot = this.bootCount;
    this.faultToastsShown = true;
    const actions = source ? ['Go to source', 'Restart'] : ['Restart'];
    void vscode.window.showErrorMessage(`Dual guest: ${message}`, ...actions).then((pick) => {
      if (pick && boot !== this.bootCount) {
        void vscode.window.showInformationMessage('That message was about an earlier boot.');
      } else if (pick === 'Restart') {
        void vscode.commands.executeCommand(COMMANDS.restart);
      } else if (pick === 'Go to source' && source) {
        void vscode.window.showTextDocument(vscode.Uri.file(source.file), { selection: toRange(source) });
      }
    });
  }

  private clearProblems(): void {
    this.problems.clear();
    this.bootCount++;
    // VS Code has no call to close one notification: hide the toasts, so a good boot does not
    // leave the last boot's fault on screen (the notification centre keeps them, and their buttons
    // now say they are stale).
    if (this.faultToastsShown) void vscode.commands.executeCommand('notifications.hideToasts');
    this.faultToastsShown = false;
  }

  /** Diagnostics into the Problems panel; one without a place is put at the top of the project file. */
  private showProblems(diagnostics: Diagnostic[]): void {
    this.problems.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of diagnostics) {
      const file = d.range?.file ?? this.lastProjectFile;
      if (!file || !path.isAbsolute(file)) continue;
      const list = byFile.get(file) ?? [];
      list.push(toVscodeDiagnostic(d));
      byFile.set(file, list);
    }
    for (const [file, list] of byFile) this.problems.set(vscode.Uri.file(file), list);
  }

  dispose(): void {
    void this.session.dispose();
    for (const d of [this.output, this.problems, this.statusBar, this.terminals, this.serialLogFile]) d.dispose();
  }
}

function toVscodeDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const severity =
    d.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : d.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const vd = new vscode.Diagnostic(d.range ? toRange(d.range) : new vscode.Range(0, 0, 0, 0), d.message, severity);
  vd.source = 'dual-guest boot';
  if (d.code) vd.code = d.code;
  if (d.related?.length)
    vd.relatedInformation = d.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.range.file), toRange(r.range)), r.message),
    );
  return vd;
}

function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(Math.max(0, r.start.line), Math.max(0, r.start.col), Math.max(0, r.end.line), Math.max(0, r.end.col));
}
