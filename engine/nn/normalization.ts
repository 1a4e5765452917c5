/**
 * Normalisation over each sample's own values (no batch statistics, so eval equals training and a batch of 1 works):
 * LayerNorm and GroupNorm, as torch.nn's. Both are composed from primitive ops (mean, sub, mul, sqrt), so autograd
 * derives their backward; the float64 gradient check in normalization.test.ts holds them to that.
 */
import { ones, zeros, type Tensor } from '../tensor';
import { add, div, mean, mul, reshape, sqrt, sub } from '../ops/index';
import { checkOptions } from '../options';
import type { Random } from '../random';
import { checkPositiveInt } from './linear';
import { Module, pyFloat, pyRepr } from './module';

/** (x − mean) / √(var + eps) over `dims`, var biased (÷ M), as torch's layer_norm and group_norm. */
function standardize(x: Tensor, dims: number[], eps: number): Tensor {
  const centred = sub(x, mean(x, dims, true));
  return div(centred, sqrt(add(mean(mul(centred, centred), dims, true), eps)));
}

/**
 * layerNorm: torch.nn.functional.layer_norm. Normalises over the last `normalizedShape.length` dims of each sample:
 *   y = (x − E[x]) / √(Var[x] + eps) · weight + bias, weight and bias shaped `normalizedShape`.
 * Example: layerNorm(x [N, 10], [10]) standardises each row.
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  const trailing = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || trailing.some((d, i) => d !== normalizedShape[i])) {
    throw new Error(`layerNorm: given normalized_shape=[${normalizedShape}], expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size [${x.shape}]`);
  }
  let y = standardize(x, Array.from({ length: k }, (_, i) => x.ndim - k + i), eps);
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/**
 * groupNorm: torch.nn.functional.group_norm. Splits the C channels of x [N, C, *] into `numGroups` groups and
 * normalises each group of each sample over its channels and positions, then scales and shifts per channel.
 */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim < 2 || x.shape[1] % numGroups !== 0) {
    throw new Error(`groupNorm: expected input [N, C, *] with C divisible by num_groups ${numGroups}, got [${x.shape}]`);
  }
  const grouped = reshape(x, [x.shape[0], numGroups, x.size / (x.shape[0] * numGroups || 1)]);
  let y = reshape(standardize(grouped, [2], eps), x.shape);
  const perChannel = [x.shape[1], ...Array<number>(x.ndim - 2).fill(1)];
  if (weight) y = mul(y, reshape(weight, perChannel));
  if (bias) y = add(y, reshape(bias, perChannel));
  return y;
}

export interface LayerNormOptions {
  eps?: number;
  /** Learn a scale (weight, init 1) and shift (bias, init 0) per normalised element. Default true. */
  elementwiseAffine?: boolean;
  /** Accepted as every layer's is; the initial 1s and 0s draw nothing. */
  rng?: Random;
}

/**
 * Layer normalisation (torch.nn.LayerNorm): each sample normalised over its last dims, `normalizedShape`.
 *
 * Shape: input (N, *, ...normalizedShape); output the same shape.
 * Parameters: `weight` and `bias`, shaped normalizedShape (when elementwiseAffine).
 *
 * @example new LayerNorm(128)  // (N, 128) → (N, 128), each row to mean 0 and variance 1, then scaled and shifted
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'rng']);
    const { eps = 1e-5, elementwiseAffine = true } = options;
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0) throw new Error('LayerNorm: normalized_shape must name at least one dim');
    for (const d of this.normalizedShape) checkPositiveInt('LayerNorm', 'normalized_shape', d);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = this.registerParameter('weight', elementwiseAffine ? ones(this.normalizedShape) : null);
    this.bias = this.registerParameter('bias', elementwiseAffine ? zeros(this.normalizedShape) : null);
    this.resetParameters();
  }

  override resetParameters(): void {
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape).replace(/\((\d+)\)$/, '($1,)')}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyRepr(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Learn a per-channel scale (weight, init 1) and shift (bias, init 0). Default true. */
  affine?: boolean;
  rng?: Random;
}

/**
 * Group normalisation (torch.nn.GroupNorm): the channels split into `numGroups` groups, each normalised per sample.
 * GroupNorm(1, C) normalises each sample over everything (like LayerNorm over (C, H, W)), GroupNorm(C, C) each
 * channel alone (instance norm).
 *
 * Shape: input (N, C, *); output the same shape. Parameters: `weight` and `bias` (C) when affine.
 *
 * @example new GroupNorm(4, 16)  // (N, 16, 28, 28): 4 groups of 4 channels
 */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkOptions('GroupNorm', options, ['eps', 'affine', 'rng']);
    const { eps = 1e-5, affine = true } = options;
    checkPositiveInt('GroupNorm', 'num_groups', numGroups);
    checkPositiveInt('GroupNorm', 'num_channels', numChannels);
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: num_channels ${numChannels} must be divisible by num_groups ${numGroups}`);
    this.eps = eps;
    this.affine = affine;
    this.weight = this.registerParameter('weight', affine ? ones([numChannels]) : null);
    this.bias = this.registerParameter('bias', affine ? zeros([numChannels]) : null);
    this.resetParameters();
  }

  override resetParameters(): void {
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(input: Tensor): Tensor {
    if (input.ndim < 2 || input.shape[1] !== this.numChannels) {
      throw new Error(`GroupNorm: expected input (N, ${this.numChannels}, *), got shape [${input.shape}]`);
    }
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyRepr(this.affine)}`;
  }
}
