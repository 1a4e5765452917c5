/**
 * conv2d: 2-D convolution over NCHW images, as torch.nn.functional.conv2d.
 *
 *   x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] (optional) -> y [N, O, oh, ow]
 *   (an unbatched x [C, H, W] gives y [O, oh, ow])
 *   y[n, o, i, j] = bias[o] + Σ_{c, a, b} weight[o, c, a, b] · x[n, g·C/groups + c, i·sh − pt + a·dh, j·sw − pl + b·dw]
 *   oh = floor((H + 2·ph − dh·(kh − 1) − 1) / sh) + 1   (ow likewise)
 *
 * Backward (kernel Conv2dBackward): dx = the transposed convolution of g with weight, dweight = the correlation
 * of x with g, dbias = g summed over N, oh, ow. Only the gradients that are needed are computed.
 *
 * Example: conv2d(x, w, b, { stride: 2, padding: 1 }) halves H and W for a 3x3 kernel;
 * conv2d(x, w, null, { padding: 'same' }) keeps them (stride 1; an even kernel pads the extra row/col at the
 * bottom/right, as torch does).
 */
import type { Conv2dAttrs } from '../backend/cpu/conv';
import type { FloatDType } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { cast } from './elementwise';
import { squeeze, unsqueeze } from './shape';
import { floatDType, kernelInput } from './util';
import { checkOptions } from '../options';

/** A size given once for both spatial dims or as [h, w], like torch's int-or-tuple arguments. */
export type Size2 = number | readonly [number, number] | readonly number[];

export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2 | 'valid' | 'same';
  dilation?: Size2;
  groups?: number;
}

/** [h, w] from an int-or-pair argument, checked to be integers ≥ `min`. */
export function pair(op: string, name: string, value: Size2, min: number): [number, number] {
  const hw = typeof value === 'number' ? [value, value] : [...value];
  if (hw.length !== 2 || !hw.every((v) => Number.isInteger(v) && v >= min)) {
    throw new Error(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(value)}`);
  }
  return [hw[0], hw[1]];
}

/** Resolves torch-style options to the kernel's per-side attrs (needs the kernel size for padding='same'). */
export function conv2dAttrs(opts: Conv2dOptions, kernelH: number, kernelW: number): Conv2dAttrs {
  checkOptions('conv2d', opts, ['stride', 'padding', 'dilation', 'groups']);
  const [strideH, strideW] = pair('conv2d', 'stride', opts.stride ?? 1, 1);
  const [dilationH, dilationW] = pair('conv2d', 'dilation', opts.dilation ?? 1, 1);
  const groups = opts.groups ?? 1;
  const padding = opts.padding ?? 0;
  let padTop: number, padBottom: number, padLeft: number, padRight: number;
  if (padding === 'same') {
    if (strideH !== 1 || strideW !== 1) throw new Error("conv2d: padding='same' is not supported for strided convolutions");
    const totalH = dilationH * (kernelH - 1), totalW = dilationW * (kernelW - 1);
    padTop = Math.floor(totalH / 2);
    padBottom = totalH - padTop;
    padLeft = Math.floor(totalW / 2);
    padRight = totalW - padLeft;
  } else if (padding === 'valid') {
    padTop = padBottom = padLeft = padRight = 0;
  } else {
    [padTop, padLeft] = pair('conv2d', 'padding', padding, 0);
    padBottom = padTop;
    padRight = padLeft;
  }
  return { strideH, strideW, padTop, padBottom, padLeft, padRight, dilationH, dilationW, groups };
}

export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  if (weight.ndim !== 4) throw new Error(`conv2d: weight must be [out, in/groups, kh, kw], got [${weight.shape.join(',')}]`);
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), weight, bias, opts), 0); // unbatched [C, H, W], as torch
  if (x.ndim !== 4) throw new Error(`conv2d: input must be [N, C, H, W] or [C, H, W], got [${x.shape.join(',')}]`);
  const b = bias ?? null;
  if (b !== null && (b.ndim !== 1 || b.size !== weight.shape[0])) {
    throw new Error(`conv2d: bias must be [${weight.shape[0]}] (out channels), got [${b.shape.join(',')}]`);
  }
  const attrs = conv2dAttrs(opts, weight.shape[2], weight.shape[3]);
  const dtype: FloatDType = floatDType(x.dtype, weight.dtype, b?.dtype ?? 'float32');
  const xf = cast(x, dtype), wf = cast(weight, dtype), bf = b && cast(b, dtype);
  const { y, shape } = getKernel(K.Conv2d)(kernelInput(K.Conv2d, xf), xf.shape, kernelInput(K.Conv2d, wf), wf.shape, bf && kernelInput(K.Conv2d, bf), attrs);
  const inputs = bf ? [xf, wf, bf] : [xf, wf];
  return recordOp(new Tensor(y, shape), 'conv2d', inputs, (g) => {
    const mask = { input: xf.requiresGrad, weight: wf.requiresGrad, bias: bf?.requiresGrad ?? false };
    const grads = getKernel(K.Conv2dBackward)(kernelInput(K.Conv2dBackward, cast(g, dtype)), kernelInput(K.Conv2dBackward, xf), xf.shape, kernelInput(K.Conv2dBackward, wf), wf.shape, attrs, mask);
    return [
      grads.dx && new Tensor(grads.dx, xf.shape),
      grads.dw && new Tensor(grads.dw, wf.shape),
      grads.db && new Tensor(grads.db, [wf.shape[0]]),
    ];
  });
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'valid' | 'same';
  dilation?: number;
  groups?: number;
}

/**
 * conv1d: 1-D convolution over [N, C, L] sequences, as torch.nn.functional.conv1d.
 *
 *   x [N, C, L], weight [O, C/groups, k], bias [O] -> y [N, O, L_out]   (an unbatched x [C, L] gives y [O, L_out])
 *   y[n, o, i] = bias[o] + Σ_{c, a} weight[o, c, a] · x[n, g·C/groups + c, i·stride − padding + a·dilation]
 *
 * It is conv2d on x viewed as [N, C, 1, L] with the weight viewed as [O, C/groups, 1, k], so it shares conv2d's
 * kernels on every backend, and its backward is conv2d's through the two views.
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  checkOptions('conv1d', opts, ['stride', 'padding', 'dilation', 'groups']);
  if (weight.ndim !== 3) throw new Error(`conv1d: weight must be [out, in/groups, k], got [${weight.shape.join(',')}]`);
  if (x.ndim === 2) return squeeze(conv1d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 3) throw new Error(`conv1d: input must be [N, C, L] or [C, L], got [${x.shape.join(',')}]`);
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = opts;
  const options = { stride: [1, stride], padding: typeof padding === 'string' ? padding : [0, padding], dilation: [1, dilation], groups };
  return squeeze(conv2d(unsqueeze(x, 2), unsqueeze(weight, 2), bias, options), 2);
}
