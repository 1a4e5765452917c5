import { check, checkCommon, Optimizer, zerosLike, type ParamGroup, type Params, type ParamState } from './optimizer';

type FloatArray = Float32Array | Float64Array;

export interface RMSpropOptions {
  lr: number;
  /** Smoothing constant of the squared-gradient average. */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalise by the estimated variance (subtract the squared mean gradient). */
  centered: boolean;
  /** Maximise the objective instead of minimising it: the gradient is negated first (default false). */
  maximize: boolean;
}

/**
 * RMSprop (torch.optim.RMSprop, 1.13).
 *
 * ```text
 * g ← ∇θ (−∇θ when maximize) + weightDecay·θ
 * s ← α·s + (1 − α)·g²                     (square_avg)
 * if centered:  ḡ ← α·ḡ + (1 − α)·g;  d ← √(s − ḡ²) + eps     (grad_avg)
 * else:         d ← √s + eps
 * if momentum > 0:  b ← momentum·b + g/d;  θ ← θ − lr·b     (momentum_buffer)
 * else:             θ ← θ − lr·g/d
 * ```
 * State per parameter: `step`, `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg` (centered).
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected override validate(o: RMSpropOptions): void {
    checkCommon('RMSprop', o);
    check('RMSprop', 'momentum', o.momentum, o.momentum >= 0, 'momentum >= 0');
    check('RMSprop', 'alpha', o.alpha, o.alpha >= 0, 'alpha >= 0');
  }

  protected override updateParameter(
    param: FloatArray,
    grad: FloatArray,
    state: ParamState,
    { lr, alpha, eps, weightDecay, momentum, centered }: ParamGroup<RMSpropOptions>,
  ): void {
    if (state.step === undefined) {
      state.step = 0;
      state.square_avg = zerosLike(param);
      if (momentum > 0) state.momentum_buffer = zerosLike(param);
      if (centered) state.grad_avg = zerosLike(param);
    }
    state.step = (state.step as number) + 1;
    const squareAvg = state.square_avg as FloatArray;
    const buf = state.momentum_buffer as FloatArray;
    const gradAvg = state.grad_avg as FloatArray;
    for (let i = 0; i < param.length; i++) {
      const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
      squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * g * g;
      let avg: number;
      if (centered) {
        gradAvg[i] = alpha * gradAvg[i] + (1 - alpha) * g;
        // ḡ² in float32, as torch's addcmul takes it: a tiny ḡ whose square underflows to 0 there (as s's g² did)
        // would leave s − ḡ² a hair below 0 in float64, and its square root NaN.
        avg = Math.sqrt(Math.fround(squareAvg[i] - Math.fround(gradAvg[i] * gradAvg[i]))) + eps;
      } else {
        avg = Math.sqrt(squareAvg[i]) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i] + g / avg;
        param[i] -= lr * buf[i];
      } else {
        param[i] -= (lr * g) / avg;
      }
    }
  }
}
