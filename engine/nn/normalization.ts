/**
 * Normalisation over each sample's own values (no batch statistics, so eval equals training and a batch of 1 works):
 * LayerNorm, as torch.nn's. It is composed from primitive ops (mean, sub, mul, sqrt), so autograd
 * derives its backward; the float64 gradient check in normalization.test.ts holds it to that.
 */
import { ones, zeros, type Tensor } from '../tensor';
import { add, div, mean, mul, sqrt, sub } from '../ops/index';
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
