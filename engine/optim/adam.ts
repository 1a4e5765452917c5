import { check, checkCommon, Optimizer, zerosLike, type ParamGroup, type Params, type ParamState } from './optimizer';

type FloatArray = Float32Array | Float64Array;

export interface AdamOptions {
  lr: number;
  /** [beta1, beta2]: decay rates of the first and second moment averages. */
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad: boolean;
}

function validateAdam(name: string, o: AdamOptions): void {
  checkCommon(name, o);
  check(name, 'beta1', o.betas[0], o.betas[0] >= 0 && o.betas[0] < 1, '0 <= beta1 < 1');
  check(name, 'beta2', o.betas[1], o.betas[1] >= 0 && o.betas[1] < 1, '0 <= beta2 < 1');
}

/**
 * The moment updates and the bias-corrected step shared by Adam and AdamW. `l2` is Adam's weight decay, added to
 * the gradient (AdamW passes 0: it decays the weights itself).
 */
function adamStep(param: FloatArray, grad: FloatArray, state: ParamState, group: AdamOptions, l2: number): void {
  const { lr, betas: [beta1, beta2], eps, amsgrad } = group;
  if (state.step === undefined) {
    state.step = 0;
    state.exp_avg = zerosLike(param);
    state.exp_avg_sq = zerosLike(param);
    if (amsgrad) state.max_exp_avg_sq = zerosLike(param);
  }
  const step = (state.step as number) + 1;
  state.step = step;
  const m = state.exp_avg as FloatArray;
  const v = state.exp_avg_sq as FloatArray;
  const vMax = state.max_exp_avg_sq as FloatArray | undefined;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / biasCorrection1;
  for (let i = 0; i < param.length; i++) {
    const g = l2 === 0 ? grad[i] : grad[i] + l2 * param[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    let second = v[i];
    if (amsgrad && vMax) {
      vMax[i] = Math.max(vMax[i], v[i]);
      second = vMax[i];
    }
    const denom = Math.sqrt(second) / biasCorrection2Sqrt + eps;
    param[i] -= (stepSize * m[i]) / denom;
  }
}

/**
 * Adam (torch.optim.Adam, 1.13): adaptive moment estimation with L2 weight decay added to the gradient.
 *
 * ```text
 * t ← t + 1
 * g ← ∇θ + weightDecay·θ
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
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...options });
  }

  protected override validate(o: AdamOptions): void {
    validateAdam('Adam', o);
  }

  protected override updateParameter(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    adamStep(param, grad, state, group, group.weightDecay);
  }
}

/**
 * AdamW (torch.optim.AdamW, 1.13): Adam with decoupled weight decay, applied to the weights, not the gradient.
 *
 * ```text
 * θ ← θ·(1 − lr·weightDecay)
 * then Adam's update with g ← ∇θ (no L2 term)
 * ```
 * Default weightDecay is 0.01, as in torch. State: as Adam.
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...options });
  }

  protected override validate(o: AdamOptions): void {
    validateAdam('AdamW', o);
  }

  protected override updateParameter(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    const decay = 1 - group.lr * group.weightDecay;
    for (let i = 0; i < param.length; i++) param[i] *= decay;
    adamStep(param, grad, state, group, 0);
  }
}
