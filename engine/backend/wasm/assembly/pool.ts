// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Max pooling, forward and backward, with the CPU kernel's exact semantics (engine/backend/cpu/pool.ts): padding
 * counts as −∞, ties keep the first max in row-major order, a NaN in the window wins, and `indices` holds the
 * flat index iy·W + ix of the chosen cell within its plane. Average pooling (at the end) gives that kernel's bits.
 */

import { field } from './blocks';

const KH = 0, KW = 1, SH = 2, SW = 3, PH = 4, PW = 5, DH = 6, DW = 7, IN_H = 8, IN_W = 9, OUT_H = 10, OUT_W = 11;

export function maxPool2d(x: usize, y: usize, indices: usize, planes: i32, g: usize): void {
  const kh = field(g, KH), kw = field(g, KW), sh = field(g, SH), sw = field(g, SW), ph = field(g, PH), pw = field(g, PW);
  const dh = field(g, DH), dw = field(g, DW), inH = field(g, IN_H), inW = field(g, IN_W), outH = field(g, OUT_H), outW = field(g, OUT_W);
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 && 2 * outH <= inH && 2 * outW <= inW) {
    maxPool2x2(x, y, indices, planes, inH, inW, outH, outW);
    return;
  }
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * inH * inW) << 2);
    for (let oy = 0; oy < outH; oy++) {
      let y0 = oy * sh - ph;
      const y1 = min(y0 + (kh - 1) * dh + 1, inH);
      while (y0 < 0) y0 += dh;
      for (let ox = 0; ox < outW; ox++, out++) {
        let x0 = ox * sw - pw;
        const x1 = min(x0 + (kw - 1) * dw + 1, inW);
        while (x0 < 0) x0 += dw;
        let best: f32 = -Infinity;
        let bestIndex = y0 * inW + x0;
        for (let iy = y0; iy < y1; iy += dh) {
          for (let ix = x0; ix < x1; ix += dw) {
            const index = iy * inW + ix;
            const v = load<f32>(plane + (<usize>index << 2));
            // select (a conditional move), not a branch: on real data the comparison is a coin toss, and
            // mispredicted branches made this as slow as the JS kernel.
            const better = (v > best) | (v != v);
            best = select<f32>(v, best, better);
            bestIndex = select<i32>(index, bestIndex, better);
          }
        }
        store<f32>(y + (out << 2), best);
        store<i32>(indices + (out << 2), bestIndex);
      }
    }
  }
}

/** dx (zeroed by the caller) [planes, inH·inW] += dy routed through indices. */
export function maxPool2dBackward(dy: usize, indices: usize, dx: usize, planes: i32, perPlane: i32, planeSize: i32): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * planeSize) << 2);
    for (let i = 0; i < perPlane; i++, o++) {
      const d = plane + (<usize>load<i32>(indices + (o << 2)) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(dy + (o << 2)));
    }
  }
}

/**
 * The common 2×2, stride 2 pooling (every window inside the input), four outputs at a time: the even and odd
 * columns of two input rows are split apart by shuffles, and the running max and its index are kept with
 * compare-and-select in the CPU kernel's order ((0,0), (0,1), (1,0), (1,1); later NaNs replace earlier ones).
 * A row's last block is moved back to end at outW, overlapping the one before with the same values, rather than
 * leaving a scalar tail (which took as long as the vector part at outW = 14).
 */
function maxPool2x2(x: usize, y: usize, indices: usize, planes: i32, inH: i32, inW: i32, outH: i32, outW: i32): void {
  if (planes <= 0 || outH <= 0 || outW <= 0) return;
  let out: usize = 0;
  if (outW < 4) {
    for (let p = 0; p < planes; p++) {
      const plane = x + (<usize>(p * inH * inW) << 2);
      for (let oy = 0; oy < outH; oy++, out += <usize>outW) {
        for (let ox = 0; ox < outW; ox++) pool2x2One(plane, 2 * oy * inW, inW, ox, y, indices, out);
      }
    }
    return;
  }
  // Do-whiles, not for loops: V8 moves pool2x2Four's splats and constants out of a loop only when the loop's body
  // dominates its exit, which a test at the top prevents (see ./optim.ts's adam). As for loops, they were built
  // again for every four outputs.
  let p = 0;
  do {
    const plane = x + (<usize>(p * inH * inW) << 2);
    let oy = 0;
    do {
      const row = 2 * oy * inW;
      let block = 0;
      do {
        pool2x2Four(plane, row, inW, min(block, outW - 4), y, indices, out);
        block += 4;
      } while (block < outW);
      out += <usize>outW;
    } while (++oy < outH);
  } while (++p < planes);
}

/** Outputs ox..ox+3 of the output row starting at `out` (input rows `row` and `row` + inW). */
// @ts-ignore: decorator
@inline
function pool2x2Four(plane: usize, row: i32, inW: i32, ox: i32, y: usize, indices: usize, out: usize): void {
  const r0 = plane + (<usize>(row + 2 * ox) << 2);
  const r1 = r0 + (<usize>inW << 2);
  const a0 = v128.load(r0), a1 = v128.load(r0, 16);
  const b0 = v128.load(r1), b1 = v128.load(r1, 16);
  const base = i32x4.add(i32x4.splat(row + 2 * ox), i32x4(0, 2, 4, 6));
  let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
  let index = base;
  let c = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  let m = v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
  best = v128.bitselect(c, best, m);
  index = v128.bitselect(i32x4.add(base, i32x4.splat(1)), index, m);
  c = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  m = v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
  best = v128.bitselect(c, best, m);
  index = v128.bitselect(i32x4.add(base, i32x4.splat(inW)), index, m);
  c = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  m = v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
  best = v128.bitselect(c, best, m);
  index = v128.bitselect(i32x4.add(base, i32x4.splat(inW + 1)), index, m);
  const at = (out + <usize>ox) << 2;
  v128.store(y + at, best);
  v128.store(indices + at, index);
}

/** Output ox alone (rows narrower than four outputs). */
function pool2x2One(plane: usize, row: i32, inW: i32, ox: i32, y: usize, indices: usize, out: usize): void {
  let best: f32 = -Infinity;
  let bestIndex = row + 2 * ox;
  for (let dy = 0; dy < 2; dy++) {
    for (let dx = 0; dx < 2; dx++) {
      const index = row + dy * inW + 2 * ox + dx;
      const v = load<f32>(plane + (<usize>index << 2));
      const better = (v > best) | (v != v);
      best = select<f32>(v, best, better);
      bestIndex = select<i32>(index, bestIndex, better);
    }
  }
  const at = (out + <usize>ox) << 2;
  store<f32>(y + at, best);
  store<i32>(indices + at, bestIndex);
}

/**
 * maxPool2d / maxPool2dBackward over planes p0..p1 only, their arguments in a parameter block ([x, y, indices,
 * geometry] / [dy, indices, dx, perPlane, planeSize]): threads share the planes (each plane is read and written
 * by its own range alone).
 */
export function maxPoolRange(pb: usize, p0: i32, p1: i32, chunk: i32, thread: i32): void {
  const g = <usize>load<i32>(pb, 12);
  const inPlane = field(g, IN_H) * field(g, IN_W), outPlane = field(g, OUT_H) * field(g, OUT_W);
  maxPool2d(
    <usize>load<i32>(pb) + (<usize>(p0 * inPlane) << 2), <usize>load<i32>(pb, 4) + (<usize>(p0 * outPlane) << 2),
    <usize>load<i32>(pb, 8) + (<usize>(p0 * outPlane) << 2), p1 - p0, g,
  );
}

export function maxPoolBackwardRange(pb: usize, p0: i32, p1: i32, chunk: i32, thread: i32): void {
  const perPlane = load<i32>(pb, 12), planeSize = load<i32>(pb, 16);
  maxPool2dBackward(
    <usize>load<i32>(pb) + (<usize>(p0 * perPlane) << 2), <usize>load<i32>(pb, 4) + (<usize>(p0 * perPlane) << 2),
    <usize>load<i32>(pb, 8) + (<usize>(p0 * planeSize) << 2), p1 - p0, perPlane, planeSize,
  );
}

// Average pooling's geometry block: the max-pool's first six fields, then these.
const A_IN_H = 6, A_IN_W = 7, A_OUT_H = 8, A_OUT_W = 9, A_INCLUDE_PAD = 10, A_DIVISOR = 11;

/**
 * One output's window (rows y0..y1, columns x0..x1 inside the input) and divisor, as the CPU kernel's avgWindow:
 * the window is cut at the padded input's edge (ceil mode's last window), its divisor the padded window's size, or
 * the cells inside the input without countIncludePad, or divisorOverride (A_DIVISOR, 0: none). Returns the divisor
 * and writes the bounds into `win` (4 i32s).
 */
// @ts-ignore: decorator
@inline
function avgWindow(oy: i32, ox: i32, g: usize, win: usize): f64 {
  const kh = field(g, KH), kw = field(g, KW), ph = field(g, PH), pw = field(g, PW);
  const inH = field(g, A_IN_H), inW = field(g, A_IN_W);
  let y0 = oy * field(g, SH) - ph, x0 = ox * field(g, SW) - pw;
  let y1 = min(y0 + kh, inH + ph), x1 = min(x0 + kw, inW + pw);
  const paddedSize = (y1 - y0) * (x1 - x0);
  y0 = max(y0, 0);
  x0 = max(x0, 0);
  y1 = min(y1, inH);
  x1 = min(x1, inW);
  store<i32>(win, y0);
  store<i32>(win, y1, 4);
  store<i32>(win, x0, 8);
  store<i32>(win, x1, 12);
  const divisor = field(g, A_DIVISOR);
  if (divisor != 0) return <f64>divisor;
  return <f64>(field(g, A_INCLUDE_PAD) != 0 ? paddedSize : (y1 - y0) * (x1 - x0));
}

/**
 * Average pooling of `planes` planes with the CPU kernel's windows and order (engine/backend/cpu/pool.ts): each
 * window summed row by row in f64, as its JS numbers are, then divided, so the results are its bits. `win` is 16
 * bytes of scratch. (Mnist_CNN's last layer: on the CPU kernel it also cost a download of its input and an upload
 * of its gradient every step.)
 */
export function avgPool2d(x: usize, y: usize, planes: i32, g: usize, win: usize): void {
  const inH = field(g, A_IN_H), inW = field(g, A_IN_W), outH = field(g, A_OUT_H), outW = field(g, A_OUT_W);
  let out = y;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * inH * inW) << 2);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, out += 4) {
        const divisor = avgWindow(oy, ox, g, win);
        const y0 = load<i32>(win), y1 = load<i32>(win, 4), x0 = load<i32>(win, 8), x1 = load<i32>(win, 12);
        if (y0 >= y1 || x0 >= x1) {
          store<f32>(out, 0); // a window entirely in padding: 0, as torch
          continue;
        }
        let sum: f64 = 0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) sum += <f64>load<f32>(plane + (<usize>(iy * inW + ix) << 2));
        }
        store<f32>(out, <f32>(sum / divisor));
      }
    }
  }
}

/** dx (zeroed here) += each output gradient spread evenly over its window's cells: the CPU kernel's f64 shares. */
export function avgPool2dBackward(dy: usize, dx: usize, planes: i32, g: usize, win: usize): void {
  const inH = field(g, A_IN_H), inW = field(g, A_IN_W), outH = field(g, A_OUT_H), outW = field(g, A_OUT_W);
  memory.fill(dx, 0, <usize>(planes * inH * inW) << 2);
  let from = dy;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * inH * inW) << 2);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, from += 4) {
        const share = <f64>load<f32>(from) / avgWindow(oy, ox, g, win);
        const y0 = load<i32>(win), y1 = load<i32>(win, 4), x0 = load<i32>(win, 8), x1 = load<i32>(win, 12);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const at = plane + (<usize>(iy * inW + ix) << 2);
            store<f32>(at, <f32>(<f64>load<f32>(at) + share));
          }
        }
      }
    }
  }
}
