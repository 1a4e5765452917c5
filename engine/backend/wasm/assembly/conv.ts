// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * The patch-matrix side of a conv's input gradient (./conv-images.ts runs it per group of images):
 *
 *   col[r, n·P + l]  r = (c, i, j) over C·kh·kw,  l = (oy, ox) over P = oh·ow
 *   dcol = Wᵀ · dy'   (dy' [O, N·P] being dy regrouped by gatherGrad), then col2im scatters dcol into dx
 *
 * The forward and the weight gradient read the input in place instead (./conv-implicit.ts). Geometry arrives as
 * one i32 block (see the offsets below), written by the TS side, to keep the signatures short.
 */

import { field } from './blocks';

// Offsets (in i32s) into the geometry block.
const BATCH = 0, CH = 1, H = 2, W = 3, KH = 4, KW = 5, OH = 6, OW = 7;
const SH = 8, SW = 9, PT = 10, PL = 11, DH = 12, DW = 13;

/** dx [N, C, H, W] += the adjoint of im2col applied to dcol [C·kh·kw, N·P]. */
export function col2im(dcol: usize, dx: usize, g: usize): void {
  col2imChannels(dcol, dx, g, 0, field(g, CH));
}

/**
 * col2im for input channels c0..c1 only: a channel's rows add into that channel's planes alone, in the same order
 * whichever thread runs it, so threads can split channels and the sums stay bit-identical.
 */
export function col2imChannels(dcol: usize, dx: usize, g: usize, c0: i32, c1: i32): void {
  const batch = field(g, BATCH), ch = field(g, CH), h = field(g, H), w = field(g, W), kh = field(g, KH), kw = field(g, KW);
  const oh = field(g, OH), ow = field(g, OW), sh = field(g, SH), sw = field(g, SW), pt = field(g, PT), pl = field(g, PL);
  const dh = field(g, DH), dw = field(g, DW);
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
