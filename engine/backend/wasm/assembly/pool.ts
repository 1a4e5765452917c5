// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Max pooling, forward and backward, with the CPU kernel's exact semantics (engine/backend/cpu/pool.ts): padding
 * counts as −∞, ties keep the first max in row-major order, a NaN in the window wins, and `indices` holds the
 * flat index iy·W + ix of the chosen cell within its plane.
 */

const KH = 0, KW = 1, SH = 2, SW = 3, PH = 4, PW = 5, DH = 6, DW = 7, IN_H = 8, IN_W = 9, OUT_H = 10, OUT_W = 11;

// @ts-ignore: decorator
@inline
function geo(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}

export function maxPool2d(x: usize, y: usize, indices: usize, planes: i32, g: usize): void {
  const kh = geo(g, KH), kw = geo(g, KW), sh = geo(g, SH), sw = geo(g, SW), ph = geo(g, PH), pw = geo(g, PW);
  const dh = geo(g, DH), dw = geo(g, DW), inH = geo(g, IN_H), inW = geo(g, IN_W), outH = geo(g, OUT_H), outW = geo(g, OUT_W);
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
            if (v > best || v != v) {
              best = v;
              bestIndex = index;
            }
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
