// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Single-precision GEMM with SIMD: C[m,n] = op(A)·op(B), all row-major, op = identity or transpose.
 *
 *   not transA: A stored [m,k];  transA: A stored [k,m]   (transposed into scratch first)
 *   not transB: B stored [k,n];  transB: B stored [n,k]
 *
 * Method (the classic register-blocked GEMM): op(B) is packed into panels of 8 columns, each panel K×8
 * contiguous (zero past n), so the 4×8 micro-kernel streams one panel with two v128 loads per k while A's four
 * rows are broadcast one float at a time: 8 multiply-adds of 4 lanes for 6 loads, all 8 accumulators in
 * registers. Panels are the outer loop, so a panel (K·32 bytes, 25 KB at K=784) stays in L1 across all rows.
 * Packing costs k·n (plus m·k for transA) against m·n·k multiply-adds.
 *
 * When B is transposed and K is long (a Linear layer's x·Wᵀ with K = in features), packing would cost about as much
 * as the product, so those go to a dot-product kernel instead: C[i,j] = A[i,:]·B[j,:], both rows contiguous.
 *
 * Work is split by panels (jb0..jb1) so that threads can each take a range of columns.
 */
import { madd } from './blocks';

/**
 * With few rows (m ≤ 16: a Linear layer's weight gradient over few outputs) each panel is used by at most four
 * strips, so packing B would cost a pass over B for little reuse: full panels are then read in place (row stride
 * n), and only the last, partial one is packed.
 */
const UNPACKED_MAX_M: i32 = 16;

// @ts-ignore: decorator
@inline
function unpackedB(m: i32, transB: bool): bool {
  return !transB && m <= UNPACKED_MAX_M;
}

/** Below this K a transB product is packed (the dot kernel's per-entry overhead would dominate). */
const DOT_MIN_K: i32 = 256;

/** Bytes of scratch `gemm` needs for these sizes (JS allocates it). */
export function gemmScratchBytes(m: i32, n: i32, k: i32, transA: bool, transB: bool): i32 {
  if (transB && !transA && k >= DOT_MIN_K) return 0;
  const panels = unpackedB(m, transB) ? 1 : (n + 7) >> 3;
  const bBytes = panels * k * 32;
  const aBytes = transA ? ((m * k * 4 + 15) & ~15) : 0;
  return aBytes + bBytes;
}

export function gemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize): void {
  gemmPrepare(a, b, m, n, k, transA, transB, scratch);
  gemmPanels(a, b, c, m, n, k, transA, transB, scratch, 0, (n + 7) >> 3);
}

/**
 * Transposes A into scratch when transA: the part of gemm that threads must not repeat, since every range of panels
 * reads all of op(A). op(B)'s panels are packed by gemmPanels, each range its own, just before it uses them.
 */
export function gemmPrepare(a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize): void {
  if (m == 0 || n == 0 || k == 0) return;
  if (transB && !transA && k >= DOT_MIN_K) return;
  if (transA) transpose(a, k, m, scratch);
}

/**
 * C's columns of panels [jb0, jb1) (8 columns each); gemmPrepare must have run. Each panel of op(B) is packed
 * right before the kernel streams it, so it is still in L1 (K·32 bytes), and threads pack their panels side by
 * side instead of the caller packing all of them first.
 */
export function gemmPanels(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize, jb0: i32, jb1: i32,
): void {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (let i = 0; i < m; i++) {
      const j0 = jb0 << 3;
      const j1 = min(n, jb1 << 3);
      if (j1 > j0) memory.fill(c + ((<usize>(i * n + j0)) << 2), 0, <usize>(j1 - j0) << 2);
    }
    return;
  }
  if (transB && !transA && k >= DOT_MIN_K) {
    gemmDot(a, b, c, m, n, k, jb0 << 3, min(n, jb1 << 3));
    return;
  }
  let ap = a;
  let bp = scratch;
  if (transA) {
    ap = scratch;
    bp += (<usize>(m * k * 4) + 15) & ~15;
  }
  const unpacked = unpackedB(m, transB);
  const last = (n + 7) >> 3;
  for (let jb = jb0; jb < jb1; jb++) {
    if (!unpacked) {
      // Panel jb at its own place in scratch: ranges run by different threads never share one.
      packPanels(b, transB, k, n, bp + ((<usize>jb * <usize>k) << 5), jb, jb + 1);
    } else if (jb == last - 1 && (n & 7) != 0) {
      packPanels(b, transB, k, n, bp, jb, jb + 1); // the partial last panel, the only one packed
    }
    kernel4x8(ap, unpacked ? b : 0, bp, c, m, n, k, jb, jb + 1);
  }
}

/**
 * dst[cols, rows] = src[rows, cols]ᵀ: 4×4 blocks transposed in registers (transpose4x4), walked in 16×16
 * tiles so that reads and writes both stay in a few cache lines; scalar for the edges.
 */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rows4 = rows & ~3, cols4 = cols & ~3;
  const srcRow = <usize>cols << 2, dstRow = <usize>rows << 2;
  for (let r0 = 0; r0 < rows4; r0 += 16) {
    const r1 = min(rows4, r0 + 16);
    for (let c0 = 0; c0 < cols4; c0 += 16) {
      const c1 = min(cols4, c0 + 16);
      for (let r = r0; r < r1; r += 4) {
        for (let c = c0; c < c1; c += 4) {
          transpose4x4(src + (<usize>(r * cols + c) << 2), srcRow, dst + (<usize>(c * rows + r) << 2), dstRow);
        }
      }
    }
  }
  // Edges: the last cols mod 4 columns of every row, and the last rows mod 4 rows.
  for (let r = 0; r < rows; r++) {
    for (let q = r < rows4 ? cols4 : 0; q < cols; q++) {
      store<f32>(dst + (<usize>(q * rows + r) << 2), load<f32>(src + (<usize>(r * cols + q) << 2)));
    }
  }
}

/** Panels jb0..jb1 of op(B): bp[jb − jb0][p][0..8] = op(B)[p, 8·jb + c], zero where 8·jb + c >= n. */
function packPanels(b: usize, transB: bool, k: i32, n: i32, bp: usize, jb0: i32, jb1: i32): void {
  for (let jb = jb0; jb < jb1; jb++) {
    const j0 = jb << 3;
    const w = min(8, n - j0);
    let dst = bp + ((<usize>(jb - jb0) * <usize>k) << 5);
    if (!transB) {
      let src = b + (<usize>j0 << 2);
      const stride = <usize>n << 2;
      if (w == 8) {
        for (let p = 0; p < k; p++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += stride;
          dst += 32;
        }
      } else {
        for (let p = 0; p < k; p++) {
          for (let q = 0; q < 8; q++) store<f32>(dst + (<usize>q << 2), q < w ? load<f32>(src + (<usize>q << 2)) : 0);
          src += stride;
          dst += 32;
        }
      }
    } else {
      // op(B)[p, j] = B[j, p]: eight rows of B read side by side. A full panel takes four floats of each row
      // at a time and transposes them as two 4×4 blocks (rows 0–3 → columns 0–3 of four panel rows, rows 4–7 →
      // columns 4–7); the last k mod 4 floats, and a partial panel, one at a time.
      const src = b + ((<usize>j0 * <usize>k) << 2);
      const stride = <usize>k << 2;
      let p = 0;
      if (w == 8) {
        for (; p + 4 <= k; p += 4) {
          const col = src + (<usize>p << 2);
          transpose4x4(col, stride, dst, 32);
          transpose4x4(col + 4 * stride, stride, dst + 16, 32);
          dst += 128;
        }
      }
      for (; p < k; p++) {
        const col = src + (<usize>p << 2);
        for (let q = 0; q < 8; q++) store<f32>(dst + (<usize>q << 2), q < w ? load<f32>(col + <usize>q * stride) : 0);
        dst += 32;
      }
    }
  }
}

/**
 * A 4×4 block transposed in registers (eight shuffles): four floats from each of four rows at src (row stride
 * `srcRow` bytes) become four rows at dst (row stride `dstRow` bytes), dst row i = [row0[i], row1[i], row2[i], row3[i]].
 */
// @ts-ignore: decorator
@inline
function transpose4x4(src: usize, srcRow: usize, dst: usize, dstRow: usize): void {
  const x0 = v128.load(src), x1 = v128.load(src + srcRow), x2 = v128.load(src + 2 * srcRow), x3 = v128.load(src + 3 * srcRow);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstRow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstRow, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstRow, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline
function storeRow(pc: usize, v0: v128, v1: v128, w: i32): void {
  if (w == 8) {
    v128.store(pc, v0);
    v128.store(pc, v1, 16);
  } else if (w >= 4) {
    v128.store(pc, v0);
    storeLanes(pc + 16, v1, w - 4);
  } else {
    storeLanes(pc, v0, w);
  }
}

/**
 * The first `count` (0..3) lanes of v. Lane by lane, not through a static spill buffer: threads run GEMMs side by
 * side (conv-images.ts), and a shared buffer would mix their edges.
 */
// @ts-ignore: decorator
@inline
function storeLanes(pc: usize, v: v128, count: i32): void {
  if (count > 0) store<f32>(pc, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(pc, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(pc, f32x4.extract_lane(v, 2), 8);
}

/**
 * C[m,n] = A[m,k] · op(B), for panels jb0..jb1: 4×8 blocks, then 2×8 and 1×8 for m mod 4. Panels come packed
 * (bp, K×8 each) or, when `b` is not 0, full panels are read in place from B [k,n] and only the partial last one
 * from bp.
 */
function kernel4x8(a: usize, b: usize, bp: usize, c: usize, m: i32, n: i32, k: i32, jb0: i32, jb1: i32): void {
  const aRow = <usize>k << 2;
  const cRow = <usize>n << 2;
  const zero = f32x4.splat(0);
  for (let jb = jb0; jb < jb1; jb++) {
    const j0 = jb << 3;
    const w = min(8, n - j0);
    let panel: usize, step: usize;
    if (b == 0) {
      panel = bp + ((<usize>jb * <usize>k) << 5);
      step = 32;
    } else if (w == 8) {
      panel = b + (<usize>j0 << 2);
      step = cRow; // B's row stride is n floats, like C's
    } else {
      panel = bp;
      step = 32;
    }
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      let pa = a + <usize>i * aRow;
      let pb = panel;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let s = v128.load32_splat(pa);
        c00 = madd(s, b0, c00);
        c01 = madd(s, b1, c01);
        s = v128.load32_splat(pa + aRow);
        c10 = madd(s, b0, c10);
        c11 = madd(s, b1, c11);
        s = v128.load32_splat(pa + 2 * aRow);
        c20 = madd(s, b0, c20);
        c21 = madd(s, b1, c21);
        s = v128.load32_splat(pa + 3 * aRow);
        c30 = madd(s, b0, c30);
        c31 = madd(s, b1, c31);
        pa += 4;
        pb += step;
      }
      const pc = c + <usize>i * cRow + (<usize>j0 << 2);
      storeRow(pc, c00, c01, w);
      storeRow(pc + cRow, c10, c11, w);
      storeRow(pc + 2 * cRow, c20, c21, w);
      storeRow(pc + 3 * cRow, c30, c31, w);
    }
    if (i + 2 <= m) {
      // Two leftover rows share each panel load (6 or 10 rows end this way).
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
      let pa = a + <usize>i * aRow;
      let pb = panel;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let s = v128.load32_splat(pa);
        c00 = madd(s, b0, c00);
        c01 = madd(s, b1, c01);
        s = v128.load32_splat(pa + aRow);
        c10 = madd(s, b0, c10);
        c11 = madd(s, b1, c11);
        pa += 4;
        pb += step;
      }
      const pc = c + <usize>i * cRow + (<usize>j0 << 2);
      storeRow(pc, c00, c01, w);
      storeRow(pc + cRow, c10, c11, w);
      i += 2;
    }
    for (; i < m; i++) {
      let c0 = zero, c1 = zero;
      let pa = a + <usize>i * aRow;
      let pb = panel;
      for (let p = 0; p < k; p++) {
        const s = v128.load32_splat(pa);
        c0 = madd(s, v128.load(pb), c0);
        c1 = madd(s, v128.load(pb, 16), c1);
        pa += 4;
        pb += step;
      }
      storeRow(c + <usize>i * cRow + (<usize>j0 << 2), c0, c1, w);
    }
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Σ_p x[p]·y[p] over k floats, four lanes at a time. */
function dot(x: usize, y: usize, k: i32): f32 {
  let acc = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const o = <usize>p << 2;
    acc = madd(v128.load(x + o), v128.load(y + o), acc);
  }
  let s = hsum(acc);
  for (; p < k; p++) s += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  return s;
}

/**
 * C[i,j] = A[i,:]·B[j,:] (A [m,k], B [n,k]) for columns j0..j1: 2×4 blocks of dot products. A last block of 1-3
 * columns runs as a full one over its last column repeated, storing only its own columns: one dot at a time, as it
 * was, re-read both rows of A per column, and made a 10-class layer's 64×784·(10×784)ᵀ slower than a 16-class one.
 */
function gemmDot(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, j0: i32, j1: i32): void {
  const row = <usize>k << 2;
  const k4 = k & ~3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * row;
    const a1 = a0 + row;
    for (let j = j0; j < j1; j += 4) {
      const last = j1 - 1;
      const b0 = b + <usize>j * row;
      const b1 = b + <usize>min(j + 1, last) * row, b2 = b + <usize>min(j + 2, last) * row, b3 = b + <usize>min(j + 3, last) * row;
      let s00 = f32x4.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (let p = 0; p < k4; p += 4) {
        const o = <usize>p << 2;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = madd(x0, y, s00);
        s10 = madd(x1, y, s10);
        y = v128.load(b1 + o);
        s01 = madd(x0, y, s01);
        s11 = madd(x1, y, s11);
        y = v128.load(b2 + o);
        s02 = madd(x0, y, s02);
        s12 = madd(x1, y, s12);
        y = v128.load(b3 + o);
        s03 = madd(x0, y, s03);
        s13 = madd(x1, y, s13);
      }
      let r00 = hsum(s00), r01 = hsum(s01), r02 = hsum(s02), r03 = hsum(s03);
      let r10 = hsum(s10), r11 = hsum(s11), r12 = hsum(s12), r13 = hsum(s13);
      for (let p = k4; p < k; p++) {
        const o = <usize>p << 2;
        const x0 = load<f32>(a0 + o), x1 = load<f32>(a1 + o);
        const y0 = load<f32>(b0 + o), y1 = load<f32>(b1 + o), y2 = load<f32>(b2 + o), y3 = load<f32>(b3 + o);
        r00 += x0 * y0; r01 += x0 * y1; r02 += x0 * y2; r03 += x0 * y3;
        r10 += x1 * y0; r11 += x1 * y1; r12 += x1 * y2; r13 += x1 * y3;
      }
      const pc = c + (<usize>(i * n + j) << 2);
      const pc1 = pc + (<usize>n << 2);
      const width = min(4, j1 - j);
      store<f32>(pc, r00); store<f32>(pc1, r10);
      if (width > 1) { store<f32>(pc, r01, 4); store<f32>(pc1, r11, 4); }
      if (width > 2) { store<f32>(pc, r02, 8); store<f32>(pc1, r12, 8); }
      if (width > 3) { store<f32>(pc, r03, 12); store<f32>(pc1, r13, 12); }
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * row;
    for (let j = j0; j < j1; j++) store<f32>(c + (<usize>(i * n + j) << 2), dot(ai, b + <usize>j * row, k));
  }
}
