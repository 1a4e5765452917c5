/**
 * Node's side of the wasm backend's threads: worker_threads started from the engine's worker source, unref'd so
 * that they never keep a process alive (the backend's dispose() terminates them too).
 *
 *   const backend = createNodeWasmBackend();        // 'wasm+threads' with one worker per extra core
 *   registerBackend(backend); setBackend(backend.name);
 *   ...
 *   backend.dispose();
 *
 * With `nice`, each worker lowers its own priority to that level before anything else (./thread-nice.ts: Linux
 * only), so a worker started mid-run never computes at the main thread's higher level.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createWasmBackend, type SpawnWorker, type WasmBackend } from '../backend/wasm/index';
import { lowerThisThread } from './thread-nice';

export interface NodeWorkerOptions {
  /** The nice level each worker sets itself to as it starts (left as made where absent). */
  nice?: number;
}

/** A spawn function for the wasm backend: a worker_thread that first lowers itself, then runs the engine's source. */
export function nodeWorkerSpawner(options: NodeWorkerOptions = {}): SpawnWorker {
  const nice = options.nice ?? null;
  return (source, init) => {
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');\n(${lowerThisThread})(${nice});\n(${source})(workerData, () => {});`,
      { eval: true, workerData: init },
    );
    worker.unref();
    // A worker that fails to start never flags READY, so the backend keeps running without it; say why, once.
    worker.on('error', (err) => console.warn(`wasm backend: a worker thread failed: ${err.message}`));
    return { terminate: () => void worker.terminate() };
  };
}

/** The wasm backend with `workers` worker threads (default: one per core beyond the caller's). */
export function createNodeWasmBackend(workers = Math.max(0, availableParallelism() - 1), options: NodeWorkerOptions = {}): WasmBackend {
  return createWasmBackend({ name: 'wasm+threads', threads: { workers, spawn: nodeWorkerSpawner(options) } });
}
