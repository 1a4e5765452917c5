/**
 * The gpu.js backend: float32 matmul (every transA/transB variant, batched), convolution forward and backward,
 * broadcasting add/sub/mul/div, the common activations and their gradients, sums and softmax as gpu.js kernels;
 * everything else falls back to the CPU reference. One registry name per gpu.js mode, so a measurement or a
 * report always says which one ran:
 *
 *   const gpu = new GPU({ mode: 'webasm' });
 *   registerBackend(createGpujsBackend({ gpu, mode: 'webasm' }));   // 'gpujs-webasm'
 *   setBackend('gpujs-webasm');
 *
 * The engine is synchronous. gpu.js's synchronous modes run in the engine's thread: webgl2 (a browser), headlessgl
 * (Node with the optional `gl` package), webasm (anywhere, the CPU fallback) and cpu. WebGPU only answers with
 * Promises, so its gpu.js runs in a worker and the backend gets a RemoteRunner (./remote.ts; in Node,
 * engine/node/gpujs-worker.ts):
 *
 *   const worker = await startGpujsWorker({ mode: 'webgpu' });          // Dawn in a worker thread
 *   registerBackend(createGpujsBackend({ runner: worker.runner, mode: 'webgpu' }));   // 'gpujs-webgpu'
 *
 * See ./README.md.
 */
import type { GPU } from 'gpu.js';
import { engineText, type EngineText } from '../../../common/engine-text';
import { getBackend, type Backend, type DeviceData } from '../backend';
import { GpujsStore } from './device';
import { gpujsKernels } from './kernels';
import type { Thresholds } from './plans';
import { GpujsRunner, type GpujsMode, type LaunchRunner } from './runner';
import { RemoteRunner } from './remote';
import { STEPS_BEFORE_PLANS } from './step-plans';

export { GpujsRunner, LOOP_MAX, KERNEL_SETTINGS, type GpujsMode, type LaunchRunner } from './runner';
export { RemoteRunner, RemoteTexture, remoteChannel, type RemoteChannel, type RemotePort, type RemoteStats } from './remote';
export { createStepPlanner, STEPS_BEFORE_PLANS, type WorkerCounts } from './step-plans';
export { serveLaunches, type RemoteHost, type RemoteInit, type RemoteMessage } from './remote-worker';
export { GpujsDeviceData, GpujsStore } from './device';
export * as plans from './plans';
export type { Launch, Thresholds } from './plans';
export { describeGpujsFailure } from './modes';
export { calibrate, type Calibration, type CalibrationRow } from './calibrate';

/**
 * Break-even sizes per mode as measured here (README.md, "Small tensors stay on the CPU"): webasm's GEMM only
 * ties the CPU reference and its direct convolution is ~6× slower, SwiftShader's webgl2 is ~20× slower than the
 * CPU at every size, so nothing pays and everything stays on the CPU until `calibrate(backend)` measures the
 * device actually in use (a real GPU) or a caller asks for all of it (`{ macs: 0, elements: 0 }`, the tests).
 */
export const DEFAULT_THRESHOLDS: Record<GpujsMode, Thresholds> = {
  // WebGPU runs resident, across a thread: a kernel left on the CPU would cost a round trip and a download, so the
  // whole step goes to the device and the chooser's measurement of whole steps decides whether that pays.
  webgpu: { macs: 0, elements: 0 },
  webasm: { macs: Infinity, elements: Infinity },
  cpu: { macs: Infinity, elements: Infinity },
  webgl2: { macs: Infinity, elements: Infinity },
  headlessgl: { macs: Infinity, elements: Infinity },
};

export interface GpujsBackendOptions {
  /** A gpu.js instance created with `{ mode }` (the caller owns its lifetime; the backend only adds kernels). */
  gpu?: GPU;
  /** Or a runner made elsewhere: a RemoteRunner, whose gpu.js is in a worker (WebGPU). */
  runner?: LaunchRunner;
  mode: GpujsMode;
  /** Overrides the measured break-even sizes; `{ macs: 0, elements: 0 }` sends every supported case to gpu.js. */
  thresholds?: Partial<Thresholds>;
  /** Registry name; default `gpujs-<mode>`. */
  name?: string;
  /**
   * Keep results, parameters and optimizer moments on the device across a training step (./device.ts). Default:
   * on for the GPU modes (webgpu, webgl2, headlessgl), off for webasm and cpu, whose "device" is the CPU's own memory.
   */
  resident?: boolean;
  /** Step-scoped device bytes kept without endStep before the oldest are evicted (resident mode). */
  budgetBytes?: number;
}

export interface GpujsBackend extends Backend {
  readonly runner: LaunchRunner;
  /** The break-even sizes the kernels read on every call (calibrate() updates them in place). */
  readonly thresholds: Thresholds;
  /** The device values' bookkeeping in resident mode; null otherwise. */
  readonly store: GpujsStore | null;
  /** Frees the compiled kernels (not the gpu.js instance; a RemoteRunner's worker ends). */
  dispose(): void;
}

/** The first reason a repeated step was left to run kernel by kernel, or null (a stopped worker says nothing). */
function planNote(name: string, runner: RemoteRunner): EngineText | null {
  let failures: string[];
  try {
    failures = runner.stats().planFailures;
  } catch {
    return null;
  }
  return failures.length > 0 ? engineText('backend.note.plansFailed', { backend: name, failure: failures[0] }) : null;
}

export function createGpujsBackend(options: GpujsBackendOptions): GpujsBackend {
  if (!options.runner && !options.gpu) throw new Error('createGpujsBackend: give a gpu.js instance or a runner');
  if (!options.runner && options.mode === 'webgpu') {
    throw new Error("createGpujsBackend: WebGPU answers asynchronously; run its gpu.js in a worker (a RemoteRunner, engine/node/gpujs-worker.ts)");
  }
  const runner: LaunchRunner = options.runner ?? new GpujsRunner(options.gpu!, options.mode);
  const thresholds = { ...DEFAULT_THRESHOLDS[options.mode], ...options.thresholds };
  const name = options.name ?? `gpujs-${options.mode}`;
  const resident = options.resident ?? (options.mode === 'webgpu' || options.mode === 'webgl2' || options.mode === 'headlessgl');
  const store = resident ? new GpujsStore(name, options.budgetBytes, runner) : null;
  const kernels = gpujsKernels(runner, thresholds, store);
  return {
    name,
    kernels,
    // Every gpu.js kernel takes its own device values, so a step's tensors never leave the device between them.
    deviceInputs: store ? new Set(Object.keys(kernels)) : undefined,
    // Mirrors only while this backend trains: kept values of a model the chooser measured here must not be copied
    // on every step of a run on another backend (they go when that model is collected).
    endStep: store ? () => store.endStep(getBackend().name === name) : undefined,
    // Parameters and moments live in textures once the update would run on gpu.js (under the threshold the CPU
    // kernel updates them, and keeping them on the device would only add downloads).
    keep: store
      ? (data: Float32Array): DeviceData | null => (data.length === 0 || data.length < thresholds.elements ? null : store.persistent(runner.upload(data), data.length))
      : undefined,
    warmupSteps: runner.plans ? STEPS_BEFORE_PLANS : undefined,
    stepNote: runner instanceof RemoteRunner && runner.plans ? () => planNote(name, runner) : undefined,
    runner,
    thresholds,
    store,
    dispose: () => {
      store?.endStep();
      runner.destroy();
    },
  };
}
