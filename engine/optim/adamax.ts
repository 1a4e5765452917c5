import { Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer';
import { adamMoments, validateAdam, type AdamFamilyOptions } from './adam';

type FloatArray = Float32Array | Float64Array;

export interface AdamaxOptions extends AdamFamilyOptions {
  /** Maximise the objective instead of minimising it: the gradient is negated first (default false). */
  maximize: boolean;
}

/**
 * Adamax (torch.optim.Adamax, 1.13): Adam with the second moment replaced by an exponentially weighted infinity
 * norm of the gradients (Kingma & Ba 2015, section 7), which needs no bias correction.
 *
 * ```text
 * t ← t + 1
 * g ← ∇θ (−∇θ when maximize) + weightDecay·θ
 * m ← β1·m + (1 − β1)·g                  (exp_avg)
 * u ← max(β2·u, |g| + eps)               (exp_inf)
 * θ ← θ − lr/(1 − β1ᵗ) · m / u
 * ```
 * State per parameter: `step`, `exp_avg`, `exp_inf`. `foreach`, `capturable` and `differentiable` are refused by name.
 *
 * @example new Adamax(model.parameters(), { lr: 2e-3 })
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected override validate(o: AdamaxOptions): void {
    validateAdam('Adamax', o);
  }

  protected override updateParameter(
    param: FloatArray, grad: FloatArray, state: ParamState, { lr, betas: [beta1, beta2], eps, weightDecay }: ParamGroup<AdamaxOptions>,
  ): void {
    const { t: step, m, v: u } = adamMoments(state, param, 'exp_inf');
    const clr = lr / (1 - beta1 ** step);
    for (let i = 0; i < param.length; i++) {
      const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      u[i] = Math.max(beta2 * u[i], Math.abs(g) + eps);
      param[i] -= (clr * m[i]) / u[i];
    }
    state.step = step;
  }
}
