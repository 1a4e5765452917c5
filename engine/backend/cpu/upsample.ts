/**
 * CPU reference kernels for 2-D upsampling (torch.nn.Upsample / F.interpolate on NCHW), forward and backward.
 *
 * Each output row oy reads input rows through a source coordinate, as ATen's UpSample.h computes it:
 * - the ratio r = 1 / scale_factor when one was given, else H / H_out; with align_corners, (H − 1) / (H_out − 1);
 * - nearest: iy = min(floor(oy · r), H − 1);
 * - bilinear: s = r · oy (align_corners) or max(0, r · (oy + 0.5) − 0.5); iy0 = floor(s), iy1 = min(iy0 + 1, H − 1),
 *   weights 1 − (s − iy0) and s − iy0; columns likewise, the output the weighted sum of the four taps.
 * The arithmetic runs in the array's precision (float32 rounds every step, as ATen's float opmath does), so a
 * fractional scale picks the same source pixels as PyTorch. The backward scatters g along the same taps and weights.
 */
import { type FloatArray, allocateLike } from '../arrays';

export type UpsampleMode = 'nearest' | 'bilinear';

export interface Upsample2dAttrs {
  mode: UpsampleMode;
  outH: number;
  outW: number;
  /** The scale_factor given for each dim, or null when the size was given. */
  scaleH: number | null;
  scaleW: number | null;
  alignCorners: boolean;
}

/** One axis's taps: for each output index, two input indices and their weights (nearest: one tap of weight 1). */
interface Taps { i0: Int32Array; i1: Int32Array; w0: Float64Array; w1: Float64Array }

function axisTaps(inSize: number, outSize: number, scale: number | null, attrs: Upsample2dAttrs, f32: boolean): Taps {
  const r = f32 ? Math.fround : (v: number) => v;
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), w0 = new Float64Array(outSize), w1 = new Float64Array(outSize);
  if (attrs.mode === 'nearest') {
    const ratio = scale !== null && scale > 0 ? r(1 / scale) : r(inSize / outSize);
    for (let o = 0; o < outSize; o++) {
      i0[o] = i1[o] = Math.min(Math.floor(r(o * ratio)), inSize - 1);
      w0[o] = 1;
    }
    return { i0, i1, w0, w1 };
  }
  const ratio = attrs.alignCorners
    ? (outSize > 1 ? r((inSize - 1) / (outSize - 1)) : 0)
    : scale !== null && scale > 0 ? r(1 / scale) : r(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    const src = attrs.alignCorners ? r(ratio * o) : Math.max(0, r(r(ratio * r(o + 0.5)) - 0.5));
    const lo = Math.floor(src);
    const lambda = r(src - lo);
    i0[o] = lo;
    i1[o] = lo < inSize - 1 ? lo + 1 : lo;
    w0[o] = r(1 - lambda);
    w1[o] = lambda;
  }
  return { i0, i1, w0, w1 };
}

function geometry(xShape: readonly number[], attrs: Upsample2dAttrs, f32: boolean) {
  if (xShape.length !== 4) throw new Error(`upsample: expects a 4-D input [N, C, H, W], got [${xShape.join(',')}]`);
  const [n, c, h, w] = xShape;
  const { outH, outW } = attrs;
  if (!(Number.isInteger(outH) && Number.isInteger(outW) && outH >= 1 && outW >= 1)) {
    throw new Error(`upsample: output size must be positive integers, got ${outH}x${outW}`);
  }
  return { planes: n * c, h, w, rows: axisTaps(h, outH, attrs.scaleH, attrs, f32), cols: axisTaps(w, outW, attrs.scaleW, attrs, f32) };
}

/** y [N, C, outH, outW] from x [N, C, H, W]. */
export function upsample2dForward(x: FloatArray, xShape: readonly number[], attrs: Upsample2dAttrs): { y: FloatArray; shape: number[] } {
  const { planes, h, w, rows, cols } = geometry(xShape, attrs, x instanceof Float32Array);
  const { outH, outW } = attrs, nearest = attrs.mode === 'nearest';
  const y = allocateLike(x, planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    const src = p * h * w, dst = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = src + rows.i0[oy] * w, r1 = src + rows.i1[oy] * w, a0 = rows.w0[oy], a1 = rows.w1[oy];
      for (let ox = 0; ox < outW; ox++) {
        const c0 = cols.i0[ox], c1 = cols.i1[ox], b0 = cols.w0[ox], b1 = cols.w1[ox];
        // nearest copies its one tap (a weighted sum would turn an Inf beside it into NaN)
        y[dst + oy * outW + ox] = nearest ? x[r0 + c0] : a0 * (b0 * x[r0 + c0] + b1 * x[r0 + c1]) + a1 * (b0 * x[r1 + c0] + b1 * x[r1 + c1]);
      }
    }
  }
  return { y, shape: [xShape[0], xShape[1], outH, outW] };
}

/** dx [N, C, H, W] from dy [N, C, outH, outW]: each output's gradient goes back to its taps, by their weights. */
export function upsample2dBackward(dy: FloatArray, xShape: readonly number[], attrs: Upsample2dAttrs): FloatArray {
  const { planes, h, w, rows, cols } = geometry(xShape, attrs, dy instanceof Float32Array);
  const { outH, outW } = attrs, nearest = attrs.mode === 'nearest';
  if (dy.length !== planes * outH * outW) throw new Error(`upsample backward: grad has ${dy.length} elements, expected ${planes * outH * outW}`);
  const dx = allocateLike(dy, planes * h * w);
  for (let p = 0; p < planes; p++) {
    const src = p * h * w, dst = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = src + rows.i0[oy] * w, r1 = src + rows.i1[oy] * w, a0 = rows.w0[oy], a1 = rows.w1[oy];
      for (let ox = 0; ox < outW; ox++) {
        const g = dy[dst + oy * outW + ox];
        const c0 = cols.i0[ox], c1 = cols.i1[ox], b0 = cols.w0[ox], b1 = cols.w1[ox];
        if (nearest) {
          dx[r0 + c0] += g;
          continue;
        }
        dx[r0 + c0] += a0 * b0 * g;
        dx[r0 + c1] += a0 * b1 * g;
        dx[r1 + c0] += a1 * b0 * g;
        dx[r1 + c1] += a1 * b1 * g;
      }
    }
  }
  return dx;
}
