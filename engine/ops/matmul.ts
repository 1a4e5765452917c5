/**
 * matmul, with torch.matmul's cases:
 *   1-D · 1-D      dot product → 0-d
 *   2-D · 2-D      [m,k]·[k,n] → [m,n]
 *   1-D · N-D      the vector is treated as [1,k], and the 1 removed afterwards
 *   N-D · 1-D      the vector is treated as [k,1], and the 1 removed afterwards
 *   N-D · N-D      batched over the leading dims, which broadcast: [B,1,m,k]·[C,k,n] → [B,C,m,n]
 * Gradients (per batch entry, then summed over broadcast batch dims):  dA = g·Bᵀ,  dB = Aᵀ·g.
 * The 1-D cases are reshapes around the batched core, so their gradients come from reshape's.
 */
import { shapeStr, sizeOf } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { broadcastIndex } from '../backend/cpu/elementwise';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { reshape } from './shape';
import { broadcastShapes, floatDType, kernelInput, sumToShape } from './util';

function offsets(batchShape: readonly number[], outBatch: readonly number[], matrixSize: number): Int32Array {
  const index = broadcastIndex(batchShape, outBatch);
  for (let i = 0; i < index.length; i++) index[i] *= matrixSize;
  return index;
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  const misaligned = () => new Error(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not align`);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dim, got shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  if (a2.shape[a2.ndim - 1] !== b2.shape[b2.ndim - 2]) throw misaligned();
  let out = batchedMatmul(a2, b2, misaligned);
  if (a.ndim === 1 || b.ndim === 1) {
    const shape = [...out.shape];
    if (b.ndim === 1) shape.splice(shape.length - 1, 1);
    if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
    out = reshape(out, shape);
  }
  return out;
}

/** [...batchA, m, k] · [...batchB, k, n] → [...broadcast(batchA, batchB), m, n]. */
function batchedMatmul(a: Tensor, b: Tensor, misaligned: () => Error): Tensor {
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const n = b.shape[b.ndim - 1];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', aBatch, bBatch);
  } catch {
    throw misaligned();
  }
  const dtype = floatDType(a.dtype, b.dtype);
  const aOffsets = offsets(aBatch, batch, m * k);
  const bOffsets = offsets(bBatch, batch, k * n);
  const kernel = getKernel(K.Matmul);
  const data = kernel(kernelInput(K.Matmul, a), kernelInput(K.Matmul, b), { m, k, n, aOffsets, bOffsets, dtype });
  const out = new Tensor(data, [...batch, m, n]);
  return recordOp(out, 'matmul', [a, b], (g) => {
    const gOffsets = offsets(batch, batch, m * n);
    const gd = kernelInput(K.Matmul, g);
    const gradDType = floatDType(g.dtype, dtype);
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (a.requiresGrad) {
      // dA = g · Bᵀ : [m,n]·[n,k], with B stored [k,n] read transposed.
      const d = kernel(gd, kernelInput(K.Matmul, b), { m, k: n, n: k, aOffsets: gOffsets, bOffsets, transB: true, dtype: gradDType });
      da = sumToShape(new Tensor(d, [...batch, m, k]), a.shape);
    }
    if (b.requiresGrad) {
      // dB = Aᵀ · g : [k,m]·[m,n], with A stored [m,k] read transposed.
      const d = kernel(kernelInput(K.Matmul, a), gd, { m: k, k: m, n, aOffsets, bOffsets: gOffsets, transA: true, dtype: gradDType });
      db = sumToShape(new Tensor(d, [...batch, k, n]), b.shape);
    }
    return [da, db];
  });
}

/** The number of multiply-adds of matmul(a, b) (for benchmarks and the UI's cost estimates). */
export function matmulFlops(aShape: readonly number[], bShape: readonly number[]): number {
  const m = aShape.length > 1 ? aShape[aShape.length - 2] : 1;
  const k = aShape[aShape.length - 1];
  const n = bShape.length > 1 ? bShape[bShape.length - 1] : 1;
  const batch = Math.max(sizeOf(aShape.slice(0, -2)), sizeOf(bShape.slice(0, -2)));
  return batch * m * k * n;
}
