/**
 * Finds out which gpu.js backends really work in THIS process, by building and running a tiny kernel on each and
 * checking its answer. The `GPU.is…Supported` flags only say an API surface exists; a kernel that runs is proof.
 * The result goes into the engine's `hello`, one line per backend: `webasm: ok (3 ms)`,
 * `webgl2: unavailable (no WebGL in Node)`.
 */
import { createRequire } from 'node:module';
import { GPU } from 'gpu.js';
import type { BackendProbe } from '../../common/engine-protocol';

/** In the order the engine prefers them: the first one that works is the backend in use. */
export const PROBED_BACKENDS = ['webgpu', 'headlessgl', 'webgl2', 'webasm', 'cpu'] as const;
export type ProbedBackend = (typeof PROBED_BACKENDS)[number];

const PROBE_TIMEOUT_MS = 5_000;
const A = [1, 2, 3, 4];
const B = [10, 20, 30, 40];

export async function probeBackends(runtime: string): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [];
  for (const name of PROBED_BACKENDS) probes.push(await probeBackend(name, runtime));
  return probes;
}

export function formatProbe(probe: BackendProbe): string {
  return `${probe.name}: ${probe.detail}`;
}

export async function probeBackend(name: ProbedBackend, runtime: string): Promise<BackendProbe> {
  const missing = whyUnsupported(name, runtime);
  if (missing) return { name, available: false, detail: `unavailable (${missing})` };
  const started = performance.now();
  let gpu: GPU | null = null;
  try {
    gpu = new GPU({ mode: name });
    const kernel = gpu
      .createKernel(function (this: { thread: { x: number } }, a: number[], b: number[]) {
        return a[this.thread.x] + b[this.thread.x];
      })
      .setOutput([A.length]);
    const result = await withTimeout(Promise.resolve(kernel(A, B) as unknown), PROBE_TIMEOUT_MS);
    const values = Array.from(result as ArrayLike<number>);
    if (values.join() !== '11,22,33,44') return { name, available: false, detail: `unavailable (wrong result ${values.join()})` };
    return { name, available: true, detail: `ok (${Math.round(performance.now() - started)} ms)` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name, available: false, detail: `unavailable (${message.split('\n')[0]})` };
  } finally {
    try {
      await gpu?.destroy();
    } catch {
      // a backend that failed half-way may not destroy cleanly; nothing to free
    }
  }
}

/** A plain-words reason when gpu.js itself says the backend cannot exist here; null means "try it". */
function whyUnsupported(name: ProbedBackend, runtime: string): string | null {
  const where = runtime.split(' ')[0] === 'node' ? 'Node' : 'this process';
  switch (name) {
    case 'webgpu':
      // Node has no navigator.gpu; the engine reaches WebGPU through Dawn in a worker, reported as gpujs-webgpu.
      if (GPU.isWebGPUSupported) return null;
      return `no navigator.gpu in ${where}; the engine runs WebGPU through Dawn: see gpujs-webgpu`;
    case 'webgl2':
      return GPU.isWebGL2Supported ? null : `no WebGL in ${where}`;
    case 'headlessgl':
      if (GPU.isHeadlessGLSupported) return null;
      return hasModule('gl') ? 'headless-gl could not create a context' : "the optional 'gl' package is not installed";
    case 'webasm':
      return GPU.isWebAssemblySupported ? null : 'no WebAssembly';
    case 'cpu':
      return null;
  }
}

function hasModule(id: string): boolean {
  try {
    createRequire(import.meta.url).resolve(id);
    return true;
  } catch {
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
