// The modelled kernel runs its boot and its user programs as generators: each yields what it
// waits for next, and the kernel's run loop (linux-guest.ts) resumes it when that is satisfied.
// This keeps every program's control flow readable while the vCPU runs in time slices.

export type Block =
  | { kind: 'cpu'; ns: number } // busy computing for ns of virtual CPU time
  | { kind: 'sleep'; until: bigint } // a timer wait (nanosleep); SIGINT ends it early
  | { kind: 'input' } // a read on the tty; SIGINT ends it early
  | { kind: 'output'; bytes: number } // a write that needs this much room in the tty buffer; SIGINT ends it early
  | { kind: 'drain' } // until every queued console byte has been taken by the device
  | { kind: 'forever' } // nothing left to run (no console: init has nowhere to go)
  | { kind: 'halt' }; // the vCPU stops (after PSCI SYSTEM_OFF / SYSTEM_RESET, or a panic)

export type Task = Generator<Block, void, void>;

export function cpu(ns: number): Block {
  return { kind: 'cpu', ns };
}
