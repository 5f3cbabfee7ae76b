// The status bar's words for the emulator's state, kept out of the VS Code glue so they are tested.
import type { RunState } from './protocol';

export interface StatusInput {
  state: RunState | 'crashed';
  timeNs: number;
  /** The VM whose terminal input reaches (the RX virtualiser's current client), if known. */
  inputVm: string | undefined;
}

const ICON: Record<StatusInput['state'], string> = {
  booting: '$(loading~spin)', running: '$(vm-running)', paused: '$(debug-pause)', throttled: '$(watch)',
  stopped: '$(vm-outline)', failed: '$(error)', crashed: '$(error)',
};

const WORD: Record<StatusInput['state'], string> = {
  booting: 'booting', running: 'running', paused: 'paused', throttled: 'waiting for the terminals',
  stopped: 'stopped', failed: 'failed', crashed: 'crashed',
};

/** The status item's tooltip: what a click does (or that something failed), and the active switch character. */
export function statusTooltip(problem: boolean, switchChar: string | undefined): string {
  const lines = [problem ? 'Something failed: see the terminals and the emulator output channel' : 'Click to pause or resume the emulator'];
  if (switchChar) lines.push(`Switch character: ${switchChar}`);
  return lines.join('\n');
}

export function statusText(s: StatusInput): string {
  const parts = [`${ICON[s.state]} Dual guest: ${WORD[s.state]}`];
  if (s.state !== 'stopped' && s.state !== 'booting') parts.push(`${(s.timeNs / 1e9).toFixed(3)} s`);
  if (s.inputVm && (s.state === 'running' || s.state === 'paused' || s.state === 'throttled')) parts.push(`input: ${s.inputVm}`);
  return parts.join(' · ');
}
