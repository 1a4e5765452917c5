import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { check, checkCommon, Optimizer, zerosLike, type ParamGroup, type Params, type ParamState } from './optimizer';

type FloatArray = Float32Array | Float64Array;

export interface AdadeltaOptions {
  /** Scales the computed delta; torch's default is 1.0. */
  lr: number;
  /** Decay rate of the running averages. */
  rho: number;
  eps: number;
  weightDecay: number;
  /** Maximise the objective instead of minimising it: the gradient is negated first (default false). */
  maximize: boolean;
}

/**
 * Adadelta (torch.optim.Adadelta, 1.13): the step size is the ratio of two running RMS values.
 *
 * ```text
 * g ← ∇θ (−∇θ when maximize) + weightDecay·θ
 * v ← ρ·v + (1 − ρ)·g²                       (square_avg)
 * Δ ← √(u + eps) / √(v + eps) · g
 * u ← ρ·u + (1 − ρ)·Δ²                       (acc_delta)
 * θ ← θ − lr·Δ
 * ```
 * State per parameter: `step`, `square_avg`, `acc_delta`. The update is one kernel call (K.AdadeltaStep; the CPU
 * reference loop is engine/backend/cpu/optim.ts), so a GPU backend keeps the parameter and both averages on the
 * device.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  protected override readonly updateKernel = K.AdadeltaStep;

  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
  }

  protected override validate(o: AdadeltaOptions): void {
    checkCommon('Adadelta', o);
    check('Adadelta', 'rho', o.rho, o.rho >= 0 && o.rho <= 1, '0 <= rho <= 1');
  }

  protected override updateParameter(
    param: FloatArray,
    grad: FloatArray,
    state: ParamState,
    { lr, rho, eps, weightDecay }: ParamGroup<AdadeltaOptions>,
  ): void {
    if (state.step === undefined) {
      state.step = 0;
      state.square_avg = zerosLike(param);
      state.acc_delta = zerosLike(param);
    }
    const step = (state.step as number) + 1;
    getKernel(K.AdadeltaStep)(param, grad, state.square_avg as FloatArray, state.acc_delta as FloatArray, { lr, rho, eps, weightDecay });
    // Counted once the update went through, so a kernel that throws leaves the step count as it was.
    state.step = step;
  }
}
