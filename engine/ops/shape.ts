/**
 * Shape ops. reshape/view/flatten/unsqueeze/squeeze share storage with their input (tensors are always
 * contiguous, so any reshape is a view); permute/transpose/expand/cat/slice/gather copy into a new array.
 * Each gradient is the inverse rearrangement (for gather, a scatter-add; for expand, a sum).
 */
import { allocate, shapeStr, sizeOf } from '../backend/arrays';
import type { FloatArray } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { broadcastTo, floatDType, normalizeDim } from './util';

/** The same elements in `shape` (one entry may be −1: inferred);  dx = g reshaped back. Shares storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const fail = () => new Error(`reshape: cannot view shape ${shapeStr(x.shape)} (${x.size} elements) as ${shapeStr(shape)}`);
  const inferAt = shape.indexOf(-1);
  if (shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== inferAt))) throw fail();
  let resolved = shape;
  if (inferAt >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== inferAt));
    if (known === 0 || x.size % known !== 0) throw fail();
    resolved = shape.map((d, i) => (i === inferAt ? x.size / known : d));
  }
  if (sizeOf(resolved) !== x.size) throw fail();
  if (resolved.length === x.ndim && resolved.every((d, i) => d === x.shape[i])) return x;
  // Device values are shared, not downloaded (a GPU backend counts the holders), so flatten keeps a step on the GPU.
  const out = new Tensor(x.device?.share?.() ?? x.data, resolved);
  return recordOp(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

/** torch's view: the same as reshape here (storage is always contiguous). */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return reshape(x, shape);
}

/** Merges dims startDim..endDim into one: flatten(x [N,C,H,W], 1) is [N, C·H·W]. A 0-d tensor becomes [1]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${shapeStr(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** out.shape[i] = x.shape[dims[i]];  dx = permute(g, inverse(dims)). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new Error(`permute: dims ${shapeStr(dims)} do not match a tensor of shape ${shapeStr(x.shape)}`);
  }
  const perm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: dims ${shapeStr(dims)} repeat a dim`);
  if (perm.every((p, i) => p === i)) return x;
  const shape = perm.map((p) => x.shape[p]);
  const out = new Tensor(getKernel(K.Permute)(x.data, x.shape, perm), shape);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return recordOp(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dims (a permute). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  if (x.ndim === 0) return x;
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Inserts a size-1 dim at `dim` (in [−ndim−1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim, 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Removes size-1 dims: all of them, or only `dim` (a no-op if that dim is not 1, as torch). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  if (x.ndim === 0) {
    normalizeDim('squeeze', dim, 0);
    return x;
  }
  const d = normalizeDim('squeeze', dim, x.ndim);
  if (x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

/**
 * Broadcasts x to `shape` (−1 keeps a dim; new dims go in front), materialised;  dx = g summed back to x's shape.
 *   expand(x [3,1], [2,3,4]) has shape [2,3,4].
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  const fail = () => new Error(`expand: cannot expand shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  if (lead < 0) throw fail();
  const target = shape.map((d, i) => {
    const own = i >= lead ? x.shape[i - lead] : undefined;
    if (d === -1) {
      if (own === undefined) throw fail();
      return own;
    }
    if (!Number.isInteger(d) || d < 0 || (own !== undefined && own !== 1 && own !== d)) throw fail();
    return d;
  });
  return broadcastTo(x, target);
}

/** Joins tensors along `dim` (shapes equal elsewhere);  dx_i = the matching slice of g. */
export function cat(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new Error('cat: expects a non-empty list of tensors');
  const first = xs[0];
  const d = normalizeDim('cat', dim, first.ndim);
  if (first.ndim === 0) throw new Error('cat: zero-dimensional tensors cannot be concatenated');
  for (const x of xs) {
    if (x.ndim !== first.ndim || x.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`cat: shapes ${xs.map((t) => shapeStr(t.shape)).join(', ')} differ outside dim ${dim}`);
    }
  }
  const dtype = xs.every((x) => x.dtype === 'int32') ? 'int32' : floatDType(...xs.map((x) => x.dtype));
  const shape = [...first.shape];
  shape[d] = xs.reduce((n, x) => n + x.shape[d], 0);
  const data = getKernel(K.Concat)(xs.map((x) => x.data), xs.map((x) => x.shape), d, dtype);
  const out = new Tensor(data, shape);
  return recordOp(out, 'cat', xs, (g) => {
    let start = 0;
    return xs.map((x) => {
      const part = x.requiresGrad ? slice(g, d, start, start + x.shape[d]) : null;
      start += x.shape[d];
      return part;
    });
  });
}

/**
 * Elements start, start+step, ... before end along `dim`, like x[..., start:end:step]. Negative start/end count
 * from the end; out-of-range bounds are clamped (Python slicing); step must be positive (as in torch).
 * dx = g placed back at the sliced positions, zeros elsewhere.
 */
export function slice(x: Tensor, dim: number, start = 0, end = Number.POSITIVE_INFINITY, step = 1): Tensor {
  const d = normalizeDim('slice', dim, x.ndim);
  if (x.ndim === 0) throw new Error('slice: cannot slice a 0-d tensor');
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const len = x.shape[d];
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + len : i, 0), len);
  const s = clampIndex(start);
  const e = clampIndex(end);
  const count = e > s ? Math.ceil((e - s) / step) : 0;
  if (s === 0 && count === len && step === 1) return x;
  const shape = [...x.shape];
  shape[d] = count;
  const out = new Tensor(getKernel(K.Slice)(x.data, x.shape, d, s, step, count), shape);
  return recordOp(out, 'slice', [x], (g) => [
    new Tensor(getKernel(K.SliceGrad)(g.data as FloatArray, x.shape, d, s, step, count), x.shape),
  ]);
}

/**
 * torch.gather: out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (likewise for other dims). index is int32 with
 * x's number of dims and index.shape[d] ≤ x.shape[d] for d ≠ dim;  dx = zeros with g scatter-added at index.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim('gather', dim, x.ndim);
  if (!(index.data instanceof Int32Array)) throw new Error(`gather: index must be int32, got ${index.dtype}`);
  const idx = index.data;
  const ok = index.ndim === x.ndim && index.shape.every((s, i) => i === d || s <= x.shape[i]);
  if (!ok) throw new Error(`gather: index shape ${shapeStr(index.shape)} does not fit input shape ${shapeStr(x.shape)} at dim ${dim}`);
  const len = x.ndim === 0 ? 1 : x.shape[d];
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= len) throw new Error(`gather: index ${idx[i]} is out of bounds for dim ${dim} of size ${len}`);
  }
  const xShape = x.ndim === 0 ? [1] : x.shape;
  const iShape = x.ndim === 0 ? [1] : index.shape;
  const out = new Tensor(getKernel(K.Gather)(x.data, xShape, d, idx, iShape), index.shape);
  return recordOp(out, 'gather', [x], (g) => [
    new Tensor(getKernel(K.ScatterAdd)(g.data as FloatArray, xShape, d, idx, iShape), x.shape),
  ]);
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * torch.nn.functional.pad: `pads` lists [before, after] pairs from the last dim backwards, as torch
 * ([left, right, top, bottom] pads W then H). Modes, for a dim holding a b c d and padding 2 on each side:
 *   constant  v v | a b c d | v v      (value, default 0)
 *   reflect   c b | a b c d | c b      (mirrors without repeating the edge; padding < size)
 *   replicate a a | a b c d | d d      (repeats the edge)
 *   circular  c d | a b c d | a b      (wraps around; padding ≤ size)
 * Built from slice and cat, so the gradient is theirs: each padded cell sends its g back to the cell it copies.
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim) {
    throw new Error(`pad: pads ${shapeStr(pads)} must hold [before, after] pairs for at most ${x.ndim} dims of shape ${shapeStr(x.shape)}`);
  }
  if (pads.some((p) => !Number.isInteger(p) || p < 0)) throw new Error(`pad: pads must be non-negative integers, got ${shapeStr(pads)}`);
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new Error(`pad: unknown mode '${mode as string}', expected 'constant', 'reflect', 'replicate' or 'circular'`);
  }
  let out = x;
  for (let k = 0; k < pads.length / 2; k++) out = padDim(out, x.ndim - 1 - k, pads[2 * k], pads[2 * k + 1], mode, value);
  return out;
}

function padDim(x: Tensor, d: number, before: number, after: number, mode: PadMode, value: number): Tensor {
  if (before === 0 && after === 0) return x;
  const n = x.shape[d];
  const fail = (why: string) => new Error(`pad: ${mode} padding (${before}, ${after}) of dim ${d} with size ${n} ${why} (input ${shapeStr(x.shape)})`);
  const rows = (indices: number[]) => indices.map((i) => slice(x, d, i, i + 1));
  const range = (count: number, at: (i: number) => number) => Array.from({ length: count }, (_, i) => at(i));
  let head: Tensor[];
  let tail: Tensor[];
  if (mode === 'constant') {
    const block = (count: number) => {
      const shape = [...x.shape];
      shape[d] = count;
      return new Tensor(allocate(x.dtype, sizeOf(shape)).fill(value), shape);
    };
    head = before > 0 ? [block(before)] : [];
    tail = after > 0 ? [block(after)] : [];
  } else if (mode === 'reflect') {
    if (before >= n || after >= n) throw fail('must be less than the size');
    head = rows(range(before, (i) => before - i));
    tail = rows(range(after, (i) => n - 2 - i));
  } else if (mode === 'replicate') {
    if (n === 0) throw fail('needs a non-empty dim');
    head = rows(range(before, () => 0));
    tail = rows(range(after, () => n - 1));
  } else {
    if (before > n || after > n) throw fail('must be at most the size (it would wrap around more than once)');
    head = before > 0 ? [slice(x, d, n - before, n)] : [];
    tail = after > 0 ? [slice(x, d, 0, after)] : [];
  }
  return cat([...head, x, ...tail], d);
}
