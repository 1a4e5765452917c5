/**
 * Activation functions. Each is one fused forward kernel plus one fused gradient kernel (dx = g · f'(x)), which
 * saves the temporaries a composition of primitives would allocate in every training step. The formulas live
 * beside the kernels in backend/cpu/elementwise.ts; activation.test.ts checks each against its composed form.
 */
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { unaryForward, unaryGrad } from './elementwise';
import { kernelInput } from './util';

/**
 * relu(x) = max(x, 0) (NaN propagates);  dx = g · [x > 0]. Its inputs go to the kernels as device handles where
 * the backend keeps them (kernelInput), so conv → relu → pool stays in wasm memory.
 */
export function relu(x: Tensor): Tensor {
  const out = new Tensor(getKernel(K.Relu)(kernelInput(K.Relu, x)), x.shape);
  return recordOp(out, 'relu', [x], (g) => [
    new Tensor(getKernel(K.ReluGrad)(kernelInput(K.ReluGrad, x), kernelInput(K.ReluGrad, out), kernelInput(K.ReluGrad, g)), x.shape),
  ]);
}

/** leakyRelu(x) = x if x > 0 else slope · x;  dx = g · (x > 0 ? 1 : slope). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const attrs = { slope: negativeSlope };
  const out = unaryForward(K.LeakyRelu, x, attrs);
  return recordOp(out, 'leakyRelu', [x], (g) => [unaryGrad(K.LeakyReluGrad, x, out, g, attrs)]);
}

/** sigmoid(x) = 1 / (1 + e⁻ˣ) (computed without overflow);  dx = g · out · (1 − out). */
export function sigmoid(x: Tensor): Tensor {
  const out = unaryForward(K.Sigmoid, x);
  return recordOp(out, 'sigmoid', [x], (g) => [unaryGrad(K.SigmoidGrad, x, out, g)]);
}

/** tanh(x);  dx = g · (1 − out²). */
export function tanh(x: Tensor): Tensor {
  const out = unaryForward(K.Tanh, x);
  return recordOp(out, 'tanh', [x], (g) => [unaryGrad(K.TanhGrad, x, out, g)]);
}

/**
 * gelu(x) = x · Φ(x) = x/2 · (1 + erf(x/√2));  dx = g · (Φ(x) + x · φ(x)).
 * approximate = 'tanh': x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))), as torch's gelu(approximate='tanh').
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  const tanhForm = approximate === 'tanh';
  const out = unaryForward(tanhForm ? K.GeluTanh : K.Gelu, x);
  return recordOp(out, 'gelu', [x], (g) => [unaryGrad(tanhForm ? K.GeluTanhGrad : K.GeluGrad, x, out, g)]);
}

/** elu(x) = x if x > 0 else α(eˣ − 1);  dx = g · (x > 0 ? 1 : α eˣ). */
export function elu(x: Tensor, alpha = 1): Tensor {
  const attrs = { alpha };
  const out = unaryForward(K.Elu, x, attrs);
  return recordOp(out, 'elu', [x], (g) => [unaryGrad(K.EluGrad, x, out, g, attrs)]);
}

/** silu(x) = x · σ(x) (a.k.a. swish);  dx = g · σ(x)(1 + x(1 − σ(x))). */
export function silu(x: Tensor): Tensor {
  const out = unaryForward(K.Silu, x);
  return recordOp(out, 'silu', [x], (g) => [unaryGrad(K.SiluGrad, x, out, g)]);
}

/**
 * softplus(x) = ln(1 + e^(βx)) / β, or x where βx > threshold (torch's linear regime, avoiding overflow);
 * dx = g · σ(βx), or g in the linear regime.
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const attrs = { beta, threshold };
  const out = unaryForward(K.Softplus, x, attrs);
  return recordOp(out, 'softplus', [x], (g) => [unaryGrad(K.SoftplusGrad, x, out, g, attrs)]);
}
