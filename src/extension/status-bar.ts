// The emulator's status bar item, created at activation: the session's run state in words; a click
// pauses or resumes a running board and boots one otherwise. The words are src/host/status-text.ts.
import * as vscode from 'vscode';
import { canPause, statusText, statusTooltip, STOPPED, type SessionRunState } from '../host/status-text';
import { COMMANDS } from './command-ids';

export class EmulatorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('microkitDualGuest.emulator', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Dual guest emulator';
    this.show(STOPPED);
  }

  show(s: SessionRunState): void {
    this.item.text = statusText(s);
    this.item.tooltip = statusTooltip(s);
    this.item.backgroundColor = s.problem ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.command = canPause(s) ? COMMANDS.pauseResume : COMMANDS.boot;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
