import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { check, checkCommon, Optimizer, zerosLike, type ParamGroup, type Params, type ParamState } from './optimizer';

export interface SGDOptions {
  /** Learning rate (required, as in torch). */
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Maximise the objective instead of minimising it. */
  maximize: boolean;
}

/**
 * Stochastic gradient descent, optionally with momentum (torch.optim.SGD, 1.13).
 *
 * ```text
 * g ← ∇θ  (or −∇θ when maximize)
 * if weightDecay ≠ 0:   g ← g + weightDecay·θ
 * if momentum ≠ 0:
 *     b ← g                               on the first step
 *     b ← momentum·b + (1 − dampening)·g  afterwards
 *     g ← g + momentum·b   if nesterov,  else  g ← b
 * θ ← θ − lr·g
 * ```
 * State per parameter: `momentum_buffer` (only when momentum ≠ 0).
 *
 * @example new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })
 */
export class SGD extends Optimizer<SGDOptions> {
  protected override readonly updateKernel = K.SgdStep;
  protected override readonly maximizeInKernel = true;

  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    // lr has no default (torch requires it); validate() refuses a missing one
    super(params, { lr: options.lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
  }

  protected override validate(o: SGDOptions): void {
    checkCommon('SGD', o);
    check('SGD', 'momentum', o.momentum, o.momentum >= 0, 'momentum >= 0');
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error(`SGD: nesterov requires momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`);
    }
  }

  protected override updateParameter(
    param: Float32Array | Float64Array,
    grad: Float32Array | Float64Array,
    state: ParamState,
    { lr, momentum, dampening, weightDecay, nesterov, maximize }: ParamGroup<SGDOptions>,
  ): void {
    const first = state.momentum_buffer === undefined;
    if (momentum !== 0 && first) state.momentum_buffer = zerosLike(param);
    const buffer = momentum !== 0 ? (state.momentum_buffer as Float32Array | Float64Array) : null;
    // One fused kernel call (K.SgdStep; the CPU reference loop is engine/backend/cpu/optim.ts).
    getKernel(K.SgdStep)(param, grad, buffer, { lr, momentum, dampening, weightDecay, nesterov, maximize, first });
  }
}
