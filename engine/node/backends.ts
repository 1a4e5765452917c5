/**
 * Registers every engine backend this Node process can run, so that a run can choose among them by measuring
 * (engine/backend/choose.ts): 'cpu' (always), 'wasm' where WebAssembly SIMD exists, 'wasm+threads' (shared memory,
 * one worker per extra core) where there is more than one core, and with `gpujs`, one gpu.js backend per
 * synchronous gpu.js mode that builds here ('gpujs-webasm' in Node; 'gpujs-headlessgl' with the optional `gl`).
 *
 *   const backends = await registerNodeBackends({ gpujs: true });   // ['cpu', 'wasm', 'wasm+threads', 'gpujs-webasm']
 *   ...
 *   backends.dispose();
 *
 * The gpu.js backends keep their measured break-even sizes (engine/backend/gpujs: on a machine without a real GPU
 * nothing pays, so they compute on the CPU kernels); the chooser's figures then show them level with 'cpu'.
 *
 * With `gpujs`, WebGPU too: 'gpujs-webgpu' runs gpu.js in a worker thread on Dawn's `webgpu` package
 * (./gpujs-worker.ts), resident, every kernel on the device. A software adapter (SwiftShader, lavapipe) is not
 * offered unless asked for (`webgpu: 'any'`): it is WebGPU on the CPU, slower than the wasm backends, and timing
 * it would only delay the run's start. Why it is missing goes into `skipped` either way.
 */
import { availableParallelism } from 'node:os';
import { GPU } from 'gpu.js';
import { engineText, englishText, type EngineText } from '../../common/engine-text';
import { listBackends, registerBackend } from '../backend/backend';
import { createGpujsBackend } from '../backend/gpujs/index';
import { createWasmBackend, wasmSupported, type WasmBackend } from '../backend/wasm/index';
import { enableRelaxedSimd } from './relaxed-simd';
import { createNodeWasmBackend } from './wasm-threads';
import { startGpujsWorker, type AdapterInfo } from './gpujs-worker';

export interface NodeBackends {
  /** Registered backend names, 'cpu' first. */
  names: string[];
  /** Why a backend that was tried is missing, by name, as the header's line for it says it (`unavailable (…)`). */
  skipped: Record<string, EngineText>;
  /** What a registered backend runs on, where there is more to say than its name (WebGPU's adapter): `ok (…)`. */
  details: Record<string, EngineText>;
  /** Stops worker threads and frees gpu.js kernels. */
  dispose(): void;
}

export interface NodeBackendOptions {
  /** Also the wasm backend with worker threads (default true where there is more than one core). */
  threads?: boolean;
  /** Also the gpu.js backends (default false: they only pay on a real GPU). */
  gpujs?: boolean;
  /** How long to wait for the worker threads to start (default 3000 ms). */
  threadsReadyMs?: number;
  /** With gpujs: WebGPU through Dawn on a hardware adapter (default), on any adapter, or not at all. */
  webgpu?: 'hardware' | 'any' | false;
  /**
   * The nice level the worker threads (wasm's, gpu.js's) set themselves to as they start, where a thread has a
   * level of its own (Linux; ./thread-nice.ts); left at the level of the thread that made them where absent.
   */
  threadNice?: number;
}

/**
 * The adapter as the backend lines' {adapter}: its own name as it is ("NVIDIA H200"), or a sentence where we add
 * words to it, for the renderer to put in the learner's language ("SwiftShader driver 5.0.0 (software)").
 */
export function adapterParam(adapter: AdapterInfo | null): string | EngineText {
  const unnamed = engineText('backend.adapter.unnamed', {});
  if (!adapter) return unnamed;
  const name = adapter.description || [adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' ') || unnamed;
  return adapter.software ? engineText('backend.adapter.software', { name }) : name;
}

/** The adapter in English words: "SwiftShader driver 5.0.0 (software)". */
export function describeAdapter(adapter: AdapterInfo | null): string {
  const param = adapterParam(adapter);
  return typeof param === 'string' ? param : englishText(param);
}

const GPUJS_MODES = ['headlessgl', 'webasm'] as const;

export async function registerNodeBackends(options: NodeBackendOptions = {}): Promise<NodeBackends> {
  const { threads = availableParallelism() > 1, gpujs = false, threadsReadyMs = 3000, webgpu = 'hardware', threadNice: nice } = options;
  enableRelaxedSimd();
  const disposers: (() => void)[] = [];
  const skipped: Record<string, EngineText> = {};
  const details: Record<string, EngineText> = {};
  const tryRegister = (name: string, make: () => { dispose(): void } & Parameters<typeof registerBackend>[0]) => {
    try {
      const backend = make();
      registerBackend(backend);
      disposers.push(() => backend.dispose());
    } catch (error) {
      skipped[name] = engineText('backend.unavailable', { error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  };
  if (wasmSupported()) tryRegister('wasm', () => createWasmBackend());
  else skipped.wasm = engineText('backend.unavailable.noWasmSimd', {});
  if (threads && wasmSupported(true)) {
    const workers = Math.max(1, availableParallelism() - 1);
    let backend: WasmBackend | null = null;
    tryRegister('wasm+threads', () => (backend = createNodeWasmBackend(workers, { nice })));
    // The caller's thread computes too: the header says "your CPU, N threads" from this.
    if (backend) details['wasm+threads'] = engineText('backend.ok.threads', { threads: workers + 1 });
    // The threads start in the background; a measurement taken before they are up would not count them.
    for (const started = Date.now(); backend && (backend as WasmBackend).readyThreads() < workers && Date.now() - started < threadsReadyMs;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  if (gpujs) {
    for (const mode of GPUJS_MODES) {
      if (mode === 'headlessgl' && !GPU.isHeadlessGLSupported) continue;
      if (mode === 'webasm' && !GPU.isWebAssemblySupported) continue;
      tryRegister(`gpujs-${mode}`, () => {
        const gpu = new GPU({ mode });
        const backend = createGpujsBackend({ gpu, mode });
        return { ...backend, dispose: () => { backend.dispose(); void gpu.destroy(); } };
      });
    }
    if (webgpu) {
      try {
        const worker = await startGpujsWorker({ mode: 'webgpu', nice });
        if (worker.adapter?.software && webgpu !== 'any') {
          worker.runner.destroy();
          skipped['gpujs-webgpu'] = engineText('backend.unavailable.softwareAdapter', { adapter: adapterParam(worker.adapter) });
        } else {
          tryRegister('gpujs-webgpu', () => createGpujsBackend({ runner: worker.runner, mode: 'webgpu' }));
          details['gpujs-webgpu'] = engineText('backend.ok.webgpu', { adapter: adapterParam(worker.adapter) });
        }
      } catch (error) {
        // startGpujsWorker says why as a code where it knows (no adapter, no package, an old glibc).
        skipped['gpujs-webgpu'] = (error as { text?: EngineText }).text ?? engineText('backend.unavailable', { error: (error as Error).message });
      }
    }
  }
  return {
    names: listBackends(),
    skipped,
    details,
    dispose: () => disposers.forEach((d) => d()),
  };
}
