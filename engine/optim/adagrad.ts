import { check, checkCommon, Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer';

type FloatArray = Float32Array | Float64Array;

export interface AdagradOptions {
  lr: number;
  /** The learning rate decays as lr / (1 + (t − 1)·lrDecay). */
  lrDecay: number;
  weightDecay: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue: number;
  eps: number;
  /** Maximise the objective instead of minimising it: the gradient is negated first (default false). */
  maximize: boolean;
}

/**
 * Adagrad (torch.optim.Adagrad, 1.13): per-coordinate step sizes shrink with the sum of squared gradients.
 *
 * ```text
 * t ← t + 1
 * g ← ∇θ (−∇θ when maximize) + weightDecay·θ
 * clr ← lr / (1 + (t − 1)·lrDecay)
 * s ← s + g²                 (sum, starts at initialAccumulatorValue)
 * θ ← θ − clr · g / (√s + eps)
 * ```
 * State per parameter: `step`, `sum`.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
  }

  protected override validate(o: AdagradOptions): void {
    checkCommon('Adagrad', o);
    check('Adagrad', 'lrDecay', o.lrDecay, o.lrDecay >= 0, 'lrDecay >= 0');
    check(
      'Adagrad',
      'initialAccumulatorValue',
      o.initialAccumulatorValue,
      o.initialAccumulatorValue >= 0,
      'initialAccumulatorValue >= 0',
    );
  }

  protected override updateParameter(
    param: FloatArray,
    grad: FloatArray,
    state: ParamState,
    { lr, lrDecay, weightDecay, initialAccumulatorValue, eps }: ParamGroup<AdagradOptions>,
  ): void {
    if (state.step === undefined) {
      state.step = 0;
      const sum = param instanceof Float64Array ? new Float64Array(param.length) : new Float32Array(param.length);
      state.sum = sum.fill(initialAccumulatorValue);
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const sum = state.sum as FloatArray;
    const clr = lr / (1 + (step - 1) * lrDecay);
    for (let i = 0; i < param.length; i++) {
      const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
      sum[i] += g * g;
      param[i] -= (clr * g) / (Math.sqrt(sum[i]) + eps);
    }
  }
}
