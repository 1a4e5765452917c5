import type { Tensor } from '../tensor';
import { dropout, dropout2d } from '../ops/index';
import { defaultGenerator, type Random } from '../random';
import { Module } from './module';

/**
 * During training, zeroes each element with probability p and scales the rest by 1/(1 − p), so the expected
 * value is unchanged; in eval mode it returns the input as is (torch.nn.Dropout).
 *
 * Shape: input (*) any shape; output (*) the same shape.
 *
 * The masks come from `rng` if given (so a model can own its dropout stream), else from defaultGenerator()
 * at call time.
 */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    protected readonly rng: Random | null = null,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`${new.target.name}: probability p must be between 0 and 1, got ${p}`);
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, this.rng ?? defaultGenerator());
  }

  override extraRepr(): string {
    return `p=${Number.isInteger(this.p) ? this.p.toFixed(1) : this.p}, inplace=False`;
  }
}

/**
 * Channel-wise dropout (torch.nn.Dropout2d): in training, zeroes each whole channel of each sample with probability
 * p and scales the rest by 1/(1 − p); in eval mode it returns the input as is.
 *
 * Shape: input (N, C, H, W), or (N, C, L) as torch 1.13 reads it (channel-wise 1-D dropout); output the same shape.
 */
export class Dropout2d extends Dropout {
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, this.rng ?? defaultGenerator());
  }
}
