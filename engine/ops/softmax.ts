/**
 * softmax and logSoftmax along `dim`, by fused stable kernels (max subtracted first; see backend/cpu/softmax.ts).
 * Gradients, with s = softmax(x) and g = dL/d(out):
 *   softmax:     dx = s ⊙ (g − Σ_dim(g ⊙ s))
 *   logSoftmax:  dx = g − s ⊙ Σ_dim(g),   s = exp(out)
 * softmax.test.ts checks both against the composed form exp(x − max) / Σ exp(x − max).
 */
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { exp, mul, sub } from './elementwise';
import { sum } from './reduce';
import { kernelInput, normalizeDim } from './util';

export function softmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('softmax', dim, x.ndim);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const out = new Tensor(getKernel(K.Softmax)(kernelInput(K.Softmax, x), shape, d), x.shape);
  return recordOp(out, 'softmax', [x], (g) => [mul(out, sub(g, sum(mul(g, out), d, true)))]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('logSoftmax', dim, x.ndim);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const out = new Tensor(getKernel(K.LogSoftmax)(kernelInput(K.LogSoftmax, x), shape, d), x.shape);
  return recordOp(out, 'logSoftmax', [x], (g) => [sub(g, mul(exp(out), sum(g, d, true)))]);
}
