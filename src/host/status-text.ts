// The session's run state, which the status bar and the queue inspector both receive, and the status
// bar's words for it, kept out of the VS Code glue so they are tested.
import type { RunState } from './protocol';

/** What one guest is doing: its vCPU runs, is held by a pause, has stopped (fault, poweroff), or there is no board. */
export type GuestRunState = 'running' | 'paused' | 'halted' | 'stopped';

/** The board's state: the worker's, 'crashed' when the worker died, 'halted' when every guest has stopped. */
export type BoardRunState = RunState | 'crashed' | 'halted';

export interface SessionRunState {
  state: BoardRunState;
  guests: { vm: string; state: GuestRunState }[];
  timeNs: number;
  /** The VM whose terminal input reaches (the RX virtualiser's current client), if known. */
  inputVm: string | undefined;
  /** Something failed (a guest stopped, the worker crashed, the boot failed). */
  problem: boolean;
  /** The booted system's switch character and where it came from. */
  switchChar: string | undefined;
}

export const STOPPED: SessionRunState = { state: 'stopped', guests: [], timeNs: 0, inputVm: undefined, problem: false, switchChar: undefined };

/** The board's state from the worker's and the guests': halted once every booted guest has stopped. */
export function boardState(worker: RunState | 'crashed', guests: readonly GuestRunState[]): BoardRunState {
  const live = worker === 'running' || worker === 'throttled' || worker === 'paused';
  return live && guests.length > 0 && guests.every((g) => g === 'halted') ? 'halted' : worker;
}

/** A guest's state: halted once its vCPU stopped, else as the board runs. */
export function guestState(worker: RunState | 'crashed', halted: boolean): GuestRunState {
  if (worker !== 'running' && worker !== 'throttled' && worker !== 'paused') return 'stopped';
  if (halted) return 'halted';
  return worker === 'paused' ? 'paused' : 'running';
}

const ICON: Record<BoardRunState, string> = {
  booting: '$(loading~spin)',
  running: '$(vm-running)',
  paused: '$(debug-pause)',
  throttled: '$(watch)',
  stopped: '$(vm-outline)',
  failed: '$(error)',
  crashed: '$(error)',
  halted: '$(debug-stop)',
};

const WORD: Record<BoardRunState, string> = {
  booting: 'booting',
  running: 'running',
  paused: 'paused',
  throttled: 'waiting for the terminals',
  stopped: 'stopped',
  failed: 'failed',
  crashed: 'crashed',
  halted: 'halted',
};

/** The board can be paused or resumed (a click on the status item does that); otherwise a click boots. */
export function canPause(s: SessionRunState): boolean {
  return s.state === 'running' || s.state === 'paused' || s.state === 'throttled';
}

/** The status item's tooltip: what a click does (or that something failed), each guest's state, the switch character. */
export function statusTooltip(s: SessionRunState): string {
  const lines = [
    s.problem
      ? 'Something failed: see the terminals and the emulator output channel'
      : canPause(s)
        ? 'Click to pause or resume the emulator'
        : 'Click to boot the dual-guest system',
  ];
  if (s.guests.length > 0 && s.state !== 'stopped') lines.push(s.guests.map((g) => `${g.vm}: ${g.state}`).join(', '));
  if (s.switchChar) lines.push(`Switch character: ${s.switchChar}`);
  return lines.join('\n');
}

export function statusText(s: Pick<SessionRunState, 'state' | 'timeNs' | 'inputVm'>): string {
  const parts = [`${ICON[s.state]} Dual guest: ${WORD[s.state]}`];
  if (s.state !== 'stopped' && s.state !== 'booting') parts.push(`${(s.timeNs / 1e9).toFixed(3)} s`);
  if (s.inputVm && (s.state === 'running' || s.state === 'paused' || s.state === 'throttled')) parts.push(`input: ${s.inputVm}`);
  return parts.join(' · ');
}
