/**
 * CPU reference kernels for reductions. Outputs are laid out as the keepdim shape (reduced dims have size 1);
 * the op reshapes when keepdim is false.
 */
import { allocateFloat, dtypeOf, sizeOf, stridesOf } from '../arrays';
import type { FloatArray, FloatDType, TypedArray } from '../arrays';

/**
 * Sum over `dims` (sorted, distinct, non-negative). Accumulates in float64, then stores in `dtype`, which keeps
 * float32 sums of large batches close to torch's (pairwise) results.
 */
export function sum(x: TypedArray, shape: readonly number[], dims: readonly number[], dtype: FloatDType): FloatArray {
  const outShape = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const n = sizeOf(outShape);
  const acc = new Float64Array(n);
  const nd = shape.length;
  if (x.length > 0) {
    const reducedLeading = dims.every((d, k) => d === k);
    const reducedTrailing = dims.every((d, k) => d === nd - dims.length + k);
    if (nd === 0) {
      acc[0] = x[0];
    } else if (dims.length > 0 && reducedLeading) {
      // Leading dims (a bias gradient over the batch): rows added in order, as the general walk adds them.
      for (let i = 0; i < x.length; ) for (let j = 0; j < n; j++, i++) acc[j] += x[i];
    } else if (dims.length > 0 && reducedTrailing) {
      // Trailing dims: each output sums one contiguous block, in order.
      const block = x.length / n;
      for (let o = 0, i = 0; o < n; o++) {
        let s = 0;
        for (let e = 0; e < block; e++, i++) s += x[i];
        acc[o] = s;
      }
    } else {
      // Walk x in order; `o` is the output index, whose strides are 0 along reduced dims.
      const outStrides = stridesOf(outShape).map((s, i) => (dims.includes(i) ? 0 : s));
      const counter = new Array<number>(nd).fill(0);
      let o = 0;
      for (let i = 0; i < x.length; i++) {
        acc[o] += x[i];
        for (let d = nd - 1; d >= 0; d--) {
          counter[d]++;
          o += outStrides[d];
          if (counter[d] < shape[d]) break;
          o -= outStrides[d] * shape[d];
          counter[d] = 0;
        }
      }
    }
  }
  const out = allocateFloat(dtype, n);
  out.set(acc);
  return out;
}

/**
 * Max over one dim: values and the index of the max along `dim`. Ties keep the first index; a NaN wins and the
 * first NaN is kept (torch.max propagates NaN).
 */
export function maxDim(x: TypedArray, shape: readonly number[], dim: number): { values: FloatArray; indices: Int32Array } {
  const outer = sizeOf(shape.slice(0, dim));
  const len = shape[dim];
  const inner = sizeOf(shape.slice(dim + 1));
  const values = allocateFloat(dtypeOf(x) === 'float64' ? 'float64' : 'float32', outer * inner);
  const indices = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = x[base];
      let bestIndex = 0;
      for (let k = 1; k < len; k++) {
        const v = x[base + k * inner];
        if (best === best && (v > best || v !== v)) {
          best = v;
          bestIndex = k;
        }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = bestIndex;
    }
  }
  return { values, indices };
}

/**
 * A training step's metrics as one array, [loss, correct]: the batch's loss (one value) and how many rows of
 * `logits` have their largest value along dim 1 at the row's label. The prediction is maxDim's (first index on
 * ties, a NaN wins), so this counts what argmax(logits, 1) == labels counts. One array, so that a device backend
 * hands a step's loss and accuracy back in a single read (a GPU step plan reads nothing else).
 */
export function stepMetrics(loss: TypedArray, logits: TypedArray, shape: readonly number[], labels: Int32Array): FloatArray {
  return metricsOf(loss, maxDim(logits, shape, 1).indices, labels);
}

/** [loss, correct] from the predicted classes, in the loss's float dtype (a count stays exact below 2^24). */
export function metricsOf(loss: TypedArray, predicted: Int32Array, labels: Int32Array): FloatArray {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  const out = allocateFloat(dtypeOf(loss) === 'float64' ? 'float64' : 'float32', 2);
  out[0] = loss[0];
  out[1] = hits;
  return out;
}
