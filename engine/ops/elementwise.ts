/**
 * Elementwise ops: broadcasting arithmetic, comparisons, where, and unary math.
 *
 * Binary ops broadcast like torch and accept a number for either operand (it takes the tensor's float dtype).
 * The gradient of a broadcast operand is summed back to its shape (`sumToShape`). Notation below: out = f(a, b),
 * g = dL/d(out); each doc line gives the forward and the gradients the backward closure returns.
 */
import { allocate, allocateFloat } from '../backend/arrays';
import type { DType, FloatArray } from '../backend/arrays';
import { getKernel, type KernelTable } from '../backend/backend';
import * as K from '../backend/kernel-names';
import type { BinaryKernel, UnaryAttrs, UnaryKernel } from '../backend/cpu/elementwise';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { asTensor, broadcastShapes, floatData, floatDType, kernelArg, kernelInput, operands, sumToShape } from './util';

type Operand = Tensor | number;

type BinaryKernelName = { [N in keyof KernelTable]: KernelTable[N] extends BinaryKernel ? N : never }[keyof KernelTable];

/** Runs broadcasting binary kernel `name`; returns the tensor operands and the (unrecorded) result. */
function binary(op: string, name: BinaryKernelName, a: Operand, b: Operand): [Tensor, Tensor, Tensor] {
  const [x, y] = operands(a, b);
  const shape = broadcastShapes(op, x.shape, y.shape);
  const kernel = getKernel(name) as BinaryKernel;
  const data = kernel(kernelArg(name, x), x.shape, kernelArg(name, y), y.shape, shape, floatDType(x.dtype, y.dtype));
  return [x, y, new Tensor(data, shape)];
}

/** add(a, b) = a + b;  da = g, db = g. */
export function add(a: Operand, b: Operand): Tensor {
  const [x, y, out] = binary('add', K.Add, a, b);
  return recordOp(out, 'add', [x, y], (g) => [sumToShape(g, x.shape), sumToShape(g, y.shape)]);
}

/** sub(a, b) = a − b;  da = g, db = −g. */
export function sub(a: Operand, b: Operand): Tensor {
  const [x, y, out] = binary('sub', K.Sub, a, b);
  return recordOp(out, 'sub', [x, y], (g) => [sumToShape(g, x.shape), y.requiresGrad ? sumToShape(neg(g), y.shape) : null]);
}

/** mul(a, b) = a · b;  da = g · b, db = g · a. */
export function mul(a: Operand, b: Operand): Tensor {
  const [x, y, out] = binary('mul', K.Mul, a, b);
  return recordOp(out, 'mul', [x, y], (g) => [
    x.requiresGrad ? sumToShape(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, x), y.shape) : null,
  ]);
}

/** div(a, b) = a / b;  da = g / b, db = −g · a / b² = −g · out / b. */
export function div(a: Operand, b: Operand): Tensor {
  const [x, y, out] = binary('div', K.Div, a, b);
  return recordOp(out, 'div', [x, y], (g) => [
    x.requiresGrad ? sumToShape(div(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(neg(mul(g, div(out, y))), y.shape) : null,
  ]);
}

/**
 * pow(a, b) = a^b.
 *   da = g · b · a^(b−1), and 0 where b = 0 (torch, so that 0^0 has gradient 0, not NaN);
 *   db = g · a^b · ln a, and 0 where a = 0 and b ≥ 0 (torch, avoiding 0 · −∞).
 * A number exponent uses the cheaper unary kernel.
 */
export function pow(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    const x = asTensor(a);
    const out = new Tensor(getKernel(K.PowScalar)(floatData(x), { exponent: b }), x.shape);
    return recordOp(out, 'pow', [x], (g) => [b === 0 ? mul(g, 0) : mul(g, mul(pow(x, b - 1), b))]);
  }
  const [x, y, out] = binary('pow', K.Pow, a, b);
  return recordOp(out, 'pow', [x, y], (g) => [
    x.requiresGrad ? sumToShape(where(eq(y, 0), 0, mul(g, mul(y, pow(x, sub(y, 1))))), x.shape) : null,
    y.requiresGrad ? sumToShape(where(mul(eq(x, 0), ge(y, 0)), 0, mul(g, mul(out, log(x)))), y.shape) : null,
  ]);
}

/**
 * maximum(a, b) elementwise (NaN propagates). The gradient goes to the larger operand, split evenly on ties
 * (torch): da = g · ([a > b] + ½[a = b]), db = g · ([a < b] + ½[a = b]).
 */
export function maximum(a: Operand, b: Operand): Tensor {
  const [x, y, out] = binary('maximum', K.Maximum, a, b);
  return recordOp(out, 'maximum', [x, y], (g) => {
    const half = mul(eq(x, y), 0.5);
    return [
      x.requiresGrad ? sumToShape(mul(g, add(gt(x, y), half)), x.shape) : null,
      y.requiresGrad ? sumToShape(mul(g, add(lt(x, y), half)), y.shape) : null,
    ];
  });
}

/** minimum(a, b) elementwise; gradient as maximum's with the comparisons flipped. */
export function minimum(a: Operand, b: Operand): Tensor {
  const [x, y, out] = binary('minimum', K.Minimum, a, b);
  return recordOp(out, 'minimum', [x, y], (g) => {
    const half = mul(eq(x, y), 0.5);
    return [
      x.requiresGrad ? sumToShape(mul(g, add(lt(x, y), half)), x.shape) : null,
      y.requiresGrad ? sumToShape(mul(g, add(gt(x, y), half)), y.shape) : null,
    ];
  });
}

// Comparisons: 1 where true, 0 where false, in a float tensor (torch returns bool). Not differentiable.
export function eq(a: Operand, b: Operand): Tensor {
  return binary('eq', K.Equal, a, b)[2];
}
export function gt(a: Operand, b: Operand): Tensor {
  return binary('gt', K.Greater, a, b)[2];
}
export function ge(a: Operand, b: Operand): Tensor {
  return binary('ge', K.GreaterEqual, a, b)[2];
}
export function lt(a: Operand, b: Operand): Tensor {
  return binary('lt', K.Less, a, b)[2];
}
export function le(a: Operand, b: Operand): Tensor {
  return binary('le', K.LessEqual, a, b)[2];
}

/**
 * where(cond, a, b) = a where cond ≠ 0, else b; all three broadcast together.
 * da = g where cond, else 0;  db = g where not cond, else 0. int32 only if a and b are both int32.
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const bothInt = a instanceof Tensor && b instanceof Tensor && a.dtype === 'int32' && b.dtype === 'int32';
  const [x, y] = bothInt ? [a, b] : operands(a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const dtype: DType = bothInt ? 'int32' : floatDType(x.dtype, y.dtype);
  const data = getKernel(K.Where)(cond.data, cond.shape, x.data, x.shape, y.data, y.shape, shape, dtype);
  const out = new Tensor(data, shape);
  return recordOp(out, 'where', [x, y], (g) => [
    x.requiresGrad ? sumToShape(where(cond, g, 0), x.shape) : null,
    y.requiresGrad ? sumToShape(where(cond, 0, g), y.shape) : null,
  ]);
}

/** The kernels unaryForward runs: one float array in, one out. */
type UnaryKernelName = { [N in keyof KernelTable]: KernelTable[N] extends UnaryKernel ? N : never }[keyof KernelTable];
type UnaryGradKernel = (x: FloatArray, y: FloatArray, dy: FloatArray, attrs?: UnaryAttrs) => FloatArray;
type UnaryGradKernelName = { [N in keyof KernelTable]: KernelTable[N] extends UnaryGradKernel ? N : never }[keyof KernelTable];

/** Runs unary kernel `name` on x (int32 is read as float32; a device backend gets its own handle, kernelInput). */
export function unaryForward(name: UnaryKernelName, x: Tensor, attrs?: UnaryAttrs): Tensor {
  const kernel = getKernel(name) as UnaryKernel;
  return new Tensor(kernel(kernelInput(name, x), attrs), x.shape);
}

/** neg(x) = −x;  dx = −g. */
export function neg(x: Tensor): Tensor {
  return recordOp(unaryForward(K.Neg, x), 'neg', [x], (g) => [neg(g)]);
}

/** exp(x) = eˣ;  dx = g · out. */
export function exp(x: Tensor): Tensor {
  const out = unaryForward(K.Exp, x);
  return recordOp(out, 'exp', [x], (g) => [mul(g, out)]);
}

/** log(x) = ln x (−∞ at 0, NaN below);  dx = g / x. */
export function log(x: Tensor): Tensor {
  return recordOp(unaryForward(K.Log, x), 'log', [x], (g) => [div(g, x)]);
}

/** sqrt(x) = √x;  dx = g / (2 · out). */
export function sqrt(x: Tensor): Tensor {
  const out = unaryForward(K.Sqrt, x);
  return recordOp(out, 'sqrt', [x], (g) => [div(g, mul(out, 2))]);
}

/** abs(x) = |x|;  dx = g · sign(x) (0 at x = 0, as torch). */
export function abs(x: Tensor): Tensor {
  return recordOp(unaryForward(K.Abs, x), 'abs', [x], (g) => [mul(g, sign(x))]);
}

/** sign(x) ∈ {−1, 0, 1} (NaN stays NaN). Its gradient is zero almost everywhere, so it is not recorded. */
export function sign(x: Tensor): Tensor {
  return unaryForward(K.Sign, x);
}

/** clamp(x, min, max) = min(max(x, min), max);  dx = g where min ≤ x ≤ max, else 0. Either bound may be omitted. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  const attrs = { min, max };
  const out = unaryForward(K.Clamp, x, attrs);
  return recordOp(out, 'clamp', [x], (g) => [unaryGrad(K.ClampGrad, x, out, g, attrs)]);
}

/** Runs a gradient kernel dx = g · f'(x) (given x, out = f(x) and g); the result has x's shape. */
export function unaryGrad(name: UnaryGradKernelName, x: Tensor, out: Tensor, g: Tensor, attrs?: UnaryAttrs): Tensor {
  const kernel = getKernel(name) as UnaryGradKernel;
  return new Tensor(kernel(kernelInput(name, x), kernelInput(name, out), kernelInput(name, g), attrs), x.shape);
}

/**
 * A copy of x in `dtype` (copy = true forces a copy even when the dtype is unchanged: clone). Between float
 * dtypes the gradient is g cast back to x's dtype; casting to int32 is not differentiable.
 */
export function cast(x: Tensor, dtype: DType, copy = false): Tensor {
  if (dtype === x.dtype && !copy) return x;
  const out = new Tensor(getKernel(K.Cast)(x.data, dtype), x.shape);
  if (dtype === 'int32') return out;
  return recordOp(out, dtype === x.dtype ? 'clone' : 'cast', [x], (g) => [cast(g, x.dtype)]);
}

/** A float tensor of x's shape filled with `value` (used by backward closures that need a constant). */
export function fullLike(x: Tensor, value: number): Tensor {
  const data = x.dtype === 'int32' ? allocate('float32', x.size) : allocateFloat(x.dtype, x.size);
  data.fill(value);
  return new Tensor(data, x.shape);
}
