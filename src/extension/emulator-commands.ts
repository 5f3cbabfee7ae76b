// The emulator's commands, each a factory over the shared EmulatorCtx (rust-analyzer's pattern):
// registerEmulatorFeatures registers every entry of EMULATOR_COMMANDS under its id.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { parseRecording } from '../host/recording-file';
import { NodeFileHost } from '../node/file-host';
import { findProjectFileFor } from '../system/project-file-for';
import { COMMANDS } from './command-ids';
import type { EmulatorCtx } from './emulator-ctx';
import { openQueueInspector, setInspectorSession } from './inspector';
import { openExampleCopy } from './project-file';

type Cmd = (...args: any[]) => unknown;
type CommandFactory = (ctx: EmulatorCtx) => Cmd;

// From a .system editor's title the project is that file's (its <stem>.json or dual-guest.json beside
// it, else the .system alone); from elsewhere, the workspace's.
const boot: CommandFactory = (ctx) => async (resource?: unknown) => {
  if (!(await ctx.confirmRestart())) return;
  const projectFile =
    resource instanceof vscode.Uri && resource.scheme === 'file' && resource.fsPath.endsWith('.system')
      ? (findProjectFileFor(resource.fsPath, new NodeFileHost()) ?? resource.fsPath)
      : await ctx.chooseProject();
  if (projectFile) await ctx.boot(projectFile);
};

/** "Restart" (a fault toast's button, or the palette): the last project again, no question asked. */
const restart: CommandFactory = (ctx) => async () => {
  if (ctx.lastProjectFile) await ctx.boot(ctx.lastProjectFile);
  else await vscode.commands.executeCommand(COMMANDS.boot);
};

const stop: CommandFactory = (ctx) => async () => {
  await ctx.session.stop();
  setInspectorSession(undefined);
};

const pauseResume: CommandFactory = (ctx) => () => {
  if (!ctx.requireRunning()) return;
  if (ctx.session.runState.state === 'paused') ctx.session.resume();
  else ctx.session.pause();
};

const resetGuest: CommandFactory = (ctx) => async () => {
  const i = await ctx.pickGuest('Reset which guest? (it boots again; the other guest runs on)');
  if (i !== undefined) ctx.session.reset(i);
};

const switchInput: CommandFactory = (ctx) => async () => {
  const i = await ctx.pickGuest('Send serial input to');
  if (i === undefined) return;
  ctx.session.switchInput(ctx.session.guestList[i].client);
  const t = ctx.session.guestTerminals[i];
  if (t) ctx.terminals.reveal(t);
};

/** Every terminal of the board again, the Serial port's too, after the user closed them; the first guest's in front. */
const showTerminals: CommandFactory = (ctx) => () => {
  const all = ctx.session.terminals;
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No terminals yet: run "Boot dual guests" first.');
    return;
  }
  ctx.terminals.reopen(all);
  ctx.terminals.reveal(all[0]);
};

const openInspector: CommandFactory = (ctx) => () => openQueueInspector(ctx.extension, ctx.session.running ? ctx.session : undefined);

const saveSerialLog: CommandFactory = (ctx) => async () => {
  const uri = await vscode.window.showSaveDialog({ filters: { 'Serial log': ['log', 'txt'] }, defaultUri: defaultUri('serial.log') });
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(ctx.session.serialLog.text()));
  void vscode.window.showInformationMessage(`Serial log saved to ${uri.fsPath}`);
};

const saveRecording: CommandFactory = (ctx) => async () => {
  if (!ctx.requireRunning()) return;
  const log = await ctx.session.recording();
  if (!log) return;
  const uri = await vscode.window.showSaveDialog({ filters: { 'Input recording': ['json'] }, defaultUri: defaultUri('recording.json') });
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify({ ...log, projectFile: ctx.lastProjectFile }, null, 1) + '\n'));
};

const exportTrace: CommandFactory = (ctx) => async () => {
  if (!ctx.requireRunning()) return;
  const uri = await vscode.window.showSaveDialog({ filters: { 'Chrome/Perfetto trace': ['json'] }, defaultUri: defaultUri('trace.json') });
  if (!uri) return;
  const trace = await ctx.session.trace();
  if (!trace.json) {
    void vscode.window.showErrorMessage(`No trace: ${trace.error ?? 'the emulator gave none'}`);
    return;
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(trace.json));
  void vscode.window.showInformationMessage(`Trace saved to ${uri.fsPath}: open it in ui.perfetto.dev or chrome://tracing`);
};

const replayRecording: CommandFactory = (ctx) => async () => {
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Input recording': ['json'] } });
  if (!uris?.[0]) return;
  const parsed = parseRecording(new TextDecoder().decode(await vscode.workspace.fs.readFile(uris[0])));
  if (typeof parsed === 'string') {
    void vscode.window.showErrorMessage(`Cannot replay ${uris[0].fsPath}: ${parsed}`);
    return;
  }
  if (!(await ctx.confirmRestart())) return;
  const projectFile = parsed.projectFile && fs.existsSync(parsed.projectFile) ? parsed.projectFile : await ctx.chooseProject();
  if (projectFile) await ctx.boot(projectFile, parsed.log);
};

const openExample: CommandFactory = (ctx) => () => openExampleCopy(ctx.extension);

// Every command but the log explainer's and the system view's (explain-log.ts and system-view.ts
// register those: they need no emulator).
export const EMULATOR_COMMANDS: Record<
  Exclude<(typeof COMMANDS)[keyof typeof COMMANDS], typeof COMMANDS.explainLog | typeof COMMANDS.showSystemView>,
  CommandFactory
> = {
  [COMMANDS.boot]: boot,
  [COMMANDS.restart]: restart,
  [COMMANDS.stop]: stop,
  [COMMANDS.pauseResume]: pauseResume,
  [COMMANDS.resetGuest]: resetGuest,
  [COMMANDS.switchInput]: switchInput,
  [COMMANDS.showTerminals]: showTerminals,
  [COMMANDS.openQueueInspector]: openInspector,
  [COMMANDS.saveSerialLog]: saveSerialLog,
  [COMMANDS.saveRecording]: saveRecording,
  [COMMANDS.exportTrace]: exportTrace,
  [COMMANDS.replayRecording]: replayRecording,
  [COMMANDS.openExample]: openExample,
};

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
}
