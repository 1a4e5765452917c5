/**
 * The device the engine trains on, in a learner's words rather than backend names: "your CPU, 2 threads
 * (WebAssembly SIMD)", "your GPU (NVIDIA H200)". Read from the engine's backend names and the parameters of the
 * lines its hello gave for them (src-main/engine-host: `wasm+threads: ok (2 threads)` is the code backend.ok.threads
 * with threads 2, `gpujs-webgpu: ok (WebGPU through Dawn on …)` backend.ok.webgpu with its adapter). Plain
 * functions; DeviceLine.svelte words them in the learner's language.
 */
import type { BackendProbe } from '../../../../common/engine-protocol';
import type { EngineParam } from '../../../../common/engine-text';

export type Device =
  /** The readable reference kernels in plain JavaScript. */
  | { kind: 'cpu-js' }
  /** WebAssembly SIMD kernels; threads: how many compute (null when the engine did not say). */
  | { kind: 'cpu-wasm'; threads: number | null }
  /** gpu.js compiled to WebAssembly: still the CPU. */
  | { kind: 'cpu-gpujs' }
  /** A GPU, through WebGPU (Dawn) or WebGL; adapter: its name when the engine found one. */
  | { kind: 'gpu'; api: 'webgpu' | 'webgl'; adapter: string | null }
  /** A backend this list does not know yet: its name, as is. */
  | { kind: 'other'; name: string };

/** A parameter of an available backend's line when the line is `code`, e.g. the threads of backend.ok.threads; or null. */
function okParam(backends: readonly BackendProbe[], name: string, code: 'backend.ok.threads' | 'backend.ok.webgpu', param: string): EngineParam | null {
  const text = backends.find((b) => b.name === name && b.available)?.detailText;
  return text?.code === code ? ((text.params as Record<string, EngineParam>)[param] ?? null) : null;
}

export function deviceOf(backend: string, backends: readonly BackendProbe[]): Device {
  switch (backend) {
    case 'cpu':
      return { kind: 'cpu-js' };
    case 'wasm':
      return { kind: 'cpu-wasm', threads: 1 };
    case 'wasm+threads': {
      const threads = Number(okParam(backends, backend, 'backend.ok.threads', 'threads'));
      return { kind: 'cpu-wasm', threads: threads > 0 ? threads : null };
    }
    case 'gpujs-webasm':
      return { kind: 'cpu-gpujs' };
    case 'gpujs-webgpu': {
      // The adapter's own name; a sentence instead (an unnamed adapter) names none.
      const adapter = okParam(backends, backend, 'backend.ok.webgpu', 'adapter');
      return { kind: 'gpu', api: 'webgpu', adapter: typeof adapter === 'string' ? adapter : null };
    }
    case 'gpujs-headlessgl':
      return { kind: 'gpu', api: 'webgl', adapter: null };
    default:
      return { kind: 'other', name: backend };
  }
}

/** The engine's own backends, as a run chooses among them (the gpu.js probes beside them are not). */
const ENGINE_BACKENDS = ['wasm+threads', 'wasm', 'gpujs-webgpu', 'gpujs-headlessgl', 'gpujs-webasm', 'cpu'];

/**
 * Before a run has chosen by measuring: the devices it will choose among, the best CPU backend and every GPU.
 * Example: wasm, wasm+threads (2 threads) and cpu available → [{cpu-wasm, threads: 2}].
 */
export function candidateDevices(backends: readonly BackendProbe[]): Device[] {
  const available = ENGINE_BACKENDS.filter((name) => backends.some((b) => b.name === name && b.available));
  const devices = available.map((name) => deviceOf(name, backends));
  const gpus = devices.filter((d) => d.kind === 'gpu');
  const bestCpu = devices.find((d) => d.kind !== 'gpu');
  return [...gpus, ...(bestCpu ? [bestCpu] : [])];
}
