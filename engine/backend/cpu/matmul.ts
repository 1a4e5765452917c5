/**
 * CPU reference kernel for (batched) matrix multiplication.
 *
 * C[b] = op(A[b]) · op(B[b]) with op = identity or transpose, for b over the (already broadcast) batch. Each batch
 * entry names the offset of its A and B matrices, so broadcast batch dims cost nothing (offsets repeat) and the
 * backward pass (dA = dC·Bᵀ, dB = Aᵀ·dC) needs no transposed copies.
 *
 * Loops are ordered so the innermost one runs over contiguous memory:
 *   plain   C[i,:] += A[i,p] * B[p,:]      (i-p-j)
 *   transA  C[i,:] += A[p,i] * B[p,:]      (p-i-j; A stored [k,m])
 *   transB  C[i,j]  = A[i,:] · B[j,:]      (dot products; B stored [n,k])
 */
import { allocateFloat } from '../arrays';
import type { FloatArray, FloatDType, TypedArray } from '../arrays';

export interface MatmulAttrs {
  /** Rows of op(A) and C. */
  m: number;
  /** Inner dimension. */
  k: number;
  /** Columns of op(B) and C. */
  n: number;
  /** Element offset of A's (resp. B's) matrix for each batch entry; their common length is the batch size. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
  transA?: boolean;
  transB?: boolean;
  dtype: FloatDType;
}

export function matmul(a: TypedArray, b: TypedArray, attrs: MatmulAttrs): FloatArray {
  const { m, k, n, aOffsets, bOffsets, transA = false, transB = false } = attrs;
  const batch = aOffsets.length;
  const c = allocateFloat(attrs.dtype, batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    const ao = aOffsets[bi];
    const bo = bOffsets[bi];
    const co = bi * m * n;
    if (transB) {
      // A [m,k] (or [k,m] if transA), B [n,k].
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          const bRow = bo + j * k;
          if (transA) for (let p = 0; p < k; p++) s += a[ao + p * m + i] * b[bRow + p];
          else {
            const aRow = ao + i * k;
            for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
          }
          c[co + i * n + j] = s;
        }
      }
    } else if (transA) {
      // A [k,m], B [k,n].
      for (let p = 0; p < k; p++) {
        const bRow = bo + p * n;
        for (let i = 0; i < m; i++) {
          const av = a[ao + p * m + i];
          const cRow = co + i * n;
          for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
        }
      }
    } else {
      // A [m,k], B [k,n].
      for (let i = 0; i < m; i++) {
        const cRow = co + i * n;
        const aRow = ao + i * k;
        for (let p = 0; p < k; p++) {
          const av = a[aRow + p];
          const bRow = bo + p * n;
          for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
        }
      }
    }
  }
  return c;
}
