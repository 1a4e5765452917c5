// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Convolution helpers around the GEMM (engine/backend/cpu/conv.ts has the math). One batched patch matrix for the
 * whole batch, so each conv is one large GEMM instead of N small ones:
 *
 *   col[r, n·P + l]  r = (c, i, j) over C·kh·kw,  l = (oy, ox) over P = oh·ow
 *   y' [O, N·P] = W [O, C·kh·kw] · col          forward, then y[n, o, l] = y'[o, n·P + l] + bias[o]
 *   dW = dy' · colᵀ,  dcol = Wᵀ · dy'           backward, dy' [O, N·P] being dy regrouped; col2im scatters dcol
 *
 * Geometry arrives as one i32 block (see GEO_* below), written by the TS side, to keep the signatures short.
 */

// Offsets (in i32s) into the geometry block.
const BATCH = 0, CH = 1, H = 2, W = 3, KH = 4, KW = 5, OH = 6, OW = 7;
const SH = 8, SW = 9, PT = 10, PL = 11, DH = 12, DW = 13;

// @ts-ignore: decorator
@inline
function geo(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}

/** Fills col [C·kh·kw, N·P] from x [N, C, H, W] (zeros where a window hits padding). */
export function im2col(x: usize, col: usize, g: usize): void {
  im2colRows(x, col, g, 0, geo(g, CH) * geo(g, KH) * geo(g, KW));
}

/** im2col's rows r0..r1 only (row = (c·kh + i)·kw + j): rows are independent, so threads can split them. */
export function im2colRows(x: usize, col: usize, g: usize, r0: i32, r1: i32): void {
  const batch = geo(g, BATCH), ch = geo(g, CH), h = geo(g, H), w = geo(g, W), kh = geo(g, KH), kw = geo(g, KW);
  const oh = geo(g, OH), ow = geo(g, OW), sh = geo(g, SH), sw = geo(g, SW), pt = geo(g, PT), pl = geo(g, PL);
  const dh = geo(g, DH), dw = geo(g, DW);
  const positions = oh * ow;
  const cols = batch * positions;
  for (let row = r0; row < r1; row++) {
    const c = row / (kh * kw), i = (row / kw) % kh, j = row % kw;
    // Output columns ox whose input column ix = ox·sw − pl + j·dw lies in [0, w): ox in [lo, hi).
    const off = j * dw - pl;
    let lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
    let hi = w - off <= 0 ? 0 : (w - off + sw - 1) / sw;
    if (hi > ow) hi = ow;
    if (lo > hi) lo = hi;
    for (let n = 0; n < batch; n++) {
      const plane = x + (<usize>((n * ch + c) * h * w) << 2);
      let dst = col + (<usize>(row * cols + n * positions) << 2);
      for (let oy = 0; oy < oh; oy++) {
        const iy = oy * sh - pt + i * dh;
        // Plain loops, not memory.copy/fill: rows are short (7 to 28 floats) and each bulk-memory call
        // costs more than the copy itself at that length.
        if (iy < 0 || iy >= h) {
          zero(dst, 0, ow);
        } else {
          const src = plane + (<usize>(iy * w + off) << 2);
          zero(dst, 0, lo);
          if (sw == 1) {
            let ox = lo;
            for (; ox + 4 <= hi; ox += 4) v128.store(dst + (<usize>ox << 2), v128.load(src + (<usize>ox << 2)));
            for (; ox < hi; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>ox << 2)));
          } else {
            for (let ox = lo; ox < hi; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>(ox * sw) << 2)));
          }
          zero(dst, hi, ow);
        }
        dst += <usize>ow << 2;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function zero(dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** dx [N, C, H, W] += the adjoint of im2col applied to dcol [C·kh·kw, N·P]. */
export function col2im(dcol: usize, dx: usize, g: usize): void {
  col2imChannels(dcol, dx, g, 0, geo(g, CH));
}

/**
 * col2im for input channels c0..c1 only: a channel's rows add into that channel's planes alone, in the same order
 * whichever thread runs it, so threads can split channels and the sums stay bit-identical.
 */
export function col2imChannels(dcol: usize, dx: usize, g: usize, c0: i32, c1: i32): void {
  const batch = geo(g, BATCH), ch = geo(g, CH), h = geo(g, H), w = geo(g, W), kh = geo(g, KH), kw = geo(g, KW);
  const oh = geo(g, OH), ow = geo(g, OW), sh = geo(g, SH), sw = geo(g, SW), pt = geo(g, PT), pl = geo(g, PL);
  const dh = geo(g, DH), dw = geo(g, DW);
  const positions = oh * ow;
  const cols = batch * positions;
  let row = c0 * kh * kw;
  for (let c = c0; c < c1; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const off = j * dw - pl;
        let lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
        let hi = w - off <= 0 ? 0 : (w - off + sw - 1) / sw;
        if (hi > ow) hi = ow;
        if (lo > hi) lo = hi;
        for (let n = 0; n < batch; n++) {
          const plane = dx + (<usize>((n * ch + c) * h * w) << 2);
          let src = dcol + (<usize>(row * cols + n * positions) << 2);
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - pt + i * dh;
            if (iy >= 0 && iy < h) {
              const dst = plane + (<usize>(iy * w + off) << 2);
              if (sw == 1) {
                let ox = lo;
                for (; ox + 4 <= hi; ox += 4) {
                  const o = <usize>ox << 2;
                  v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
                }
                for (; ox < hi; ox++) {
                  const o = <usize>ox << 2;
                  store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
                }
              } else {
                for (let ox = lo; ox < hi; ox++) {
                  const d = dst + (<usize>(ox * sw) << 2);
                  store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
                }
              }
            }
            src += <usize>ow << 2;
          }
        }
      }
    }
  }
}

/** y[n, o, l] = t[o, n·P + l] + (bias ? bias[o] : 0), the conv output in NCHW. */
export function scatterOutput(t: usize, y: usize, bias: usize, outCh: i32, batch: i32, positions: i32): void {
  const cols = batch * positions;
  for (let o = 0; o < outCh; o++) {
    const bv = bias ? load<f32>(bias + (<usize>o << 2)) : <f32>0;
    const b4 = f32x4.splat(bv);
    for (let n = 0; n < batch; n++) {
      const src = t + (<usize>(o * cols + n * positions) << 2);
      const dst = y + (<usize>((n * outCh + o) * positions) << 2);
      let l = 0;
      for (; l + 4 <= positions; l += 4) {
        const q = <usize>l << 2;
        v128.store(dst + q, f32x4.add(v128.load(src + q), b4));
      }
      for (; l < positions; l++) store<f32>(dst + (<usize>l << 2), load<f32>(src + (<usize>l << 2)) + bv);
    }
  }
}

/** dy'[o, n·P + l] = dy[n, o, l]. */
export function gatherGrad(dy: usize, t: usize, outCh: i32, batch: i32, positions: i32): void {
  const cols = batch * positions;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outCh; o++) {
      memory.copy(
        t + (<usize>(o * cols + n * positions) << 2),
        dy + (<usize>((n * outCh + o) * positions) << 2),
        <usize>positions << 2,
      );
    }
  }
}
