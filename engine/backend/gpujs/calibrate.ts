/**
 * "Small tensors stay on the CPU", decided by measuring on the machine at hand: GPUs differ by two orders of
 * magnitude, so no constant fits them all (SwiftShader's webgl2 never beats the CPU; a discrete GPU wins from a
 * few hundred thousand multiply-adds). `calibrate` times a square matmul and a relu at growing sizes on the
 * backend and on the CPU reference and sets the backend's thresholds to the smallest size from which gpu.js
 * was faster at every larger size too, or Infinity where it lost at the largest. It costs about a second on a GPU and a few on SwiftShader.
 *
 *   const backend = createGpujsBackend({ gpu, mode: 'webgl2' });
 *   calibrate(backend);   // backend.thresholds now fit this device
 */
import { cpuKernels } from '../cpu/index';
import type { GpujsBackend } from './index';
import type { Thresholds } from './plans';

export interface CalibrationRow {
  size: number;
  gpujsMs: number;
  cpuMs: number;
}

export interface Calibration {
  thresholds: Thresholds;
  matmul: CalibrationRow[];
  elementwise: CalibrationRow[];
}

/** performance.now(), which every runtime has but the engine's libs do not declare. */
const now = (): number => (globalThis as unknown as { performance: { now(): number } }).performance.now();

function bestOf(runs: number, fn: () => unknown): number {
  fn(); // warm-up (compiles the kernel for this size)
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    fn();
    best = Math.min(best, now() - t0);
  }
  return best;
}

const rand = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);

/** Square matmul sides and elementwise lengths tried, smallest first. */
export const MATMUL_SIDES = [32, 64, 128, 256];
export const ELEMENTWISE_SIZES = [1 << 12, 1 << 15, 1 << 18, 1 << 20];

/** The smallest size from which gpu.js won at every larger size tried too; Infinity if it lost the largest. */
export function breakEven(rows: readonly CalibrationRow[]): number {
  let size = Infinity;
  for (let i = rows.length - 1; i >= 0 && rows[i].gpujsMs < rows[i].cpuMs; i--) size = rows[i].size;
  return size;
}

export function calibrate(backend: GpujsBackend, runs = 3): Calibration {
  const saved = { ...backend.thresholds };
  backend.thresholds.macs = 0;
  backend.thresholds.elements = 0;
  try {
    const matmul = MATMUL_SIDES.map((side) => {
      const a = rand(side * side);
      const attrs = { m: side, k: side, n: side, aOffsets: new Int32Array([0]), bOffsets: new Int32Array([0]), dtype: 'float32' as const };
      return {
        size: side ** 3,
        gpujsMs: bestOf(runs, () => backend.kernels.Matmul!(a, a, attrs)),
        cpuMs: bestOf(runs, () => cpuKernels.Matmul(a, a, attrs)),
      };
    });
    const elementwise = ELEMENTWISE_SIZES.map((n) => {
      const x = rand(n);
      return { size: n, gpujsMs: bestOf(runs, () => backend.kernels.Relu!(x)), cpuMs: bestOf(runs, () => cpuKernels.Relu(x)) };
    });
    const thresholds = { macs: breakEven(matmul), elements: breakEven(elementwise) };
    Object.assign(backend.thresholds, thresholds);
    return { thresholds, matmul, elementwise };
  } catch (error) {
    Object.assign(backend.thresholds, saved);
    throw error;
  }
}
