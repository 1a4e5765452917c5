/**
 * Finds out which gpu.js backends really work in THIS process, by building and running a tiny kernel on each and
 * checking its answer. The `GPU.is…Supported` flags only say an API surface exists; a kernel that runs is proof.
 * The result goes into the engine's `hello`, one line per backend: `webasm: ok (3 ms)`,
 * `webgl2: unavailable (no WebGL in Node)`.
 */
import { createRequire } from 'node:module';
import { GPU } from 'gpu.js';
import type { BackendProbe } from '../../common/engine-protocol';
import { engineText, englishText, type EngineText } from '../../common/engine-text';

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

/** A probe whose line is `text`: its English for logs and older readers, its code for the renderer. */
export function probeLine(name: string, available: boolean, text: EngineText): BackendProbe {
  return { name, available, detail: englishText(text), detailText: text };
}

export async function probeBackend(name: ProbedBackend, runtime: string): Promise<BackendProbe> {
  const missing = whyUnsupported(name, runtime);
  if (missing) return probeLine(name, false, missing);
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
    if (values.join() !== '11,22,33,44') return probeLine(name, false, engineText('backend.unavailable.wrongResult', { values: values.join() }));
    return probeLine(name, true, engineText('backend.ok.ms', { ms: Math.round(performance.now() - started) }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return probeLine(name, false, engineText('backend.unavailable', { error: message.split('\n')[0] }));
  } finally {
    try {
      await gpu?.destroy();
    } catch {
      // a backend that failed half-way may not destroy cleanly; nothing to free
    }
  }
}

/** A plain-words reason when gpu.js itself says the backend cannot exist here; null means "try it". */
function whyUnsupported(name: ProbedBackend, runtime: string): EngineText | null {
  const where = runtime.split(' ')[0] === 'node' ? 'node' : 'here';
  switch (name) {
    case 'webgpu':
      // Node has no navigator.gpu; the engine reaches WebGPU through Dawn in a worker, reported as gpujs-webgpu.
      if (GPU.isWebGPUSupported) return null;
      return engineText(`backend.unavailable.noNavigatorGpu.${where}`, {});
    case 'webgl2':
      return GPU.isWebGL2Supported ? null : engineText(`backend.unavailable.noWebgl.${where}`, {});
    case 'headlessgl':
      if (GPU.isHeadlessGLSupported) return null;
      return engineText(hasModule('gl') ? 'backend.unavailable.noGlContext' : 'backend.unavailable.noGlPackage', {});
    case 'webasm':
      return GPU.isWebAssemblySupported ? null : engineText('backend.unavailable.noWebAssembly', {});
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
