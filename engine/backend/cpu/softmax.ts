/**
 * CPU reference kernels for softmax and log-softmax along one dim, computed stably:
 *   softmax(x)_i    = exp(x_i − m) / Σ_j exp(x_j − m),   m = max_j x_j
 *   logSoftmax(x)_i = x_i − m − log Σ_j exp(x_j − m)
 * Subtracting the max keeps every exp in (0, 1], so large logits cannot overflow.
 */
import { allocateFloat, dtypeOf, sizeOf } from '../arrays';
import type { FloatArray } from '../arrays';

function softmaxFamily(x: FloatArray, shape: readonly number[], dim: number, log: boolean): FloatArray {
  const outer = sizeOf(shape.slice(0, dim));
  const len = shape[dim];
  const inner = sizeOf(shape.slice(dim + 1));
  const out = allocateFloat(dtypeOf(x), x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) {
        const v = x[base + k * inner];
        if (v > m || v !== v) m = v;
      }
      if (m === -Infinity) m = 0; // an all -inf row: exp(-inf - 0) = 0 keeps torch's NaN/−inf results
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - m);
      if (log) {
        const lse = m + Math.log(s);
        for (let k = 0; k < len; k++) out[base + k * inner] = x[base + k * inner] - lse;
      } else {
        for (let k = 0; k < len; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - m) / s;
      }
    }
  }
  return out;
}

export function softmax(x: FloatArray, shape: readonly number[], dim: number): FloatArray {
  return softmaxFamily(x, shape, dim, false);
}

export function logSoftmax(x: FloatArray, shape: readonly number[], dim: number): FloatArray {
  return softmaxFamily(x, shape, dim, true);
}
