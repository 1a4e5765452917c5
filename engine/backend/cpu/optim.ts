/**
 * CPU reference kernels of the optimizer updates: one parameter's whole update in one call, so a faster backend
 * can run it as one fused pass (engine/backend/wasm/optim.ts). Unlike the other kernels these work IN PLACE:
 * they write the parameter and its state arrays and return nothing. The algorithms, as pseudo-code, are in the
 * doc comments of engine/optim/adam.ts, sgd.ts and adadelta.ts; these loops are those, line for line, computed in
 * float64 and stored in the arrays' own precision.
 */
import type { FloatArray } from '../arrays';

export interface AdamStepAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient (Adam's weight_decay); 0 for AdamW. */
  weightDecay: number;
  /** AdamW's decoupled decay: the parameter is first multiplied by (1 − decoupledDecay); 0 for Adam. */
  decoupledDecay?: number;
  /** The step number after this update (1 on the first). */
  step: number;
}

/**
 * Adam / AdamW for one parameter. `maxExpAvgSq` is the AMSGrad running maximum (null without amsgrad).
 *
 *   θ ← θ·(1 − decoupledDecay);  g ← ∇θ + weightDecay·θ
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  v̂ ← max(v̂, v) (amsgrad) else v
 *   θ ← θ − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps)
 */
export function adamStep(
  param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null,
  { lr, beta1, beta2, eps, weightDecay, decoupledDecay = 0, step }: AdamStepAttrs,
): void {
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / biasCorrection1;
  if (decoupledDecay !== 0) {
    const keep = 1 - decoupledDecay;
    for (let i = 0; i < param.length; i++) param[i] *= keep;
  }
  for (let i = 0; i < param.length; i++) {
    const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
    expAvg[i] = beta1 * expAvg[i] + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i] + (1 - beta2) * g * g;
    let second = expAvgSq[i];
    if (maxExpAvgSq) {
      maxExpAvgSq[i] = Math.max(maxExpAvgSq[i], expAvgSq[i]);
      second = maxExpAvgSq[i];
    }
    const denom = Math.sqrt(second) / biasCorrection2Sqrt + eps;
    param[i] -= (stepSize * expAvg[i]) / denom;
  }
}

export interface SgdStepAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** True on the parameter's first step with momentum: the buffer starts as the gradient itself. */
  first: boolean;
}

/**
 * SGD (with momentum) for one parameter; `momentumBuffer` is null when momentum is 0.
 *
 *   g ← ∇θ (−∇θ when maximize) + weightDecay·θ
 *   b ← g on the first step, else momentum·b + (1 − dampening)·g;  g ← g + momentum·b (nesterov) else b
 *   θ ← θ − lr·g
 */
export function sgdStep(
  param: FloatArray, grad: FloatArray, momentumBuffer: FloatArray | null,
  { lr, momentum, dampening, weightDecay, nesterov, maximize, first }: SgdStepAttrs,
): void {
  for (let i = 0; i < param.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (weightDecay !== 0) g += weightDecay * param[i];
    if (momentum !== 0 && momentumBuffer) {
      momentumBuffer[i] = first ? g : momentum * momentumBuffer[i] + (1 - dampening) * g;
      g = nesterov ? g + momentum * momentumBuffer[i] : momentumBuffer[i];
    }
    param[i] -= lr * g;
  }
}

export interface AdadeltaStepAttrs {
  lr: number;
  rho: number;
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
}

/**
 * Adadelta for one parameter. `squareAvg` (v) and `accDelta` (u) are its running averages; Δ is read from the NEW
 * v and the OLD u, as torch does.
 *
 *   g ← ∇θ + weightDecay·θ;  v ← ρ·v + (1 − ρ)·g²;  Δ ← √(u + eps) / √(v + eps) · g
 *   u ← ρ·u + (1 − ρ)·Δ²;  θ ← θ − lr·Δ
 */
export function adadeltaStep(
  param: FloatArray, grad: FloatArray, squareAvg: FloatArray, accDelta: FloatArray,
  { lr, rho, eps, weightDecay }: AdadeltaStepAttrs,
): void {
  for (let i = 0; i < param.length; i++) {
    const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
    squareAvg[i] = rho * squareAvg[i] + (1 - rho) * g * g;
    // Reads v back from the array (rounded to its precision), as torch's in-place update does.
    const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(squareAvg[i] + eps)) * g;
    accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
    param[i] -= lr * delta;
  }
}
