import { ones, zeros, type Tensor } from '../tensor';
import { batchNorm } from '../ops/index';
import type { Random } from '../random';
import { checkPositiveInt } from './linear';
import { checkOptions } from '../options';
import { Module, pyFloat, pyRepr } from './module';

export interface BatchNormOptions {
  eps?: number;
  /**
   * Weight of the new batch in the running statistics: running ← (1 − momentum)·running + momentum·batch.
   * null uses a cumulative average (momentum = 1 / batches seen), as torch's momentum=None. Default 0.1.
   */
  momentum?: number | null;
  /** Learn a per-channel scale (weight, init 1) and shift (bias, init 0). Default true. */
  affine?: boolean;
  /** Keep running_mean/running_var for eval mode; without them eval also uses batch statistics. Default true. */
  trackRunningStats?: boolean;
  /** Accepted as every layer's is, so generic code can pass one; BatchNorm's initial values (1s and 0s) draw nothing. */
  rng?: Random;
}

/**
 * Shared by BatchNorm1d and BatchNorm2d (torch's _BatchNorm): normalises each channel over the batch (and
 * positions) in training, with the running statistics in eval. Buffers, with torch's names: running_mean (C),
 * running_var (C), num_batches_tracked (a 0-d int32 count).
 */
abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    checkOptions(new.target.name, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'rng']);
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = options;
    checkPositiveInt(this.constructor.name, 'num_features', numFeatures);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = this.registerParameter('weight', affine ? ones([numFeatures]) : null);
    this.bias = this.registerParameter('bias', affine ? zeros([numFeatures]) : null);
    this.runningMean = this.registerBuffer('running_mean', trackRunningStats ? zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer('running_var', trackRunningStats ? ones([numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
    this.resetParameters();
  }

  /** The input ranks this layer accepts, e.g. [2, 3] for BatchNorm1d. */
  protected abstract readonly ranks: readonly number[];

  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  override resetParameters(): void {
    this.resetRunningStats();
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(input: Tensor): Tensor {
    const name = this.constructor.name;
    if (!this.ranks.includes(input.ndim)) {
      throw new Error(`${name}: expected ${this.ranks.map((r) => `${r}D`).join(' or ')} input (N, C${this.ranks[0] === 4 ? ', H, W' : '[, L]'}), got shape [${input.shape}]`);
    }
    if (input.shape[1] !== this.numFeatures) {
      throw new Error(`${name}: expected ${this.numFeatures} channels (num_features) in dim 1, got shape [${input.shape}]`);
    }
    if (this.training && input.size / this.numFeatures <= 1) {
      throw new Error(`${name}: expected more than 1 value per channel when training, got input shape [${input.shape}]`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      this.numBatchesTracked.data[0] += 1;
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.data[0];
    }
    // Batch statistics in training, or always when there are no running statistics to use.
    const useBatchStats = this.training || this.runningMean === null;
    const track = !this.training || this.trackRunningStats;
    return batchNorm(
      input,
      track ? this.runningMean : null,
      track ? this.runningVar : null,
      this.weight,
      this.bias,
      useBatchStats,
      factor,
      this.eps,
    );
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation over (N, C) or (N, C, L) input (torch.nn.BatchNorm1d), per channel C.
 *
 * Shape: input (N, C) or (N, C, L); output the same shape.
 * y = (x − E[x]) / √(Var[x] + eps) · weight + bias.
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
}

/**
 * Batch normalisation over images (torch.nn.BatchNorm2d), per channel C, over N, H and W.
 *
 * Shape: input (N, C, H, W); output the same shape.
 */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
}
