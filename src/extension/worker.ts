// The emulator's worker thread (bundled to dist/worker.js): real files through NodeFileHost, the
// wall clock for frame timing, and the protocol over parentPort. All logic is in EmulatorSession.
import { parentPort } from 'worker_threads';
import { NodeFileHost } from '../node/file-host';
import { NodeWasmToolchain, sharedUpstreamSddf } from '../node/wasm-toolchain';
import { EmulatorSession } from '../host/emulator-session';
import type { FromWorker, ToWorker } from '../host/protocol';

const port = parentPort;
if (port) {
  const session = new EmulatorSession(
    new NodeFileHost(),
    (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer),
    {
      nowMs: () => performance.now(),
      schedule: (cb, ms) => {
        const t = setTimeout(cb, ms);
        return () => clearTimeout(t);
      },
    },
    { toolchain: new NodeWasmToolchain(), defaultSddf: sharedUpstreamSddf() },
  );
  port.on('message', (m: ToWorker) => session.handle(m));
}
