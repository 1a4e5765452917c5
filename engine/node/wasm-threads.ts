/**
 * Node's side of the wasm backend's threads: worker_threads started from the engine's worker source, unref'd so
 * that they never keep a process alive (the backend's dispose() terminates them too).
 *
 *   const backend = createNodeWasmBackend();        // 'wasm+threads' with one worker per extra core
 *   registerBackend(backend); setBackend(backend.name);
 *   ...
 *   backend.dispose();
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createWasmBackend, type SpawnWorker, type WasmBackend } from '../backend/wasm/index';

export const spawnNodeWorker: SpawnWorker = (source, init) => {
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');\n(${source})(workerData, () => {});`,
    { eval: true, workerData: init },
  );
  worker.unref();
  // A worker that fails to start never flags READY, so the backend keeps running without it; say why, once.
  worker.on('error', (err) => console.warn(`wasm backend: a worker thread failed: ${err.message}`));
  return { terminate: () => void worker.terminate() };
};

/** The wasm backend with `workers` worker threads (default: one per core beyond the caller's). */
export function createNodeWasmBackend(workers = Math.max(0, availableParallelism() - 1)): WasmBackend {
  return createWasmBackend({ name: 'wasm+threads', threads: { workers, spawn: spawnNodeWorker } });
}
