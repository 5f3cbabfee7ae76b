// Starts the emulator worker thread from its bundle (dist/worker.js in the VSIX, or a test's bundle).
import { Worker } from 'worker_threads';
import { EmulatorClient, type WorkerLike } from './emulator-client';

export function startEmulatorWorker(bundlePath: string, options: { resourceLimits?: { maxOldGenerationSizeMb?: number } } = {}): EmulatorClient {
  // A runaway machine must not take the extension host with it: cap the worker's heap.
  const worker = new Worker(bundlePath, { resourceLimits: { maxOldGenerationSizeMb: 512, ...options.resourceLimits } });
  return new EmulatorClient(worker as unknown as WorkerLike);
}
