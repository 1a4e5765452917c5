/**
 * Reductions: sum, mean, max, min, argmax. `dim` follows torch: a number (negative counts from the end), a list
 * for sum/mean, or omitted to reduce everything; keepdim keeps reduced dims as size 1.
 */
import { shapeStr } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { div, eq, mul, neg } from './elementwise';
import { reshape } from './shape';
import { broadcastTo, floatDType, kernelArg, kernelInput, normalizeDim } from './util';

/** Sorted, distinct, non-negative dims; undefined (or []) means all dims. */
function reduceDims(op: string, x: Tensor, dim: number | readonly number[] | undefined): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  if (list.length === 0) return x.shape.map((_, i) => i);
  const dims = list.map((d) => normalizeDim(op, d, x.ndim));
  if (new Set(dims).size !== dims.length) throw new Error(`${op}: dim ${shapeStr(list)} repeats a dim`);
  return dims.filter((d) => d < x.ndim).sort((a, b) => a - b); // a 0-d tensor accepts dim 0/-1 and has nothing to reduce
}

function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** sum(x, dim, keepdim) = Σ over dim;  dx = g broadcast back over the reduced dims. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const dims = reduceDims('sum', x, dim);
  const keepShape = reducedShape(x.shape, dims, true);
  const data = getKernel(K.Sum)(kernelArg(K.Sum, x), x.shape, dims, floatDType(x.dtype));
  const out = new Tensor(data, reducedShape(x.shape, dims, keepdim));
  return recordOp(out, 'sum', [x], (g) => [broadcastTo(reshape(g, keepShape), x.shape)]);
}

/** mean(x, dim, keepdim) = sum / count (NaN for an empty reduction, like torch);  dx = g / count broadcast. */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const dims = reduceDims('mean', x, dim);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return div(sum(x, dims.length === 0 ? [] : dims, keepdim), count);
}

/**
 * max(x) = the largest element (a 0-d tensor); its gradient is split evenly between tied maxima (torch).
 * max(x, dim, keepdim) = the max values along dim (torch's `.values`); the gradient goes to the argmax position,
 * the first one on ties. NaN propagates.
 */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (x.size === 0) throw new Error(`max: cannot reduce an empty tensor of shape ${shapeStr(x.shape)}`);
  if (dim === undefined) {
    const { values } = getKernel(K.MaxDim)(x.data, [x.size], 0);
    const out = new Tensor(values, []);
    return recordOp(out, 'max', [x], (g) => {
      const ties = eq(x, out);
      return [mul(ties, div(g, sum(ties)))];
    });
  }
  const d = normalizeDim('max', dim, x.ndim);
  if (x.ndim === 0) return max(x);
  if (x.shape[d] === 0) throw new Error(`max: cannot reduce dim ${dim} of size 0 (shape ${shapeStr(x.shape)})`);
  const keepShape = reducedShape(x.shape, [d], true);
  const { values, indices } = getKernel(K.MaxDim)(x.data, x.shape, d);
  const out = new Tensor(values, reducedShape(x.shape, [d], keepdim));
  return recordOp(out, 'max', [x], (g) => {
    const gd = reshape(g, keepShape);
    return [new Tensor(getKernel(K.ScatterAdd)(gd.data as Float32Array | Float64Array, x.shape, d, indices, keepShape), x.shape)];
  });
}

/** min(x, dim?, keepdim) = −max(−x, ...): the same tie and NaN rules as max. */
export function min(x: Tensor, dim?: number, keepdim = false): Tensor {
  return neg(max(neg(x), dim, keepdim));
}

/** The index of the max along dim (first on ties), int32, not differentiable; without dim, the flat index. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (x.size === 0) throw new Error(`argmax: cannot reduce an empty tensor of shape ${shapeStr(x.shape)}`);
  if (dim === undefined || x.ndim === 0) {
    if (dim !== undefined) normalizeDim('argmax', dim, x.ndim);
    const { indices } = getKernel(K.MaxDim)(x.data, [x.size], 0);
    return new Tensor(indices, keepdim ? x.shape.map(() => 1) : []);
  }
  const d = normalizeDim('argmax', dim, x.ndim);
  if (x.shape[d] === 0) throw new Error(`argmax: cannot reduce dim ${dim} of size 0 (shape ${shapeStr(x.shape)})`);
  // A backend's own device value where its kernel takes one (wasm: a Linear output, a step's accuracy).
  const { indices } = getKernel(K.MaxDim)(kernelArg(K.MaxDim, x), x.shape, d);
  return new Tensor(indices, reducedShape(x.shape, [d], keepdim));
}

/**
 * A batch's metrics as one tensor, [loss, correct]: `loss` (one value) and how many rows of `output` have their
 * argmax along dim 1 at the label (first on ties, as argmax), for `labels` shaped as `output` without dim 1. No
 * graph. A device backend computes both where the step ran, so a training step reads them back at once: its one
 * read (a GPU step plan reads nothing else). float32 for a float32 loss; the count is exact below 2^24.
 */
export function stepMetrics(loss: Tensor, output: Tensor, labels: Tensor): Tensor {
  if (loss.size !== 1) throw new Error(`stepMetrics: the loss must be one value, got shape ${shapeStr(loss.shape)}`);
  if (output.ndim < 2 || output.shape[1] === 0) throw new Error(`stepMetrics: the output needs a class dim 1, got shape ${shapeStr(output.shape)}`);
  const rows = output.shape.filter((_, i) => i !== 1);
  if (labels.ndim !== rows.length || labels.shape.some((d, i) => d !== rows[i])) {
    throw new Error(`stepMetrics: labels of shape ${shapeStr(labels.shape)} do not match output ${shapeStr(output.shape)} (expected ${shapeStr(rows)})`);
  }
  if (labels.dtype !== 'int32') throw new Error(`stepMetrics: labels must be int32 class indices, got ${labels.dtype}`);
  const values = getKernel(K.StepMetrics)(kernelInput(K.StepMetrics, loss), kernelArg(K.StepMetrics, output), output.shape, labels.data as Int32Array);
  return new Tensor(values, [2]);
}
