/**
 * CPU reference kernels for 2-D convolution (torch.nn.functional.conv2d), forward and backward.
 *
 * Layout is torch's: input x [N, C, H, W], weight w [O, C/groups, kh, kw], bias [O], output y [N, O, oh, ow] with
 *   oh = floor((H + padTop + padBottom - dilationH*(kh-1) - 1) / strideH) + 1   (ow likewise).
 *
 * Method: im2col + GEMM, one image and one group at a time. For image n and group g the patch matrix
 *   col[k, l],  k = (c, i, j) over C/groups*kh*kw,  l = (oy, ox) over oh*ow,
 *   col[k, l] = x[n, g*Cg + c, oy*sh - padTop + i*dh, ox*sw - padLeft + j*dw]   (0 outside the input)
 * turns the convolution into y_g = W_g · col, and the backward into
 *   dW_g += dy_g · colᵀ,   dcol = W_gᵀ · dy_g  (then scattered back into dx by col2im),   db = Σ_{n,oy,ox} dy.
 * The col / dcol buffers are allocated once per call and reused; inner loops only index and multiply-add.
 *
 * Padding is given per side so that padding='same' with an even kernel (extra pad on the bottom/right, as torch
 * does) needs no special case here.
 */

import { type FloatArray, allocateLike, shapeStr } from '../arrays';

export interface Conv2dAttrs {
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Every size the conv kernels need, derived once from the shapes and attrs (and validated). */
export interface Conv2dGeometry extends Conv2dAttrs {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  outH: number;
  outW: number;
  /** Input channels per group. */
  groupIn: number;
  /** Output channels per group. */
  groupOut: number;
  /** Rows of the patch matrix: groupIn * kernelH * kernelW. */
  patch: number;
  /** Columns of the patch matrix: outH * outW. */
  positions: number;
}

export function conv2dGeometry(xShape: readonly number[], wShape: readonly number[], attrs: Conv2dAttrs): Conv2dGeometry {
  const shapes = `input ${shapeStr(xShape)} and weight ${shapeStr(wShape)}`;
  if (xShape.length !== 4 || wShape.length !== 4) throw new Error(`conv2d: expects 4-D input and weight, got ${shapes}`);
  const [batch, inChannels, inH, inW] = xShape;
  const [outChannels, groupIn, kernelH, kernelW] = wShape;
  const { groups } = attrs;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a positive integer, got ${groups}`);
  for (const name of ['strideH', 'strideW', 'dilationH', 'dilationW'] as const) {
    if (!Number.isInteger(attrs[name]) || attrs[name] < 1) throw new Error(`conv2d: ${name} must be a positive integer, got ${attrs[name]}`);
  }
  for (const name of ['padTop', 'padBottom', 'padLeft', 'padRight'] as const) {
    if (!Number.isInteger(attrs[name]) || attrs[name] < 0) throw new Error(`conv2d: ${name} must be a non-negative integer, got ${attrs[name]}`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`conv2d: in channels ${inChannels} and out channels ${outChannels} must both be divisible by groups ${groups}`);
  }
  if (groupIn * groups !== inChannels) {
    throw new Error(`conv2d: ${shapes}: weight expects ${groupIn * groups} input channels (groups=${groups}), input has ${inChannels}`);
  }
  const outH = Math.floor((inH + attrs.padTop + attrs.padBottom - attrs.dilationH * (kernelH - 1) - 1) / attrs.strideH) + 1;
  const outW = Math.floor((inW + attrs.padLeft + attrs.padRight - attrs.dilationW * (kernelW - 1) - 1) / attrs.strideW) + 1;
  if (outH < 1 || outW < 1) {
    throw new Error(`conv2d: ${shapes}: kernel (with dilation) is larger than the padded input, output would be ${outH}x${outW}`);
  }
  return {
    ...attrs, batch, inChannels, inH, inW, outChannels, kernelH, kernelW, outH, outW,
    groupIn, groupOut: outChannels / groups, patch: groupIn * kernelH * kernelW, positions: outH * outW,
  };
}

/** Fills `col` [patch, positions] with the patches of image n, group g (zeros where the window hits padding). */
function im2col(x: FloatArray, n: number, g: number, geo: Conv2dGeometry, col: FloatArray): void {
  const { inChannels, inH, inW, kernelH, kernelW, outH, outW, groupIn, positions } = geo;
  let row = 0;
  for (let c = 0; c < groupIn; c++) {
    const plane = (n * inChannels + g * groupIn + c) * inH * inW;
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++, row++) {
        const rowStart = row * positions;
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * geo.strideH - geo.padTop + i * geo.dilationH;
          const dst = rowStart + oy * outW;
          if (iy < 0 || iy >= inH) {
            col.fill(0, dst, dst + outW);
            continue;
          }
          const src = plane + iy * inW;
          for (let ox = 0; ox < outW; ox++) {
            const ix = ox * geo.strideW - geo.padLeft + j * geo.dilationW;
            col[dst + ox] = ix >= 0 && ix < inW ? x[src + ix] : 0;
          }
        }
      }
    }
  }
}

/** Adds the patch-matrix gradient `dcol` back into dx for image n, group g (the adjoint of im2col). */
function col2imAdd(dcol: FloatArray, n: number, g: number, geo: Conv2dGeometry, dx: FloatArray): void {
  const { inChannels, inH, inW, kernelH, kernelW, outH, outW, groupIn, positions } = geo;
  let row = 0;
  for (let c = 0; c < groupIn; c++) {
    const plane = (n * inChannels + g * groupIn + c) * inH * inW;
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++, row++) {
        const rowStart = row * positions;
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * geo.strideH - geo.padTop + i * geo.dilationH;
          if (iy < 0 || iy >= inH) continue;
          const src = rowStart + oy * outW;
          const dst = plane + iy * inW;
          for (let ox = 0; ox < outW; ox++) {
            const ix = ox * geo.strideW - geo.padLeft + j * geo.dilationW;
            if (ix >= 0 && ix < inW) dx[dst + ix] += dcol[src + ox];
          }
        }
      }
    }
  }
}

/** y = conv2d(x, w) + bias. Returns y [N, O, oh, ow] and its shape. */
export function conv2dForward(
  x: FloatArray, xShape: readonly number[],
  w: FloatArray, wShape: readonly number[],
  bias: FloatArray | null,
  attrs: Conv2dAttrs,
): { y: FloatArray; shape: number[] } {
  const geo = conv2dGeometry(xShape, wShape, attrs);
  const { batch, outChannels, outH, outW, groups, groupOut, patch, positions } = geo;
  if (bias !== null && bias.length !== outChannels) {
    throw new Error(`conv2d: bias has ${bias.length} elements, expected ${outChannels} (out channels)`);
  }
  const y = allocateLike(x, batch * outChannels * positions);
  const col = allocateLike(x, patch * positions);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      im2col(x, n, g, geo, col);
      for (let o = 0; o < groupOut; o++) {
        const oc = g * groupOut + o;
        const yRow = (n * outChannels + oc) * positions;
        if (bias !== null) y.fill(bias[oc], yRow, yRow + positions);
        const wRow = oc * patch;
        for (let k = 0; k < patch; k++) {
          const wk = w[wRow + k];
          const colRow = k * positions;
          for (let l = 0; l < positions; l++) y[yRow + l] += wk * col[colRow + l];
        }
      }
    }
  }
  return { y, shape: [batch, outChannels, outH, outW] };
}

/** Which gradients the caller wants (torch's output_mask); skipping dx saves the col2im pass. */
export interface Conv2dGradMask {
  input: boolean;
  weight: boolean;
  bias: boolean;
}

/** Gradients of conv2d given dy [N, O, oh, ow]; each is null when not asked for. */
export function conv2dBackward(
  dy: FloatArray,
  x: FloatArray, xShape: readonly number[],
  w: FloatArray, wShape: readonly number[],
  attrs: Conv2dAttrs,
  mask: Conv2dGradMask = { input: true, weight: true, bias: true },
): { dx: FloatArray | null; dw: FloatArray | null; db: FloatArray | null } {
  const geo = conv2dGeometry(xShape, wShape, attrs);
  const { batch, outChannels, groups, groupOut, patch, positions } = geo;
  if (dy.length !== batch * outChannels * positions) {
    throw new Error(`conv2d backward: grad has ${dy.length} elements, expected [${batch},${outChannels},${geo.outH},${geo.outW}]`);
  }
  const dx = mask.input ? allocateLike(x, x.length) : null;
  const dw = mask.weight ? allocateLike(w, w.length) : null;
  const db = mask.bias ? allocateLike(w, outChannels) : null;

  if (db !== null) {
    for (let n = 0; n < batch; n++) {
      for (let oc = 0; oc < outChannels; oc++) {
        const dyRow = (n * outChannels + oc) * positions;
        let sum = 0;
        for (let l = 0; l < positions; l++) sum += dy[dyRow + l];
        db[oc] += sum;
      }
    }
  }
  if (dx === null && dw === null) return { dx, dw, db };

  const col = allocateLike(x, patch * positions);
  const dcol = allocateLike(x, patch * positions);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      if (dw !== null) im2col(x, n, g, geo, col);
      if (dx !== null) dcol.fill(0);
      for (let o = 0; o < groupOut; o++) {
        const oc = g * groupOut + o;
        const dyRow = (n * outChannels + oc) * positions;
        const wRow = oc * patch;
        for (let k = 0; k < patch; k++) {
          const colRow = k * positions;
          if (dw !== null) {
            let sum = 0;
            for (let l = 0; l < positions; l++) sum += dy[dyRow + l] * col[colRow + l];
            dw[wRow + k] += sum;
          }
          if (dx !== null) {
            const wk = w[wRow + k];
            for (let l = 0; l < positions; l++) dcol[colRow + l] += wk * dy[dyRow + l];
          }
        }
      }
      if (dx !== null) col2imAdd(dcol, n, g, geo, dx);
    }
  }
  return { dx, dw, db };
}
