/**
 * Activation modules: thin wrappers over the functional ops in engine/ops, so `new ReLU()` can sit in a
 * Sequential. Each keeps its options for printing, as torch does. The activations without a kernel of their own
 * (hardtanh and those after it) are composed here from existing ops, like torch.nn.functional, so every backend
 * runs them; their PyTorch fixtures are engine/test/activations.test.ts.
 *
 * Shape: input (*) any shape; output (*) the same shape.
 */
import { zeros, type Tensor } from '../tensor';
import { abs, add, div, elu, ge, gelu, gt, le, leakyRelu, logSoftmax, lt, mul, neg, relu, reshape, sigmoid, silu, softmax, softplus, tanh, where } from '../ops/index';
import { constant } from './init';
import { Module, pyFloat } from './module';

/** max(0, x). */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

/** x for x ≥ 0, negativeSlope·x otherwise. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/** 1 / (1 + e^(−x)). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** x·Φ(x) with Φ the standard normal CDF; approximate 'tanh' uses torch's tanh formula. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(input: Tensor): Tensor {
    return gelu(input, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }

  forward(input: Tensor): Tensor {
    return elu(input, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** x·sigmoid(x) (also called swish). */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return silu(input);
  }
}

/** log(1 + e^(βx)) / β, and x itself where βx > threshold (for stability). */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/**
 * Softmax along `dim`: values in (0, 1) summing to 1. For class scores (N, C) use dim 1.
 * Unlike torch, dim is required (torch's implicit choice is deprecated).
 */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably. Pair with NLLLoss (together they equal CrossEntropyLoss). */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * hardtanh(x) = minVal if x ≤ minVal, maxVal if x ≥ maxVal, else x;  dx = g strictly between the bounds and 0 on
 * them (torch's hardtanh_backward). Composed from `where` rather than `clamp`, whose gradient keeps the bounds.
 */
export function hardtanh(input: Tensor, minVal = -1, maxVal = 1): Tensor {
  return where(le(input, minVal), minVal, where(ge(input, maxVal), maxVal, input));
}

/** min(max(0, x), 6): hardtanh(x, 0, 6), as torch defines it. */
export class ReLU6 extends Module {
  forward(input: Tensor): Tensor {
    return hardtanh(input, 0, 6);
  }
}

/** x clipped to [minVal, maxVal]; the gradient is 1 strictly inside, 0 on and outside the bounds. */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
  ) {
    super();
    if (!(maxVal > minVal)) throw new Error(`Hardtanh: max_val must be greater than min_val, got min_val=${minVal}, max_val=${maxVal}`);
  }

  forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/**
 * hardswish(x) = 0 for x < −3, x for x > 3, else x·(x + 3)/6;  dx = g · (x/3 + ½) on [−3, 3] (both ends
 * included, as torch's hardswish_backward), 0 below and g above.
 */
export class Hardswish extends Module {
  forward(input: Tensor): Tensor {
    return where(lt(input, -3), 0, where(gt(input, 3), input, div(mul(input, add(input, 3)), 6)));
  }
}

/** hardsigmoid(x) = 0 for x ≤ −3, 1 for x ≥ 3, else (x + 3)/6;  dx = g/6 strictly inside (−3, 3), else 0. */
export class Hardsigmoid extends Module {
  forward(input: Tensor): Tensor {
    return where(le(input, -3), 0, where(ge(input, 3), 1, div(add(input, 3), 6)));
  }
}

/** mish(x) = x·tanh(softplus(x));  dx = g·(tanh(sp) + x·(1 − tanh²(sp))·σ(x)), by the chain rule through the ops. */
export class Mish extends Module {
  forward(input: Tensor): Tensor {
    return mul(input, tanh(softplus(input)));
  }
}

/** SELU's fixed constants (Klambauer et al. 2017), torch's to the last digit. */
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** selu(x) = scale·elu(x, α): scale·x for x > 0, scale·α(eˣ − 1) otherwise. */
export class SELU extends Module {
  forward(input: Tensor): Tensor {
    return mul(elu(input, SELU_ALPHA), SELU_SCALE);
  }
}

/** celu(x) = α·elu(x/α): x for x > 0, α(e^(x/α) − 1) otherwise, with slope 1 at 0 for every α. */
export class CELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    if (alpha === 0) throw new Error('CELU: alpha cannot be 0');
  }

  forward(input: Tensor): Tensor {
    return mul(elu(div(input, this.alpha)), this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** softsign(x) = x / (1 + |x|);  dx = g / (1 + |x|)². */
export class Softsign extends Module {
  forward(input: Tensor): Tensor {
    return div(input, add(abs(input), 1));
  }
}

/**
 * logsigmoid(x) = log σ(x) = −softplus(−x);  dx = g·σ(−x). Through softplus it never forms σ(x) or e^(−x), so it
 * stays finite at any |x| (log(sigmoid(−200)) in float32 is log(0) = −∞; this gives −200).
 */
export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor {
    return neg(softplus(neg(input)));
  }
}

/** softmin(x) = softmax(−x) along `dim`: values in (0, 1) summing to 1, the smallest inputs weighted most. */
export class Softmin extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return softmax(neg(input), this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * prelu(x, a) = x if x > 0 else a·x, with `weight` a holding 1 slope or one per channel (dim 1 of x);
 * dx = g where x > 0, else a·g;  da = Σ g·x over the elements where x ≤ 0 (of its channel), as torch's.
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const slopes = weight.size;
  if (slopes === 1) return where(gt(input, 0), input, mul(input, weight));
  const channels = input.ndim >= 2 ? input.shape[1] : 1;
  if (channels !== slopes) {
    throw new Error(`PReLU: ${slopes} parameters (num_parameters) but the input [${input.shape}] has ${channels} channels (dim 1)`);
  }
  // (C) → (C, 1, …, 1): one slope per channel, broadcast over the dims after it.
  const perChannel = reshape(weight, [slopes, ...Array<number>(input.ndim - 2).fill(1)]);
  return where(gt(input, 0), input, mul(input, perChannel));
}

/**
 * x if x > 0 else a·x with learned slopes a (torch.nn.PReLU).
 *
 * Shape: input (*) or (N, C, *) with C = numParameters when numParameters > 1; output the same shape.
 * Parameters: `weight` (numParameters), every slope starting at `init`.
 */
export class PReLU extends Module {
  readonly weight: Tensor;

  // num_parameters is the weight's size: Module's numParameters() already counts every parameter.
  constructor(
    numParameters = 1,
    readonly init = 0.25,
  ) {
    super();
    if (!Number.isInteger(numParameters) || numParameters < 1) throw new Error(`PReLU: num_parameters must be an integer ≥ 1, got ${numParameters}`);
    this.weight = this.registerParameter('weight', zeros([numParameters]));
    this.resetParameters();
  }

  override resetParameters(): void {
    constant(this.weight, this.init);
  }

  forward(input: Tensor): Tensor {
    return prelu(input, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.weight.size}`;
  }
}
