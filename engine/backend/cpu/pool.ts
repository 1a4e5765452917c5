/**
 * CPU reference kernels for 2-D pooling: max_pool2d, avg_pool2d and adaptive_avg_pool2d, forward and backward.
 *
 * Input is [..., H, W] (torch takes [N, C, H, W] or [C, H, W]); every leading index is an independent plane.
 * Output size (torch's pooling_output_shape):
 *   out = floor((in + 2*pad - dilation*(k-1) - 1 + (ceilMode ? stride-1 : 0)) / stride) + 1,
 *   and with ceilMode the last window must start inside the input or the left padding, else out -= 1.
 */
import { type FloatArray, allocateLike, shapeStr } from '../arrays';

export interface MaxPool2dAttrs {
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  ceilMode: boolean;
}

export interface AvgPool2dAttrs {
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  ceilMode: boolean;
  /** Divide by the full window including padding (torch's default) or only by the cells inside the input. */
  countIncludePad: boolean;
  /** When set, every window divides by this instead (torch's divisor_override). */
  divisorOverride: number | null;
}

export function poolOutputSize(op: string, inSize: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  if (kernel < 1 || stride < 1 || dilation < 1 || pad < 0) {
    throw new Error(`${op}: kernel ${kernel}, stride ${stride} and dilation ${dilation} must be positive and padding ${pad} non-negative`);
  }
  if (pad > kernel / 2) throw new Error(`${op}: padding ${pad} must be at most half of the kernel size ${kernel}`);
  let out = Math.floor((inSize + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + pad) out--;
  if (out < 1) throw new Error(`${op}: input size ${inSize} is too small for kernel ${kernel} (padding ${pad}, dilation ${dilation}); output would be ${out}`);
  return out;
}

/** Splits [..., H, W] into (planes, H, W), checking there are at least two dims. */
function planesOf(op: string, shape: readonly number[]): [number, number, number] {
  if (shape.length < 3) throw new Error(`${op}: expects [N, C, H, W] or [C, H, W] input, got ${shapeStr(shape)}`);
  const inH = shape[shape.length - 2];
  const inW = shape[shape.length - 1];
  let planes = 1;
  for (let d = 0; d < shape.length - 2; d++) planes *= shape[d];
  return [planes, inH, inW];
}

/**
 * Max over each window, padding counting as -Infinity. `indices` holds, per output, the flat index (iy*W + ix) of
 * the chosen input cell in its plane, as torch's return_indices does; ties keep the first max in row-major order
 * and a NaN in the window wins (torch propagates NaN).
 */
export function maxPool2dForward(x: FloatArray, shape: readonly number[], attrs: MaxPool2dAttrs): { y: FloatArray; indices: Int32Array; shape: number[] } {
  const [planes, inH, inW] = planesOf('maxPool2d', shape);
  const outH = poolOutputSize('maxPool2d', inH, attrs.kernelH, attrs.strideH, attrs.padH, attrs.dilationH, attrs.ceilMode);
  const outW = poolOutputSize('maxPool2d', inW, attrs.kernelW, attrs.strideW, attrs.padW, attrs.dilationW, attrs.ceilMode);
  const { kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW } = attrs;
  const y = allocateLike(x, planes * outH * outW);
  const indices = new Int32Array(planes * outH * outW);
  let out = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      let y0 = oy * strideH - padH;
      const y1 = Math.min(y0 + (kernelH - 1) * dilationH + 1, inH);
      while (y0 < 0) y0 += dilationH;
      for (let ox = 0; ox < outW; ox++, out++) {
        let x0 = ox * strideW - padW;
        const x1 = Math.min(x0 + (kernelW - 1) * dilationW + 1, inW);
        while (x0 < 0) x0 += dilationW;
        let best = -Infinity;
        let bestIndex = y0 * inW + x0;
        for (let iy = y0; iy < y1; iy += dilationH) {
          for (let ix = x0; ix < x1; ix += dilationW) {
            const index = iy * inW + ix;
            const v = x[plane + index];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIndex = index;
            }
          }
        }
        y[out] = best;
        indices[out] = bestIndex;
      }
    }
  }
  return { y, indices, shape: [...shape.slice(0, -2), outH, outW] };
}

/** Routes each output gradient to the input cell its max came from (accumulating where windows overlap). */
export function maxPool2dBackward(dy: FloatArray, indices: Int32Array, xShape: readonly number[]): FloatArray {
  const [planes, inH, inW] = planesOf('maxPool2d', xShape);
  const dx = allocateLike(dy, planes * inH * inW);
  const perPlane = dy.length / planes;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let o = p * perPlane; o < (p + 1) * perPlane; o++) dx[plane + indices[o]] += dy[o];
  }
  return dx;
}

/** One avg-pool window: the input rows/cols it covers and the divisor, per torch's AvgPoolKernel. */
interface AvgWindow { y0: number; y1: number; x0: number; x1: number; divisor: number }

function avgWindow(oy: number, ox: number, inH: number, inW: number, a: AvgPool2dAttrs, w: AvgWindow): void {
  let y0 = oy * a.strideH - a.padH;
  let x0 = ox * a.strideW - a.padW;
  let y1 = Math.min(y0 + a.kernelH, inH + a.padH);
  let x1 = Math.min(x0 + a.kernelW, inW + a.padW);
  const paddedSize = (y1 - y0) * (x1 - x0);
  y0 = Math.max(y0, 0);
  x0 = Math.max(x0, 0);
  y1 = Math.min(y1, inH);
  x1 = Math.min(x1, inW);
  w.y0 = y0; w.y1 = y1; w.x0 = x0; w.x1 = x1;
  w.divisor = a.divisorOverride ?? (a.countIncludePad ? paddedSize : (y1 - y0) * (x1 - x0));
}

function avgOutputShape(shape: readonly number[], a: AvgPool2dAttrs): [number, number, number, number, number] {
  const [planes, inH, inW] = planesOf('avgPool2d', shape);
  if (a.divisorOverride !== null && a.divisorOverride === 0) throw new Error('avgPool2d: divisorOverride must not be 0');
  const outH = poolOutputSize('avgPool2d', inH, a.kernelH, a.strideH, a.padH, 1, a.ceilMode);
  const outW = poolOutputSize('avgPool2d', inW, a.kernelW, a.strideW, a.padW, 1, a.ceilMode);
  return [planes, inH, inW, outH, outW];
}

export function avgPool2dForward(x: FloatArray, shape: readonly number[], attrs: AvgPool2dAttrs): { y: FloatArray; shape: number[] } {
  const [planes, inH, inW, outH, outW] = avgOutputShape(shape, attrs);
  const y = allocateLike(x, planes * outH * outW);
  const win: AvgWindow = { y0: 0, y1: 0, x0: 0, x1: 0, divisor: 1 };
  let out = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, out++) {
        avgWindow(oy, ox, inH, inW, attrs, win);
        if (win.y0 >= win.y1 || win.x0 >= win.x1) continue; // window entirely in padding: 0, as torch
        let sum = 0;
        for (let iy = win.y0; iy < win.y1; iy++) {
          for (let ix = win.x0; ix < win.x1; ix++) sum += x[plane + iy * inW + ix];
        }
        y[out] = sum / win.divisor;
      }
    }
  }
  return { y, shape: [...shape.slice(0, -2), outH, outW] };
}

/** Spreads each output gradient evenly (dy / divisor) over the input cells of its window. */
export function avgPool2dBackward(dy: FloatArray, xShape: readonly number[], attrs: AvgPool2dAttrs): FloatArray {
  const [planes, inH, inW, outH, outW] = avgOutputShape(xShape, attrs);
  const dx = allocateLike(dy, planes * inH * inW);
  const win: AvgWindow = { y0: 0, y1: 0, x0: 0, x1: 0, divisor: 1 };
  let out = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, out++) {
        avgWindow(oy, ox, inH, inW, attrs, win);
        const share = dy[out] / win.divisor;
        for (let iy = win.y0; iy < win.y1; iy++) {
          for (let ix = win.x0; ix < win.x1; ix++) dx[plane + iy * inW + ix] += share;
        }
      }
    }
  }
  return dx;
}

/** torch's adaptive pooling bins: output i covers [floor(i*in/out), ceil((i+1)*in/out)). */
function binStart(i: number, inSize: number, outSize: number): number {
  return Math.floor((i * inSize) / outSize);
}
function binEnd(i: number, inSize: number, outSize: number): number {
  return Math.ceil(((i + 1) * inSize) / outSize);
}

function checkAdaptive(shape: readonly number[], outH: number, outW: number): [number, number, number] {
  const dims = planesOf('adaptiveAvgPool2d', shape);
  if (!Number.isInteger(outH) || !Number.isInteger(outW) || outH < 1 || outW < 1) {
    throw new Error(`adaptiveAvgPool2d: output size must be positive integers, got [${outH},${outW}]`);
  }
  return dims;
}

export function adaptiveAvgPool2dForward(x: FloatArray, shape: readonly number[], outH: number, outW: number): { y: FloatArray; shape: number[] } {
  const [planes, inH, inW] = checkAdaptive(shape, outH, outW);
  const y = allocateLike(x, planes * outH * outW);
  let out = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = binStart(oy, inH, outH), y1 = binEnd(oy, inH, outH);
      for (let ox = 0; ox < outW; ox++, out++) {
        const x0 = binStart(ox, inW, outW), x1 = binEnd(ox, inW, outW);
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) sum += x[plane + iy * inW + ix];
        }
        y[out] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return { y, shape: [...shape.slice(0, -2), outH, outW] };
}

export function adaptiveAvgPool2dBackward(dy: FloatArray, xShape: readonly number[], outH: number, outW: number): FloatArray {
  const [planes, inH, inW] = checkAdaptive(xShape, outH, outW);
  const dx = allocateLike(dy, planes * inH * inW);
  let out = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = binStart(oy, inH, outH), y1 = binEnd(oy, inH, outH);
      for (let ox = 0; ox < outW; ox++, out++) {
        const x0 = binStart(ox, inW, outW), x1 = binEnd(ox, inW, outW);
        const share = dy[out] / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) dx[plane + iy * inW + ix] += share;
        }
      }
    }
  }
  return dx;
}
