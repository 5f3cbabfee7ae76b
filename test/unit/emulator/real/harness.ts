// Shared by the real-component tests: the toolchain (or why it cannot run), and a scripted session
// on the default example run with the models or with sDDF's real virt_rx and virt_tx.
import * as os from 'os';
import * as path from 'path';
import { bootProject } from '../../../../src/emulator/from-project';
import type { Emulator } from '../../../../src/emulator/emulator';
import { componentsRequestFor, type ComponentsRequest } from '../../../../src/emulator/real/components';
import { NodeFileHost } from '../../../../src/node/file-host';
import { NodeWasmToolchain, sharedUpstreamSddf } from '../../../../src/node/wasm-toolchain';
import { loadProject } from '../../../../src/system/index';

export const EXAMPLE = path.resolve(__dirname, '../../../../examples/dual-guest/dual-guest.json');
/** The default example's serial virtualisers as sDDF's code, the rest as models. */
export const EXAMPLE_SERIAL_REAL: ComponentsRequest['components'] = { uart_driver: 'real', serial_virt_rx: 'real', serial_virt_tx: 'real' };
/** The default example's VMMs as libvmm with the example's vmm.c, the rest as models. */
export const EXAMPLE_VMMS_REAL: ComponentsRequest['components'] = { 'CLIENT_VMM-1': 'real', 'CLIENT_VMM-2': 'real' };
/** Tests share one build cache, outside the repository. */
export const toolchain = new NodeWasmToolchain(path.join(os.tmpdir(), 'dual-guest-test-wasm-cache'));
export const sddf = sharedUpstreamSddf(path.resolve(__dirname, '../../../..'));

/** Why the real-component tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  const missing = toolchain.available();
  if (missing) return missing;
  if (!sddf) return 'the pinned sDDF sources (../shared/upstream/sddf beside the clone) are not there';
  return undefined;
}

/**
 * Registers the real-component tests, or, when they cannot run, one pending test that says so and
 * a line in the run's output: a skip is never counted as a pass.
 */
export function describeReal(title: string, body: (this: Mocha.Suite) => void): void {
  const reason = skipReason();
  describe(title, function () {
    if (reason) {
      it(`SKIPPED (not run, not passed): ${reason}`);
      before(() => {
        console.log(`      real-component tests skipped: ${reason}`);
      });
      return;
    }
    body.call(this);
  });
}

/** One step of a session: bytes typed on the UART line, then virtual time run (or until idle). */
export interface Step {
  type?: string;
  /** Run this many ns; default: until the system is idle (at most 30 s). */
  runNs?: number;
}

export interface SessionResult {
  transcript: string;
  queues: string[];
  /** Each guest's virtio console queues at the end: where they are in guest RAM and their indices. */
  virtqs: string[];
  logs: string[];
  emulator: Emulator;
}

export interface SessionOptions {
  request?: Partial<ComponentsRequest>;
  project?: string;
  /** The UART paced at the baud rate (queues fill up), instead of unpaced. */
  paced?: boolean;
}

export function runSession(kind: 'model' | 'real', steps: Step[], opts: SessionOptions = {}): SessionResult {
  const project = opts.project ?? EXAMPLE;
  const host = new NodeFileHost();
  const p = loadProject(project, host);
  let transcript = '';
  const logs: string[] = [];
  // The default example asks for models: 'real' overrides that; another project says what it wants,
  // unless the session names the components.
  const request = componentsRequestFor(p, opts.request?.components ?? (opts.project ? undefined : 'real'), sddf).request;
  // On the default example 'real' means the serial subsystem (driver and virtualisers) unless the options say otherwise
  // (the VMMs' own differential session names them).
  const defaults = opts.project ? {} : { components: EXAMPLE_SERIAL_REAL };
  const components = kind === 'real' && request ? { request: { ...request, ...defaults, ...opts.request }, toolchain } : undefined;
  const { emulator, diagnostics } = bootProject(p, {
    host,
    seed: 1,
    fast: !opts.paced,
    components,
    emulatorHost: {
      onUartOutput: (b) => {
        transcript += Buffer.from(b).toString('latin1');
      },
      onLog: (r) => logs.push(`${r.source}: ${r.text}`),
    },
  });
  if (!emulator) throw new Error(`boot failed: ${diagnostics.map((d) => d.message).join('; ')}`);
  if (kind === 'real' && !emulator.real) throw new Error(`real components did not start: ${diagnostics.map((d) => d.message).join('; ')}`);
  emulator.runUntilIdle(30e9);
  for (const s of steps) {
    if (s.type !== undefined) emulator.typeInput(s.type);
    if (s.runNs !== undefined) emulator.runFor(s.runNs);
    else emulator.runUntilIdle(30e9);
  }
  const snap = emulator.snapshot();
  return {
    transcript,
    queues: snap.queues.map((q) => `${q.name}: head ${q.head} tail ${q.tail} producer_signalled ${q.producerSignalled}`),
    virtqs: snap.guests.flatMap((g) =>
      g.virtio.queues.map(
        (q) =>
          `${g.vm} ${q.name}: num ${q.num} ready ${q.ready} desc 0x${q.descGpa.toString(16)} avail 0x${q.availGpa.toString(16)} idx ${q.availIdx} used 0x${q.usedGpa.toString(16)} idx ${q.usedIdx} device at ${q.lastSeen}`,
      ),
    ),
    logs,
    emulator,
  };
}
