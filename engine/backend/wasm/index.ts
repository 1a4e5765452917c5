/**
 * The WebAssembly SIMD backend: float32 GEMM, convolution, max pooling and the hot elementwise kernels compiled
 * from AssemblyScript (./assembly), every other kernel falling back to the CPU reference. Register it explicitly:
 *
 *   if (wasmSupported()) { registerBackend(createWasmBackend()); setBackend('wasm'); }
 *
 * With `threads` (a worker count and a platform's spawn function; engine/node/wasm-threads.ts has Node's), GEMMs
 * also run on worker threads over a shared memory; `dispose()` stops them.
 * See ./README.md for the build, the tests and how to benchmark it against the CPU backend.
 */
import type { Backend } from '../backend';
import { RESIDENT_KERNELS, wasmKernels } from './kernels';
import { ResidentStore } from './resident';
import { relaxedSimdSupported, WasmRuntime, wasmSupported } from './runtime';
import { CONTROL_BYTES, ThreadPool, type WasmThreadsOptions } from './threads';

export { relaxedSimdSupported, wasmSupported };
export { workerMain, type SpawnWorker, type WasmThreadsOptions, type WorkerHandle, type WorkerInit } from './threads';

export interface WasmBackend extends Backend {
  /** Stops the worker threads, if any (the backend keeps working, single-threaded). */
  dispose(): void;
  /** Worker threads started and ready to take work (they start in the background; 0 without threads). */
  readyThreads(): number;
}

export interface WasmBackendOptions {
  /** Registry name (default 'wasm', or 'wasm+threads' with threads). */
  name?: string;
  threads?: WasmThreadsOptions;
  /**
   * Leave conv, relu and max-pool outputs in wasm memory as DeviceData (default true; see ./resident.ts for their
   * lifetime); false: every kernel returns a CPU array.
   */
  resident?: boolean;
}

/** A fresh wasm backend (its own module instance and memory). Throws where WebAssembly SIMD is missing. */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const { threads } = options;
  const useThreads = threads !== undefined && threads.workers > 0;
  // Shared memory wherever there is SharedArrayBuffer, threads or not: only a shared memory can hold pinned
  // parameters (runtime.ts `pin`); a browser page without cross-origin isolation gets the unshared build.
  const shared = useThreads || wasmSupported(true);
  const rt = new WasmRuntime({ shared, reserveBytes: useThreads ? CONTROL_BYTES : 0 });
  const pool = useThreads ? new ThreadPool(rt, threads) : null;
  const name = options.name ?? (useThreads ? 'wasm+threads' : 'wasm');
  const store = options.resident === false ? null : new ResidentStore(rt, name);
  return {
    name,
    kernels: wasmKernels(rt, pool, store),
    deviceInputs: store ? RESIDENT_KERNELS : undefined,
    endStep: () => store?.endStep(),
    pin: (data) => rt.pin(data),
    dispose: () => pool?.dispose(),
    readyThreads: () => pool?.readyWorkers() ?? 0,
  };
}
