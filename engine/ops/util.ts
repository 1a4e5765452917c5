/**
 * Helpers shared by op files: operand coercion, dtype promotion, broadcasting and dim checks, and `sumToShape`
 * (the gradient of a broadcast). Exported from ops/index.ts for other areas' ops too.
 */
import { allocateFloat, shapeStr } from '../backend/arrays';
import type { DType, FloatArray, FloatDType, TypedArray } from '../backend/arrays';
import { deviceInput, getKernel, type KernelName } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';

/** float64 if any operand is float64, else float32 (int32 operands compute in float32). */
export function floatDType(...dtypes: DType[]): FloatDType {
  return dtypes.includes('float64') ? 'float64' : 'float32';
}

/** x's data as a float array (int32 data is converted to float32; float data is returned as is). */
export function floatData(x: Tensor): FloatArray {
  const d = x.data;
  if (d instanceof Int32Array) {
    const f = new Float32Array(d.length);
    f.set(d);
    return f;
  }
  return d;
}

/**
 * x's values for kernel `name`: the active backend's own device handle when x is still on its device and that
 * kernel takes one (engine/backend/backend.ts, `deviceInput`; typed as the CPU array the signature names), else
 * floatData(x).
 */
export function kernelInput(name: KernelName, x: Tensor): FloatArray {
  return (deviceInput(name, x.device) as FloatArray | null) ?? floatData(x);
}

/** x's values for kernel `name` as they are (int32 stays int32): the device handle where kernelInput gives one. */
export function kernelArg(name: KernelName, x: Tensor): TypedArray {
  return (deviceInput(name, x.device) as TypedArray | null) ?? x.data;
}

/** A number becomes a 0-d tensor of `dtype`; a tensor is returned unchanged. */
export function asTensor(x: Tensor | number, dtype: FloatDType = 'float32'): Tensor {
  if (x instanceof Tensor) return x;
  const data = allocateFloat(dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** Both operands as tensors; a number takes the other operand's float dtype so it never promotes. */
export function operands(a: Tensor | number, b: Tensor | number): [Tensor, Tensor] {
  const dtype = floatDType(a instanceof Tensor ? a.dtype : 'float32', b instanceof Tensor ? b.dtype : 'float32');
  return [asTensor(a, dtype), asTensor(b, dtype)];
}

/** torch broadcasting: right-align, each pair of dims equal or one of them 1. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A dim in [-ndim, ndim) made non-negative (torch's wrap_dim); `extra` widens the range (unsqueeze uses 1). */
export function normalizeDim(op: string, dim: number, ndim: number, extra = 0): number {
  const n = ndim + extra;
  const lo = -Math.max(n, 1);
  const hi = Math.max(n, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dims`);
  }
  return dim < 0 ? dim + Math.max(n, 1) : dim;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The gradient of broadcasting `shape` up to g.shape: sum g over the dims that were added or stretched, so the
 * result has `shape`. Example: a bias of shape [3] added to x [N,3] gets sumToShape(g [N,3], [3]) = g.sum(0).
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const data = getKernel(K.Sum)(kernelArg(K.Sum, g), g.shape, dims, floatDType(g.dtype));
  const out = new Tensor(data, shape);
  return recordOp(out, 'sumToShape', [g], (gg) => [broadcastTo(gg, g.shape)]);
}

/** `x` materialised at `shape` by broadcasting (the adjoint of sumToShape). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const out = new Tensor(getKernel(K.BroadcastTo)(x.data, x.shape, shape), shape);
  return recordOp(out, 'broadcastTo', [x], (g) => [sumToShape(g, x.shape)]);
}

