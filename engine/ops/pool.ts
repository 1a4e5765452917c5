/**
 * 2-D pooling over [N, C, H, W] (or [C, H, W]) input, as torch.nn.functional's max_pool2d, avg_pool2d and
 * adaptive_avg_pool2d. Output size: floor((H + 2·pad − dilation·(k − 1) − 1) / stride) + 1 (ceil with ceilMode).
 *
 *   maxPool2d:  y = max over the window (padding counts as −∞); the forward remembers the argmax of each window
 *               and the backward routes g there (dx[argmax] += g; ties go to the first max, as torch).
 *   avgPool2d:  y = Σ window / divisor, divisor = window size including padding (countIncludePad, the default)
 *               or only the cells inside the input; the backward spreads g / divisor over the window.
 *   adaptiveAvgPool2d: output [oh, ow] whatever the input size; cell i averages input rows
 *               floor(i·H/oh) .. ceil((i+1)·H/oh) − 1 (bins overlap when oh does not divide H).
 *
 * Example: maxPool2d(x, { kernelSize: 2 }) halves H and W; adaptiveAvgPool2d(x, [1, 1]) is a global average.
 */
import type { AvgPool2dAttrs, MaxPool2dAttrs } from '../backend/cpu/pool';
import { shapeStr } from '../backend/arrays';
import { getKernel, type DeviceData } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { cast } from './elementwise';
import { type Size2, pair } from './conv';
import { floatData, floatDType, kernelInput } from './util';
import { checkOptions } from '../options';

export interface MaxPool2dOptions {
  kernelSize: Size2;
  /** Defaults to kernelSize (non-overlapping windows), as torch. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  kernelSize: Size2;
  /** Defaults to kernelSize, as torch. */
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Divide by the whole window, padding included (default true, as torch). */
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** x as a float tensor, after checking it is [N, C, H, W] or [C, H, W]. */
function poolInput(op: string, x: Tensor): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`${op}: expects [N, C, H, W] or [C, H, W] input, got ${shapeStr(x.shape)}`);
  return cast(x, floatDType(x.dtype));
}

export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  return maxPool(x, opts).out;
}

/**
 * maxPool2d and, as torch's return_indices (F.max_pool2d_with_indices), where each maximum came from: an int32
 * tensor of the output's shape holding the flat index iy·W + ix of the chosen cell within its (H, W) plane
 * (torch's int64 values, in the engine's integer dtype).
 */
export function maxPool2dWithIndices(x: Tensor, opts: MaxPool2dOptions): [Tensor, Tensor] {
  const { out, indices } = maxPool(x, opts);
  return [out, indexTensor(indices, out.shape)];
}

function maxPool(x: Tensor, opts: MaxPool2dOptions): { out: Tensor; indices: Int32Array } {
  // return_indices is a function of its own here, maxPool2dWithIndices (torch's F.max_pool2d_with_indices)
  checkOptions('maxPool2d', opts, ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode']);
  const xf = poolInput('maxPool2d', x);
  const [kernelH, kernelW] = pair('maxPool2d', 'kernelSize', opts.kernelSize, 1);
  const [strideH, strideW] = pair('maxPool2d', 'stride', opts.stride ?? opts.kernelSize, 1);
  const [padH, padW] = pair('maxPool2d', 'padding', opts.padding ?? 0, 0);
  const [dilationH, dilationW] = pair('maxPool2d', 'dilation', opts.dilation ?? 1, 1);
  const attrs: MaxPool2dAttrs = { kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode: opts.ceilMode ?? false };
  const { y, indices, shape } = getKernel(K.MaxPool2d)(kernelInput(K.MaxPool2d, xf), xf.shape, attrs);
  const out = recordOp(new Tensor(y, shape), 'maxPool2d', [xf], (g) => [
    new Tensor(getKernel(K.MaxPool2dBackward)(kernelInput(K.MaxPool2dBackward, cast(g, xf.dtype)), indices, xf.shape), xf.shape),
  ]);
  return { out, indices };
}

/**
 * The kernel's indices as an int32 tensor of their own. A device backend may hand back its own form (exact float
 * values, possibly still on the device) meant for its backward alone: that is copied, never consumed.
 */
function indexTensor(indices: Int32Array, shape: readonly number[]): Tensor {
  if (indices instanceof Int32Array) return new Tensor(indices.slice(), shape);
  const values: ArrayLike<number> = ArrayBuffer.isView(indices) ? indices : (indices as unknown as DeviceData).read();
  return new Tensor(Int32Array.from(values), shape);
}

export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  checkOptions('avgPool2d', opts, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  const xf = poolInput('avgPool2d', x);
  const [kernelH, kernelW] = pair('avgPool2d', 'kernelSize', opts.kernelSize, 1);
  const [strideH, strideW] = pair('avgPool2d', 'stride', opts.stride ?? opts.kernelSize, 1);
  const [padH, padW] = pair('avgPool2d', 'padding', opts.padding ?? 0, 0);
  const attrs: AvgPool2dAttrs = {
    kernelH, kernelW, strideH, strideW, padH, padW,
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride: opts.divisorOverride ?? null,
  };
  const { y, shape } = getKernel(K.AvgPool2d)(kernelInput(K.AvgPool2d, xf), xf.shape, attrs);
  return recordOp(new Tensor(y, shape), 'avgPool2d', [xf], (g) => [
    new Tensor(getKernel(K.AvgPool2dBackward)(kernelInput(K.AvgPool2dBackward, cast(g, xf.dtype)), xf.shape, attrs), xf.shape),
  ]);
}

/** outputSize: one size for both dims, or [oh, ow] where null keeps that input dim (torch's None). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const xf = poolInput('adaptiveAvgPool2d', x);
  const [inH, inW] = xf.shape.slice(-2);
  const size = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (size.length !== 2) throw new Error(`adaptiveAvgPool2d: outputSize must be a number or [oh, ow], got ${JSON.stringify(outputSize)}`);
  const outH = size[0] ?? inH, outW = size[1] ?? inW;
  const { y, shape } = getKernel(K.AdaptiveAvgPool2d)(kernelInput(K.AdaptiveAvgPool2d, xf), xf.shape, outH, outW);
  return recordOp(new Tensor(y, shape), 'adaptiveAvgPool2d', [xf], (g) => [
    new Tensor(getKernel(K.AdaptiveAvgPool2dBackward)(kernelInput(K.AdaptiveAvgPool2dBackward, cast(g, xf.dtype)), xf.shape, outH, outW), xf.shape),
  ]);
}
