/**
 * Activation modules: thin wrappers over the functional ops in engine/ops, so `new ReLU()` can sit in a
 * Sequential. Each keeps its options for printing, as torch does.
 *
 * Shape: input (*) any shape; output (*) the same shape.
 */
import type { Tensor } from '../tensor';
import { elu, gelu, leakyRelu, logSoftmax, relu, sigmoid, silu, softmax, softplus, tanh } from '../ops/index';
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
