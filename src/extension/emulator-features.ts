// The emulator side of the extension: commands, terminals, status bar, output channel, boot
// diagnostics and settings, over one DualGuestSession (src/host), whose emulator runs in
// dist/worker.js. Everything here is VS Code glue; the logic is in src/host.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import type { InputLog } from '../emulator/record';
import { DualGuestSession, type SessionUi } from '../host/dual-guest-session';
import { startEmulatorWorker } from '../host/node-worker';
import { parseRecording } from '../host/recording-file';
import type { SerialTerminal } from '../host/serial-terminal';
import { statusText } from '../host/status-text';
import { NodeFileHost } from '../node/file-host';
import { findProjectFileFor } from '../system/project-file-for';
import { findProjectFile, bundledExample, openExampleCopy } from './project-file';
import { readBootSettings } from './boot-settings';
import { SerialLogFile } from './serial-log-file';
import { TerminalRegistry } from './terminals';
import { COMMANDS, EMULATOR_SETTINGS, SECTION } from './command-ids';
import { openQueueInspector, registerInspectorSerializer, setInspectorSession } from './inspector';



export function registerEmulatorFeatures(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Microkit Dual Guest: emulator');
  const problems = vscode.languages.createDiagnosticCollection('microkit-dual-guest-boot');
  const statusItem = vscode.window.createStatusBarItem('microkitDualGuest.emulator', vscode.StatusBarAlignment.Left, 50);
  statusItem.name = 'Dual guest emulator';
  const terminals = new TerminalRegistry();
  const serialLogFile = new SerialLogFile((m) => output.appendLine(m));
  let paused = false;
  let firstTerminals = true;

  const ui: SessionUi = {
    addTerminal: (t: SerialTerminal) => terminals.add(t, firstTerminals && t.target === 0),
    removeTerminal: (t) => terminals.remove(t),
    status: (text, problem, tooltip) => {
      statusItem.text = text;
      statusItem.backgroundColor = problem ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      // With no emulator running a click boots; while one runs it pauses or resumes.
      const running = session?.running === true;
      statusItem.command = running ? COMMANDS.pauseResume : COMMANDS.boot;
      statusItem.tooltip = running || problem ? tooltip : 'Click to boot the dual guests';
      paused = text.includes(': paused');
      statusItem.show();
    },
    log: (line) => output.appendLine(line),
    bootFailed: (diagnostics, summary) => {
      showDiagnostics(problems, diagnostics, lastProjectFile);
      void vscode.window.showErrorMessage(summary, 'Show Problems').then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
    },
    clearBootProblems: () => problems.clear(),
    failure: (message) => {
      void vscode.window.showErrorMessage(`Dual guest: ${message}`, 'Restart').then((pick) => {
        if (pick === 'Restart') void vscode.commands.executeCommand(COMMANDS.restart);
      });
    },
    serialLine: (line) => serialLogFile.write(line),
  };
  const session: DualGuestSession = new DualGuestSession(() => startEmulatorWorker(context.asAbsolutePath(path.join('dist', 'worker.js'))), ui);
  // The item is there from activation (a workspace with a .system), so booting is one click away.
  ui.status(statusText({ state: 'stopped', timeNs: 0, inputVm: undefined }), false, '');
  let lastProjectFile: string | undefined;

  const settings = (projectFile: string, replay?: InputLog) => {
    const { settings: s, problems: bad } = readBootSettings(vscode.workspace.getConfiguration(SECTION, vscode.Uri.file(projectFile)), projectFile, replay);
    for (const p of bad) void vscode.window.showWarningMessage(p);
    return s;
  };

  // The log file is written to, so only the user's own settings may name it: a cloned workspace's
  // .vscode/settings.json must not choose a file to append to (the setting is machine-scoped too).
  const configureSerialLog = (): void => {
    const setting = vscode.workspace.getConfiguration(SECTION).inspect<string>(EMULATOR_SETTINGS.serialLogFile)?.globalValue ?? '';
    serialLogFile.configure(setting, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  };

  const boot = async (projectFile: string, replay?: InputLog): Promise<void> => {
    // Restricted Mode keeps the language features; running the workspace's system (and writing its
    // log) waits until the user trusts it.
    if (!vscode.workspace.isTrusted) {
      const pick = await vscode.window.showWarningMessage('Booting runs this workspace\'s system and writes its serial log: trust the workspace first (Restricted Mode keeps the language features).', 'Manage Workspace Trust');
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    lastProjectFile = projectFile;
    configureSerialLog();
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Booting dual guests' },
      () => session.boot(settings(projectFile, replay)));
    if (outcome.type === 'booted') {
      firstTerminals = false;
      setInspectorSession(session);
    }
  };

  const chooseProject = async (): Promise<string | undefined> => {
    const found = await findProjectFile();
    if (found) return found;
    const example = bundledExample(context);
    const pick = await vscode.window.showInformationMessage(
      'No dual-guest.json or .system file in this workspace. Boot the bundled example (two Linux guests sharing one UART through sDDF)?',
      'Boot the example', 'Open a copy of the example');
    if (pick === 'Boot the example') return example;
    if (pick === 'Open a copy of the example') await openExampleCopy(context);
    return undefined;
  };

  const pickGuest = async (title: string): Promise<number | undefined> => {
    const guests = session.guestList;
    if (guests.length === 0) {
      void vscode.window.showInformationMessage('No emulator is running: run "Boot dual guests" first.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(guests.map((g, i) => ({ label: g.vm, description: `client ${g.client}, VMM ${g.vmm}`, index: i })), { title });
    return pick?.index;
  };

  const requireRunning = (): boolean => {
    if (session.running) return true;
    void vscode.window.showInformationMessage('No emulator is running: run "Boot dual guests" first.');
    return false;
  };

  const register = (id: string, fn: () => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  // From a .system editor's title the project is that file's (its <stem>.json or dual-guest.json beside
  // it, else the .system alone); from elsewhere, the workspace's.
  register(COMMANDS.boot, async (resource?: unknown) => {
    const projectFile = resource instanceof vscode.Uri && resource.scheme === 'file' && resource.fsPath.endsWith('.system')
      ? findProjectFileFor(resource.fsPath, new NodeFileHost()) ?? resource.fsPath
      : await chooseProject();
    if (projectFile) await boot(projectFile);
  });
  register(COMMANDS.restart, async () => {
    if (lastProjectFile) await boot(lastProjectFile);
    else await vscode.commands.executeCommand(COMMANDS.boot);
  });
  register(COMMANDS.stop, async () => {
    await session.stop();
    setInspectorSession(undefined);
  });
  register(COMMANDS.pauseResume, () => {
    if (!requireRunning()) return;
    if (paused) session.resume();
    else session.pause();
  });
  register(COMMANDS.resetGuest, async () => {
    const i = await pickGuest('Reset which guest? (it boots again; the other guest runs on)');
    if (i !== undefined) session.reset(i);
  });
  register(COMMANDS.switchInput, async () => {
    const i = await pickGuest('Send serial input to');
    if (i === undefined) return;
    session.switchInput(session.guestList[i].client);
    const t = session.guestTerminals[i];
    if (t) terminals.reveal(t);
  });
  register(COMMANDS.openQueueInspector, () => openQueueInspector(context, session.running ? session : undefined));
  registerInspectorSerializer(context, () => (session.running ? session : undefined));
  register(COMMANDS.saveSerialLog, async () => {
    const uri = await vscode.window.showSaveDialog({ filters: { 'Serial log': ['log', 'txt'] }, defaultUri: defaultUri('serial.log') });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(session.serialLog.text()));
    void vscode.window.showInformationMessage(`Serial log saved to ${uri.fsPath}`);
  });
  register(COMMANDS.saveRecording, async () => {
    if (!requireRunning()) return;
    const log = await session.recording();
    if (!log) return;
    const uri = await vscode.window.showSaveDialog({ filters: { 'Input recording': ['json'] }, defaultUri: defaultUri('recording.json') });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify({ ...log, projectFile: lastProjectFile }, null, 1) + '\n'));
  });
  register(COMMANDS.replayRecording, async () => {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Input recording': ['json'] } });
    if (!uris?.[0]) return;
    const parsed = parseRecording(new TextDecoder().decode(await vscode.workspace.fs.readFile(uris[0])));
    if (typeof parsed === 'string') {
      void vscode.window.showErrorMessage(`Cannot replay ${uris[0].fsPath}: ${parsed}`);
      return;
    }
    const projectFile = parsed.projectFile && fs.existsSync(parsed.projectFile) ? parsed.projectFile : await chooseProject();
    if (projectFile) await boot(projectFile, parsed.log);
  });
  register(COMMANDS.openExample, () => openExampleCopy(context));

  context.subscriptions.push(output, problems, statusItem, terminals, serialLogFile,
    { dispose: () => void session.dispose() },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${EMULATOR_SETTINGS.serialLogFile}`) && vscode.workspace.isTrusted) configureSerialLog();
    }));
}

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
}

/** Boot errors into the Problems panel; an error without a place is put at the top of the project file. */
function showDiagnostics(collection: vscode.DiagnosticCollection, diagnostics: Diagnostic[], projectFile: string | undefined): void {
  collection.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const d of diagnostics) {
    const file = d.range?.file ?? projectFile;
    if (!file || !path.isAbsolute(file)) continue;
    const vd = new vscode.Diagnostic(d.range ? toRange(d.range) : new vscode.Range(0, 0, 0, 0), d.message,
      d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
    vd.source = 'dual-guest boot';
    if (d.code) vd.code = d.code;
    if (d.related?.length) vd.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.range.file), toRange(r.range)), r.message));
    const list = byFile.get(file) ?? [];
    list.push(vd);
    byFile.set(file, list);
  }
  for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
}

function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(Math.max(0, r.start.line), Math.max(0, r.start.col), Math.max(0, r.end.line), Math.max(0, r.end.col));
}
