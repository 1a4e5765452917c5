import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { check, checkCommon, Optimizer, zerosLike, type ParamGroup, type Params, type ParamState } from './optimizer';

type FloatArray = Float32Array | Float64Array;

/** The options every Adam-family optimizer has (Adam, AdamW, NAdam, RAdam, Adamax), under torch's names. */
export interface AdamFamilyOptions {
  lr: number;
  /** [beta1, beta2]: decay rates of the first and second moment averages (Adamax: of its infinity norm). */
  betas: [number, number];
  eps: number;
  /** L2 penalty added to the gradient (AdamW's is decoupled: applied to the weights). */
  weightDecay: number;
}

export interface AdamOptions extends AdamFamilyOptions {
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it: the gradient is negated first (default false). */
  maximize: boolean;
}

/** The checks torch makes on every Adam-family optimizer (Adam, AdamW, NAdam, RAdam, Adamax): lr, eps, decay, betas. */
export function validateAdam(name: string, o: AdamFamilyOptions): void {
  checkCommon(name, o);
  check(name, 'beta1', o.betas[0], o.betas[0] >= 0 && o.betas[0] < 1, '0 <= beta1 < 1');
  check(name, 'beta2', o.betas[1], o.betas[1] >= 0 && o.betas[1] < 1, '0 <= beta2 < 1');
}

/**
 * The moments NAdam, RAdam and Adamax keep (torch's names): on a parameter's first step, `step` 0 and zeroed
 * `exp_avg` and `second` (`exp_avg_sq`, or Adamax's `exp_inf`). Returns t, the number of the step being taken;
 * the caller stores it once its update went through.
 */
export function adamMoments(state: ParamState, param: FloatArray, second: 'exp_avg_sq' | 'exp_inf'): { t: number; m: FloatArray; v: FloatArray } {
  if (state.step === undefined) {
    state.step = 0;
    state.exp_avg = zerosLike(param);
    state[second] = zerosLike(param);
  }
  return { t: (state.step as number) + 1, m: state.exp_avg as FloatArray, v: state[second] as FloatArray };
}

/**
 * The moment updates and the bias-corrected step shared by Adam and AdamW, as one fused kernel call (K.AdamStep;
 * the CPU reference loop is engine/backend/cpu/optim.ts, the wasm one engine/backend/wasm/optim.ts). `l2` is Adam's
 * weight decay, added to the gradient; `decoupled` is AdamW's, applied to the weights (lr·weightDecay).
 */
function adamStep(param: FloatArray, grad: FloatArray, state: ParamState, group: AdamOptions, l2: number, decoupled: number): void {
  const { lr, betas: [beta1, beta2], eps, amsgrad } = group;
  if (state.step === undefined) {
    state.step = 0;
    state.exp_avg = zerosLike(param);
    state.exp_avg_sq = zerosLike(param);
    if (amsgrad) state.max_exp_avg_sq = zerosLike(param);
  }
  const step = (state.step as number) + 1;
  const vMax = amsgrad ? (state.max_exp_avg_sq as FloatArray | undefined) ?? null : null;
  getKernel(K.AdamStep)(param, grad, state.exp_avg as FloatArray, state.exp_avg_sq as FloatArray, vMax, {
    lr, beta1, beta2, eps, weightDecay: l2, decoupledDecay: decoupled, step,
  });
  // Counted once the update went through, so a kernel that throws leaves the step count as it was.
  state.step = step;
}

/**
 * Adam (torch.optim.Adam, 1.13): adaptive moment estimation with L2 weight decay added to the gradient.
 *
 * ```text
 * t ← t + 1
 * g ← ∇θ (−∇θ when maximize) + weightDecay·θ
 * m ← β1·m + (1 − β1)·g                 (exp_avg)
 * v ← β2·v + (1 − β2)·g²                (exp_avg_sq)
 * v̂ ← max(v̂, v) if amsgrad, else v     (max_exp_avg_sq)
 * θ ← θ − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps)
 * ```
 * State per parameter: `step`, `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with amsgrad.
 *
 * @example new Adam(model.parameters(), { lr: 1e-3 })
 */
export class Adam extends Optimizer<AdamOptions> {
  protected override readonly updateKernel = K.AdamStep;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }

  protected override validate(o: AdamOptions): void {
    validateAdam('Adam', o);
  }

  protected override updateParameter(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    adamStep(param, grad, state, group, group.weightDecay, 0);
  }
}

/**
 * AdamW (torch.optim.AdamW, 1.13): Adam with decoupled weight decay, applied to the weights, not the gradient.
 *
 * ```text
 * θ ← θ·(1 − lr·weightDecay)
 * then Adam's update with g ← ∇θ (−∇θ when maximize; no L2 term)
 * ```
 * Default weightDecay is 0.01, as in torch. State: as Adam.
 */
export class AdamW extends Optimizer<AdamOptions> {
  protected override readonly updateKernel = K.AdamStep;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
  }

  protected override validate(o: AdamOptions): void {
    validateAdam('AdamW', o);
  }

  protected override updateParameter(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    adamStep(param, grad, state, group, 0, group.lr * group.weightDecay);
  }
}
