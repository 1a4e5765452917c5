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
 * The engine is synchronous, so only gpu.js's synchronous modes make a Backend: webgl2 (a browser), headlessgl
 * (Node with the optional `gl` package), webasm (anywhere, the CPU fallback) and cpu. WebGPU has no synchronous
 * readback; its kernels are checked asynchronously (runner.runAsync) by e2e/gpu-parity. See ./README.md.
 */
import type { GPU } from 'gpu.js';
import type { Backend } from '../backend';
import { gpujsKernels } from './kernels';
import type { Thresholds } from './plans';
import { GpujsRunner, type GpujsMode } from './runner';

export { GpujsDeviceData, GpujsRunner, LOOP_MAX, type GpujsMode } from './runner';
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
export const DEFAULT_THRESHOLDS: Record<Exclude<GpujsMode, 'webgpu'>, Thresholds> = {
  webasm: { macs: Infinity, elements: Infinity },
  cpu: { macs: Infinity, elements: Infinity },
  webgl2: { macs: Infinity, elements: Infinity },
  headlessgl: { macs: Infinity, elements: Infinity },
};

export interface GpujsBackendOptions {
  /** A gpu.js instance created with `{ mode }` (the caller owns its lifetime; the backend only adds kernels). */
  gpu: GPU;
  mode: Exclude<GpujsMode, 'webgpu'>;
  /** Overrides the measured break-even sizes; `{ macs: 0, elements: 0 }` sends every supported case to gpu.js. */
  thresholds?: Partial<Thresholds>;
  /** Registry name; default `gpujs-<mode>`. */
  name?: string;
}

export interface GpujsBackend extends Backend {
  readonly runner: GpujsRunner;
  /** The break-even sizes the kernels read on every call (calibrate() updates them in place). */
  readonly thresholds: Thresholds;
  /** Frees the compiled kernels (not the gpu.js instance). */
  dispose(): void;
}

export function createGpujsBackend(options: GpujsBackendOptions): GpujsBackend {
  const runner = new GpujsRunner(options.gpu, options.mode);
  const thresholds = { ...DEFAULT_THRESHOLDS[options.mode], ...options.thresholds };
  return {
    name: options.name ?? `gpujs-${options.mode}`,
    kernels: gpujsKernels(runner, thresholds),
    runner,
    thresholds,
    dispose: () => runner.destroy(),
  };
}
