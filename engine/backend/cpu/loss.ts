/**
 * CPU reference kernels of the fused softmax cross-entropy over class indices (nn/loss.ts `crossEntropy`'s common
 * case): one pass per row instead of log-softmax, gather, scale and reduce, and one pass back instead of their
 * six backward ops. A small-logit training step (Mnist_Logistic) spent ~60 µs a step in those ops' bookkeeping.
 *
 *   loss_i = logΣ_c exp(x_ic) − x_i,t_i   (computed as m + log Σ exp(x − m), m = max_c x_ic, so nothing overflows)
 *   dx_ic  = s_i · (exp(x_ic − lse_i) − [c = t_i]),   s_i the row's share of the upstream gradient
 * Rows whose target is `ignoreIndex` have no loss and no gradient.
 */
import { allocateFloat, dtypeOf } from '../arrays';
import type { FloatArray } from '../arrays';

export interface CrossEntropyRows {
  /** Per row: the loss (0 for an ignored row). */
  losses: Float64Array;
  /** Per row: log Σ_c exp(x_ic), which the backward needs. */
  lse: Float64Array;
}

export function crossEntropy(x: FloatArray, classes: number, targets: Int32Array, ignoreIndex: number): CrossEntropyRows {
  const rows = targets.length;
  const losses = new Float64Array(rows);
  const lse = new Float64Array(rows);
  for (let i = 0, base = 0; i < rows; i++, base += classes) {
    let m = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = x[base + c];
      if (v > m || v !== v) m = v;
    }
    if (m === -Infinity) m = 0; // an all −inf row, as softmax.ts
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(x[base + c] - m);
    lse[i] = m + Math.log(s);
    const t = targets[i];
    if (t !== ignoreIndex) losses[i] = lse[i] - x[base + t];
  }
  return { losses, lse };
}

/** dx for upstream shares `scale` (one per row): `scale[i]`·(softmax − onehot) on kept rows, 0 on ignored ones. */
export function crossEntropyBackward(
  x: FloatArray, classes: number, targets: Int32Array, ignoreIndex: number, lse: Float64Array, scale: Float64Array,
): FloatArray {
  const dx = allocateFloat(dtypeOf(x), x.length);
  for (let i = 0, base = 0; i < targets.length; i++, base += classes) {
    const t = targets[i];
    if (t === ignoreIndex) continue;
    const s = scale[i];
    const l = lse[i];
    for (let c = 0; c < classes; c++) dx[base + c] = s * Math.exp(x[base + c] - l);
    dx[base + t] -= s;
  }
  return dx;
}

/**
 * The negative log-likelihood over class indices (nn/loss.ts nllLoss's common case, after a LogSoftmax): per row
 * loss_i = −x_i,t_i, 0 on an ignored row. One pass instead of gather, scale and reduce, and one back instead of
 * their scatter: on a GPU those are CPU kernels that would read the step's log-probabilities mid-step.
 */
export function nllLoss(x: FloatArray, classes: number, targets: Int32Array, ignoreIndex: number): Float64Array {
  const losses = new Float64Array(targets.length);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (t !== ignoreIndex) losses[i] = -x[i * classes + t];
  }
  return losses;
}

/** dx for upstream shares `scale` (one per row): −scale[i] at the target, 0 elsewhere and on ignored rows. */
export function nllLossBackward(x: FloatArray, classes: number, targets: Int32Array, ignoreIndex: number, scale: Float64Array): FloatArray {
  const dx = allocateFloat(dtypeOf(x), x.length);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (t !== ignoreIndex) dx[i * classes + t] = -scale[i];
  }
  return dx;
}
