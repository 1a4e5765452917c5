/**
 * The gpu-parity page: `?mode=webgl2|webasm|webgpu`.
 *
 * Synchronous modes (webgl2, webasm): registers the gpu.js backend for the mode with zero thresholds (every case a
 * gpu.js kernel supports runs on it), imports engine/test/*.test.ts through the vitest shim and runs every PyTorch
 * fixture case, as engine/backend/gpujs/parity.test.ts does in Node.
 * webgpu: gpu.js kernels there only answer asynchronously, so the page runs each kernel plan on WebGPU against the
 * CPU reference itself, then the engine runs in a worker (./engine-worker.ts) with gpu.js in another
 * (./gpu-worker.ts), as the Node engine host runs Dawn: training steps and the fixture suite on gpujs-webgpu.
 * Either way it measures matmul GFLOP/s and leaves everything in `window.gpuParity` for the spec.
 */
import { GPU } from 'gpu.js';
import { registerBackend, setBackend } from '../../engine/backend/backend';
import { createGpujsBackend, GpujsRunner, type GpujsMode } from '../../engine/backend/gpujs/index';
import { preloadFixtures } from './node-shim';
import { runAll, type TestResult } from './vitest-shim';
import { kernelChecks, matmulFigures, residencyCheck, type Figure } from './checks';
import { fixtureUrls, testFiles } from 'virtual:gpu-parity-files';
import type { EngineWorkerMessage } from './engine-worker';

export interface ParityReport {
  mode: string;
  available: boolean;
  reason?: string;
  results: TestResult[];
  figures: Figure[];
  fallbacks: string[];
  launches: number;
  done: boolean;
  error?: string;
}

/** The page's globals (this file is typechecked with the Node wing's libs, which have no DOM). */
const page = globalThis as unknown as { location: { search: string }; gpuParity: ParityReport };

const mode = (new URLSearchParams(page.location.search).get('mode') ?? 'webgl2') as GpujsMode;
const report: ParityReport = { mode, available: false, results: [], figures: [], fallbacks: [], launches: 0, done: false };
page.gpuParity = report;

async function availability(): Promise<string | null> {
  if (mode === 'webgpu') {
    if (!GPU.isWebGPUSupported) return 'no navigator.gpu in this Chromium';
    return (await GPU.isWebGPUAvailable()) ? null : 'navigator.gpu gave no adapter';
  }
  if (mode === 'webgl2') return GPU.isWebGL2Supported ? null : 'no WebGL2 context in this Chromium';
  if (mode === 'webasm') return GPU.isWebAssemblySupported ? null : 'no WebAssembly';
  return `mode ${mode} is not checked by this page`;
}

async function main(): Promise<void> {
  const reason = await availability();
  if (reason) {
    report.reason = reason;
    return;
  }
  report.available = true;
  const gpu = new GPU({ mode });
  if (mode === 'webgpu') {
    const runner = new GpujsRunner(gpu, mode);
    await kernelChecks(runner, (r) => report.results.push(r));
    report.figures = await matmulFigures(runner);
    report.fallbacks = [...runner.fallbacks];
    report.launches = runner.launches;
    const engine = await engineInWorker((r) => report.results.push(r));
    report.fallbacks.push(...engine.fallbacks);
    report.launches += engine.launches;
    return;
  }
  const runner = new GpujsRunner(gpu, mode);
  const backend = createGpujsBackend({ runner, mode, thresholds: { macs: 0, elements: 0 } });
  registerBackend(backend);
  setBackend(backend.name);
  // Kernel-level checks first (they name the kernel that disagrees), then the fixture suite.
  await kernelChecks(runner, (r) => report.results.push(r));
  if (mode === 'webgl2') report.results.push(...(await residencyCheck(backend)));
  await preloadFixtures(fixtureUrls);
  for (const load of testFiles) await load();
  await runAll((r) => report.results.push(r));
  setBackend(backend.name);
  report.figures = await matmulFigures(runner);
  report.fallbacks = runner.fallbacks;
  report.launches = runner.launches;
}

/** Runs ./engine-worker.ts to the end, passing on its results. */
function engineInWorker(onResult: (r: TestResult) => void): Promise<{ launches: number; fallbacks: string[] }> {
  const { Worker } = globalThis as unknown as {
    Worker: new (url: URL, options: { type: 'module' }) => { onmessage: ((event: { data: unknown }) => void) | null; onerror: ((event: { message: string }) => void) | null; terminate(): void };
  };
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onerror = (event) => reject(new Error(`the engine worker failed: ${event.message}`));
    worker.onmessage = (event) => {
      const message = event.data as EngineWorkerMessage;
      if ('result' in message) return onResult(message.result);
      worker.terminate();
      if (message.error) reject(new Error(message.error));
      else resolve(message);
    };
  });
}

main()
  .catch((error: unknown) => {
    report.error = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  })
  .finally(() => {
    report.done = true;
  });
