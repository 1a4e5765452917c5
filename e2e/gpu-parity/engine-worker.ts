/**
 * The gpu-parity page's engine for WebGPU, in a worker: the engine is synchronous and WebGPU reads back only with a
 * Promise, so, as in the Node engine host, gpu.js runs in a thread of its own (./gpu-worker.ts) behind a
 * RemoteRunner, and this thread waits for reads with Atomics.wait (which a page's main thread may not do). It runs
 * the residency check and the whole PyTorch fixture suite on gpujs-webgpu, posting each result to the page.
 */
import { registerBackend, setBackend } from '../../engine/backend/backend';
import { createGpujsBackend, RemoteRunner, remoteChannel } from '../../engine/backend/gpujs/index';
import { preloadFixtures } from './node-shim';
import { runAll, type TestResult } from './vitest-shim';
import { planParityCheck, residencyCheck } from './checks';
import { fixtureUrls, testFiles } from 'virtual:gpu-parity-files';

/** What this worker posts to the page. */
export type EngineWorkerMessage =
  | { result: TestResult }
  | { done: true; launches: number; fallbacks: string[]; error?: string };

interface WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): void;
}
const { Worker } = globalThis as unknown as { Worker: new (url: URL, options: { type: 'module' }) => WorkerLike };
const post = (message: EngineWorkerMessage) => (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(message);

/** A gpu.js thread (./gpu-worker.ts) behind a RemoteRunner; `plans` false runs every launch on its own. */
async function startGpuThread(plans: boolean): Promise<RemoteRunner> {
  const gpuThread = new Worker(new URL('./gpu-worker.ts', import.meta.url), { type: 'module' });
  const channel = remoteChannel('webgpu', undefined, plans);
  await new Promise<void>((resolve, reject) => {
    gpuThread.onmessage = (event) => {
      const answer = event.data as { ready: boolean; error?: string };
      if (answer.ready) resolve();
      else reject(new Error(answer.error));
    };
    gpuThread.postMessage(channel);
  });
  gpuThread.onmessage = null;
  return new RemoteRunner('webgpu', { post: (m, transfer) => gpuThread.postMessage(m, transfer), terminate: () => gpuThread.terminate() }, channel);
}

async function main(): Promise<{ launches: number; fallbacks: string[] }> {
  const runner = await startGpuThread(true);
  // Resident, every supported case on the device (webgpu's defaults); a small budget so that cases evict too.
  const backend = createGpujsBackend({ runner, mode: 'webgpu', budgetBytes: 1 << 20 });
  registerBackend(backend);
  setBackend(backend.name);
  for (const result of await residencyCheck(backend)) post({ result });
  // The eager reference on a thread of its own, for the step plans' parity.
  const eager = createGpujsBackend({ runner: await startGpuThread(false), mode: 'webgpu', name: 'gpujs-webgpu-eager' });
  registerBackend(eager);
  for (const result of await planParityCheck(backend, eager)) post({ result });
  setBackend(backend.name);
  await preloadFixtures(fixtureUrls);
  for (const load of testFiles) await load();
  await runAll((result) => post({ result }));
  const figures = { launches: runner.launches, fallbacks: runner.fallbacks };
  eager.dispose();
  backend.dispose();
  return figures;
}

main().then(
  (figures) => post({ done: true, ...figures }),
  (error: unknown) => post({ done: true, launches: 0, fallbacks: [], error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
);
