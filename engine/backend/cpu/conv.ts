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
  if (xShape.length !== 4 || wShape.length !== 4) throw new Error(`conv2d: expects 4-D input and weight, got input ${shapeStr(xShape)} and weight ${shapeStr(wShape)}`);
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
    throw new Error(`conv2d: input ${shapeStr(xShape)} and weight ${shapeStr(wShape)}: weight expects ${groupIn * groups} input channels (groups=${groups}), input has ${inChannels}`);
  }
  const outH = Math.floor((inH + attrs.padTop + attrs.padBottom - attrs.dilationH * (kernelH - 1) - 1) / attrs.strideH) + 1;
  const outW = Math.floor((inW + attrs.padLeft + attrs.padRight - attrs.dilationW * (kernelW - 1) - 1) / attrs.strideW) + 1;
  if (outH < 1 || outW < 1) {
    throw new Error(`conv2d: input ${shapeStr(xShape)} and weight ${shapeStr(wShape)}: kernel (with dilation) is larger than the padded input, output would be ${outH}x${outW}`);
  }
  // Fields spelled out: spreading `attrs` into this literal cost ~14 µs per call in V8 (a slow clone path),
  // more than the rest of the function a hundred times over, on every conv call.
  return {
    strideH: attrs.strideH, strideW: attrs.strideW, padTop: attrs.padTop, padBottom: attrs.padBottom,
    padLeft: attrs.padLeft, padRight: attrs.padRight, dilationH: attrs.dilationH, dilationW: attrs.dilationW, groups,
    batch, inChannels, inH, inW, outChannels, kernelH, kernelW, outH, outW,
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

/**
 * C[m, n] += A[m, k] · B[k, n]. B and C are row-major and contiguous from their offsets; A is read through
 * strides (aRow, aCol), so the transposed weight of the backward needs no copy. Four k at a time, so that each
 * pass over a row of C does four multiply-adds per load and store of C (several times faster in JS).
 */
function gemmAdd(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, aRow: number, aCol: number,
  b: FloatArray, bOff: number,
  c: FloatArray, cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const cRow = cOff + i * n;
    const aBase = aOff + i * aRow;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const a0 = a[aBase + p * aCol], a1 = a[aBase + (p + 1) * aCol], a2 = a[aBase + (p + 2) * aCol], a3 = a[aBase + (p + 3) * aCol];
      const b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) c[cRow + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (; p < k; p++) {
      const ap = a[aBase + p * aCol];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[cRow + j] += ap * b[bp + j];
    }
  }
}

/** C[m, n] += A[m, k] · B[n, k]ᵀ (A and B row-major): dot products over k, four rows of B at a time. */
function gemmTransBAdd(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number,
  b: FloatArray, bOff: number,
  c: FloatArray, cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * k;
    const cRow = cOff + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const ap = a[aRow + p];
        s0 += ap * b[b0 + p];
        s1 += ap * b[b1 + p];
        s2 += ap * b[b2 + p];
        s3 += ap * b[b3 + p];
      }
      c[cRow + j] += s0;
      c[cRow + j + 1] += s1;
      c[cRow + j + 2] += s2;
      c[cRow + j + 3] += s3;
    }
    for (; j < n; j++) {
      const bj = bOff + j * k;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[aRow + p] * b[bj + p];
      c[cRow + j] += sum;
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
      const yGroup = (n * outChannels + g * groupOut) * positions;
      if (bias !== null) {
        for (let o = 0; o < groupOut; o++) y.fill(bias[g * groupOut + o], yGroup + o * positions, yGroup + (o + 1) * positions);
      }
      // y_g [groupOut, positions] += W_g [groupOut, patch] · col [patch, positions]
      gemmAdd(groupOut, positions, patch, w, g * groupOut * patch, patch, 1, col, 0, y, yGroup);
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

  const col = allocateLike(x, dw !== null ? patch * positions : 0);
  const dcol = allocateLike(x, dx !== null ? patch * positions : 0);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const dyGroup = (n * outChannels + g * groupOut) * positions;
      const wGroup = g * groupOut * patch;
      if (dw !== null) {
        // dW_g [groupOut, patch] += dy_g [groupOut, positions] · colᵀ
        im2col(x, n, g, geo, col);
        gemmTransBAdd(groupOut, patch, positions, dy, dyGroup, col, 0, dw, wGroup);
      }
      if (dx !== null) {
        // dcol [patch, positions] = W_gᵀ [patch, groupOut] · dy_g [groupOut, positions], then back into dx
        dcol.fill(0);
        gemmAdd(patch, positions, groupOut, w, wGroup, 1, patch, dy, dyGroup, dcol, 0);
        col2imAdd(dcol, n, g, geo, dx);
      }
    }
  }
  return { dx, dw, db };
}
