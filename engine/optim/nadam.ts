import { check, Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer';
import { adamMoments, validateAdam, type AdamFamilyOptions } from './adam';

type FloatArray = Float32Array | Float64Array;

/** weightDecay is L2, added to the gradient: torch 1.13's NAdam has no decoupled form. */
export interface NAdamOptions extends AdamFamilyOptions {
  /** ψ in the momentum schedule μₜ = β1·(1 − ½·0.96^(t·ψ)) (torch's momentum_decay, default 4e-3). */
  momentumDecay: number;
}

/**
 * NAdam (torch.optim.NAdam, 1.13): Adam with Nesterov momentum, looking one momentum step ahead, and a momentum
 * that warms up over the first steps (Dozat 2016).
 *
 * ```text
 * t ← t + 1
 * g ← ∇θ + weightDecay·θ
 * μₜ ← β1·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ ← β1·(1 − ½·0.96^((t+1)·ψ))
 * Πₜ ← Πₜ₋₁·μₜ                           (mu_product, starts at 1)
 * m ← β1·m + (1 − β1)·g                  (exp_avg)
 * v ← β2·v + (1 − β2)·g²                 (exp_avg_sq)
 * d ← √(v / (1 − β2ᵗ)) + eps
 * θ ← θ − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d
 * ```
 * State per parameter: `step`, `mu_product`, `exp_avg`, `exp_avg_sq` (torch's names). torch keeps mu_product as a
 * float32 tensor, so it is rounded to float32 here too. torch 1.13 has no `maximize`, `decoupled_weight_decay`,
 * `foreach`, `capturable` or `differentiable` for NAdam: each is refused by name.
 *
 * @example new NAdam(model.parameters(), { lr: 2e-3 })
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 }, options);
  }

  protected override validate(o: NAdamOptions): void {
    validateAdam('NAdam', o);
    check('NAdam', 'momentumDecay', o.momentumDecay, o.momentumDecay >= 0, 'momentumDecay >= 0');
  }

  protected override updateParameter(
    param: FloatArray, grad: FloatArray, state: ParamState, { lr, betas: [beta1, beta2], eps, weightDecay, momentumDecay }: ParamGroup<NAdamOptions>,
  ): void {
    if (state.step === undefined) state.mu_product = 1;
    const { t: step, m, v } = adamMoments(state, param, 'exp_avg_sq');
    const f32 = Math.fround;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    const muProduct = f32((state.mu_product as number) * f32(mu));
    const muProductNext = f32(f32(muProduct * f32(mu)) * f32(muNext));
    const gradScale = (lr * (1 - mu)) / (1 - muProduct);
    const avgScale = (lr * muNext) / (1 - muProductNext);
    const biasCorrection2 = 1 - beta2 ** step;
    for (let i = 0; i < param.length; i++) {
      const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const d = Math.sqrt(v[i] / biasCorrection2) + eps;
      param[i] -= (gradScale * g + avgScale * m[i]) / d;
    }
    state.mu_product = muProduct;
    state.step = step;
  }
}
