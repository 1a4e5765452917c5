import { zeros, type Tensor } from '../tensor';
import { flatten, reshape } from '../ops/index';
import { linear } from '../ops/linear';
import { defaultGenerator, type Random } from '../random';
import { resetWeightAndBias } from './init';
import { checkOptions } from '../options';
import { Module, pyRepr } from './module';

/** y = x·Wᵀ + b (torch.nn.functional.linear), the op in engine/ops/linear.ts: (*, in) → (*, out). */
export { linear };

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: defaultGenerator()). */
  rng?: Random;
}

/**
 * Fully connected layer: y = x·Wᵀ + b (torch.nn.Linear).
 *
 * Shape:
 * - Input: (*, inFeatures), any number of leading dims, e.g. (N, 784).
 * - Output: (*, outFeatures).
 *
 * Parameters: `weight` (outFeatures, inFeatures) and `bias` (outFeatures), both drawn from U(−1/√in, 1/√in)
 * as in torch (kaiming_uniform with a = √5 for the weight).
 *
 * @example new Linear(784, 10).forward(x)  // (N, 784) → (N, 10)
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly rng: Random;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    checkOptions('Linear', options, ['bias', 'rng']);
    const { bias = true, rng = defaultGenerator() } = options;
    checkPositiveInt('Linear', 'in_features', inFeatures);
    checkPositiveInt('Linear', 'out_features', outFeatures);
    this.rng = rng;
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]));
    this.bias = this.registerParameter('bias', bias ? zeros([outFeatures]) : null);
    this.resetParameters();
  }

  override resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias, this.rng);
  }

  forward(input: Tensor): Tensor {
    if (input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new Error(
        `Linear: expected input with last dimension ${this.inFeatures} (in_features), got shape [${input.shape}]` +
          (input.ndim > 2 ? '; add a Flatten before it?' : ''),
      );
    }
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}

/** Returns its input unchanged: a placeholder, e.g. to switch a layer off. Shape: (*) → (*). */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * Flattens dims startDim..endDim into one (torch.nn.Flatten; by default everything but the batch dim).
 *
 * Shape: input (N, *dims); output (N, ∏dims) with the defaults, e.g. (N, 1, 28, 28) → (N, 784).
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits one dim into several (torch.nn.Unflatten), the inverse of Flatten: a -1 in `unflattenedSize` is inferred.
 *
 * Shape: input (*, S, *) with S at `dim`; output (*, ...unflattenedSize, *) where ∏unflattenedSize = S,
 * e.g. Unflatten(1, [1, 28, 28]): (N, 784) → (N, 1, 28, 28).
 */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];

  constructor(
    readonly dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    if (!Number.isInteger(dim)) throw new Error(`Unflatten: dim must be an integer, got ${dim}`);
    if (unflattenedSize.length === 0 || unflattenedSize.some((d) => !Number.isInteger(d) || d < -1 || d === 0)) {
      throw new Error(`Unflatten: unflattened_size must be a non-empty list of sizes ≥ 1 (one may be -1), got [${unflattenedSize}]`);
    }
    this.unflattenedSize = [...unflattenedSize];
  }

  forward(input: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + input.ndim : this.dim;
    if (d < 0 || d >= input.ndim) throw new Error(`Unflatten: dim ${this.dim} is out of range for input of shape [${input.shape}]`);
    const size = input.shape[d], known = this.unflattenedSize.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const fits = this.unflattenedSize.includes(-1) ? size % known === 0 : known === size;
    if (!fits) {
      throw new Error(`unflatten: Provided sizes [${this.unflattenedSize.join(', ')}] don't multiply up to the size of dim ${d} (${size}) in the input tensor`);
    }
    return reshape(input, [...input.shape.slice(0, d), ...this.unflattenedSize, ...input.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyRepr(this.unflattenedSize).replace(/\((-?\d+)\)$/, '($1,)')}`;
  }
}

export function checkPositiveInt(layer: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${layer}: ${name} must be a positive integer, got ${value}`);
}
