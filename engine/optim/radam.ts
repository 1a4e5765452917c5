import { Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer';
import { adamMoments, validateAdam, type AdamFamilyOptions } from './adam';

type FloatArray = Float32Array | Float64Array;

/** weightDecay is L2, added to the gradient: torch 1.13's RAdam has no decoupled form. */
export type RAdamOptions = AdamFamilyOptions;

/**
 * RAdam (torch.optim.RAdam, 1.13): Adam whose adaptive step is switched on only once the variance of its second
 * moment estimate is tractable, and then rectified (Liu et al. 2019); before that it is SGD with momentum.
 *
 * ```text
 * t ← t + 1
 * g ← ∇θ + weightDecay·θ
 * m ← β1·m + (1 − β1)·g                  (exp_avg)
 * v ← β2·v + (1 − β2)·g²                 (exp_avg_sq)
 * m̂ ← m / (1 − β1ᵗ)
 * ρ∞ ← 2/(1 − β2) − 1,  ρₜ ← ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
 * if ρₜ > 5:  r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
 *             θ ← θ − lr · m̂ · r · √(1 − β2ᵗ) / (√v + eps)
 * else:       θ ← θ − lr · m̂
 * ```
 * State per parameter: `step`, `exp_avg`, `exp_avg_sq`. torch 1.13 has no `maximize`, `decoupled_weight_decay`,
 * `foreach`, `capturable` or `differentiable` for RAdam: each is refused by name.
 *
 * @example new RAdam(model.parameters(), { lr: 1e-3 })
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, options);
  }

  protected override validate(o: RAdamOptions): void {
    validateAdam('RAdam', o);
  }

  protected override updateParameter(
    param: FloatArray, grad: FloatArray, state: ParamState, { lr, betas: [beta1, beta2], eps, weightDecay }: ParamGroup<RAdamOptions>,
  ): void {
    const { t: step, m, v } = adamMoments(state, param, 'exp_avg_sq');
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    for (let i = 0; i < param.length; i++) {
      const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mHat = m[i] / biasCorrection1;
      param[i] -= rhoT > 5 ? (lr * mHat * rect * Math.sqrt(biasCorrection2)) / (Math.sqrt(v[i]) + eps) : lr * mHat;
    }
    state.step = step;
  }
}
