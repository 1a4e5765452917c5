/**
 * CPU reference kernels that move data without arithmetic (plus the adds of slice/gather's gradients):
 * cast, permute, broadcastTo, slice, concat, gather and their inverses. All are dtype-preserving except cast.
 */
import { allocate, allocateLike, dtypeOf, sizeOf, stridesOf } from '../arrays';
import type { DType, FloatArray, TypedArray } from '../arrays';
import { broadcastIndex } from './elementwise';

/** A copy converted to `dtype` (float -> int32 truncates toward zero, like torch's .int()). */
export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = allocate(dtype, x.length);
  if (dtype === 'int32') for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  else out.set(x);
  return out;
}

/** out = x.permute(perm) made contiguous: out[..i_perm..] = x[..i..]. */
export function permute<T extends TypedArray>(x: T, shape: readonly number[], perm: readonly number[]): T {
  const nd = shape.length;
  const out = allocateLike(x, x.length);
  if (x.length === 0) return out;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]); // input stride of each output dim
  const counter = new Array<number>(nd).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x[src];
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < outShape[d]) break;
      src -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return out;
}

/** x broadcast (right-aligned, size-1 dims stretched) to outShape, materialised. */
export function broadcastTo<T extends TypedArray>(x: T, shape: readonly number[], outShape: readonly number[]): T {
  const index = broadcastIndex(shape, outShape);
  const out = allocateLike(x, index.length);
  for (let i = 0; i < index.length; i++) out[i] = x[index[i]];
  return out;
}

/** Elements start, start+step, ... (count of them) along `dim`. */
export function slice<T extends TypedArray>(
  x: T,
  shape: readonly number[],
  dim: number,
  start: number,
  step: number,
  count: number,
): T {
  const outer = sizeOf(shape.slice(0, dim));
  const len = shape[dim];
  const inner = sizeOf(shape.slice(dim + 1));
  const out = allocateLike(x, outer * count * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < count; c++) {
      const src = (o * len + start + c * step) * inner;
      out.set(x.subarray(src, src + inner), (o * count + c) * inner);
    }
  }
  return out;
}

/** The adjoint of slice: dy placed back at its positions in a zero array of inShape. */
export function sliceGrad(
  dy: FloatArray,
  inShape: readonly number[],
  dim: number,
  start: number,
  step: number,
  count: number,
): FloatArray {
  const outer = sizeOf(inShape.slice(0, dim));
  const len = inShape[dim];
  const inner = sizeOf(inShape.slice(dim + 1));
  const dx = allocateLike(dy, sizeOf(inShape));
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < count; c++) {
      const src = (o * count + c) * inner;
      dx.set(dy.subarray(src, src + inner), (o * len + start + c * step) * inner);
    }
  }
  return dx;
}

/** xs joined along `dim`; shapes agree except on `dim` (checked by the op). */
export function concat(xs: readonly TypedArray[], shapes: readonly (readonly number[])[], dim: number, dtype: DType): TypedArray {
  const outer = sizeOf(shapes[0].slice(0, dim));
  const inner = sizeOf(shapes[0].slice(dim + 1));
  const total = shapes.reduce((s, sh) => s + sh[dim], 0);
  const out = allocate(dtype, outer * total * inner);
  let offset = 0;
  xs.forEach((x, t) => {
    const block = shapes[t][dim] * inner;
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * block, (o + 1) * block), o * total * inner + offset);
    offset += block;
  });
  return out;
}

/** Strides of x used at each position of `indexShape` (the op has checked index.shape[d] <= x.shape[d]). */
function gatherWalk(
  shape: readonly number[],
  indexShape: readonly number[],
  dim: number,
  visit: (i: number, base: number) => void,
): void {
  const nd = indexShape.length;
  const strides = stridesOf(shape);
  const n = sizeOf(indexShape);
  const counter = new Array<number>(nd).fill(0);
  let base = 0; // offset in x of the current index position, without the dim component
  for (let i = 0; i < n; i++) {
    visit(i, base);
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      if (d !== dim) base += strides[d];
      if (counter[d] < indexShape[d]) break;
      if (d !== dim) base -= strides[d] * indexShape[d];
      counter[d] = 0;
    }
  }
}

/** out[i][j] = x[index[i][j]][j] (dim 0), x[i][index[i][j]] (dim 1), ... — torch.gather. */
export function gather<T extends TypedArray>(
  x: T,
  shape: readonly number[],
  dim: number,
  index: Int32Array,
  indexShape: readonly number[],
): T {
  const out = allocateLike(x, index.length);
  const stride = stridesOf(shape)[dim];
  gatherWalk(shape, indexShape, dim, (i, base) => {
    out[i] = x[base + index[i] * stride];
  });
  return out;
}

/** The adjoint of gather: dx = zeros(shape); dx[...index...] += dy. */
export function scatterAdd(
  dy: FloatArray,
  shape: readonly number[],
  dim: number,
  index: Int32Array,
  indexShape: readonly number[],
): FloatArray {
  const dx = allocate(dtypeOf(dy), sizeOf(shape)) as FloatArray;
  const stride = stridesOf(shape)[dim];
  gatherWalk(shape, indexShape, dim, (i, base) => {
    dx[base + index[i] * stride] += dy[i];
  });
  return dx;
}
