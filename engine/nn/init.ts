/**
 * Parameter initialisation (torch.nn.init), writing into a tensor's values in place and returning it.
 *
 * Distributions follow torch exactly; the random streams do not (see engine/random.ts), so two runs agree only
 * with the same LayerLab seed. Every function takes an optional generator; the default is `defaultGenerator()`,
 * reseeded by `manualSeed`.
 */
import type { Tensor } from '../tensor';
import { defaultGenerator, type Random } from '../random';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export type FanMode = 'fan_in' | 'fan_out';

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear/conv/sigmoid, 5/3 for
 * tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu (slope defaults to 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity '${nonlinearity as string}'`);
  }
}

/**
 * fan_in and fan_out of a weight: for [out, in, ...kernel], fanIn = in·∏kernel and fanOut = out·∏kernel.
 * Linear weight [10, 784] → fanIn 784, fanOut 10.
 */
export function calculateFanInAndFanOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`calculateFanInAndFanOut: needs at least 2 dimensions, got shape [${shape}]`);
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function fill(t: Tensor, draw: () => number): Tensor {
  const data = t.data;
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return t;
}

/** U(low, high). */
export function uniform(t: Tensor, low = 0, high = 1, rng: Random = defaultGenerator()): Tensor {
  return fill(t, () => rng.uniform(low, high));
}

/** N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, rng: Random = defaultGenerator()): Tensor {
  return fill(t, () => mean + std * rng.normal());
}

export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (only used with 'leaky_relu'). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  rng?: Random;
}

function kaimingStd(t: Tensor, { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' }: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t.shape);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut);
}

/**
 * He initialisation, uniform: U(−b, b) with b = gain·√(3 / fan) (torch.nn.init.kaiming_uniform_).
 * Linear and Conv2d weights use it with a = √5, which gives b = 1/√fanIn.
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound, options.rng);
}

/**
 * torch's reset_parameters of Linear and of every convolution (_ConvNd): the weight by kaimingUniform with a = √5,
 * i.e. U(−1/√fanIn, 1/√fanIn), and the bias from the same range.
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null, rng?: Random): void {
  kaimingUniform(weight, { a: Math.sqrt(5), rng });
  if (bias === null) return;
  const { fanIn } = calculateFanInAndFanOut(weight.shape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform(bias, -bound, bound, rng);
}

/** He initialisation, normal: N(0, std²) with std = gain / √fan (torch.nn.init.kaiming_normal_). */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options), options.rng);
}

/** Glorot initialisation, uniform: U(−b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, gain = 1, rng: Random = defaultGenerator()): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, rng);
}

/** Glorot initialisation, normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1, rng: Random = defaultGenerator()): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t.shape);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
}
