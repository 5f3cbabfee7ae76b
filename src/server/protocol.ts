// The server's own messages beyond LSP, shared by the server, the extension and the test client.
// Direction: server -> client unless stated.

/**
 * Sent once for every document or configuration notification the server has handled, after the
 * diagnostics it caused have been published. `seq` counts those notifications (didOpen, didChange,
 * didClose, didSave, didChangeConfiguration, didChangeWatchedFiles) from 1, so a client that counts
 * what it sent knows exactly when the analysis of its last edit is visible: no timers, no flakiness.
 */
export const SETTLED_NOTIFICATION = 'microkitDualGuest/settled';
export interface SettledParams {
  seq: number;
  /** Wall-clock milliseconds the server spent analysing this notification (for the benchmark). */
  analysisMs: number;
}

/** client -> server request: which device-tree contexts (trees) the server currently analyses. */
export const CONTEXTS_REQUEST = 'microkitDualGuest/contexts';
export interface ContextInfo {
  /** Base then overlays, in evaluation order. */
  files: string[];
  includePaths: string[];
  /** How the context was found: from a project file, or guessed for a lone file. */
  origin: 'project' | 'guess';
  /** The virtual machine the tree belongs to, when a project names it. */
  vm?: string;
}

/**
 * Node flags the server process runs with (the extension's client, the tests and the benchmark all
 * start it with these). Re-analysis allocates many short-lived objects; a larger young generation
 * halves the time spent in the garbage collector on a 5,000-line tree. The first edits after opening
 * run while the JIT warms up: feedback vectors allocated at a function's first call, rather than
 * after several, let the optimiser start sooner (about a tenth less CPU time over the first 20 edits
 * of the real MaaXBoard project and of the vendor tree; no change once warm). An analysis's objects
 * live until the next edit, so V8's allocation-site pretenuring sees them survive a scavenge and moves
 * their sites to the old generation; the next full GC finds them dead, resets every site and
 * deoptimizes each function that allocates, and the cycle repeats: on a .system of 63 PDs and 500
 * maps the parser ran about four times slower. Without pretenuring they stay optimized.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64', '--no-lazy-feedback-allocation', '--no-allocation-site-pretenuring'];
