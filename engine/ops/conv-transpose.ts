/**
 * convTranspose2d: the transposed 2-D convolution over NCHW images, as torch.nn.functional.conv_transpose2d.
 *
 *   x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] (torch's layout: input channels first), bias [Cout]
 *   -> y [N, Cout, oh, ow]  (an unbatched x [Cin, H, W] gives y [Cout, oh, ow])
 *   oh = (H − 1)·sh − 2·ph + dh·(kh − 1) + output_padding_h + 1   (ow likewise)
 *
 * It is conv2d's input gradient: a conv2d with this weight (read as [O = Cin, C/groups = Cout/groups, kh, kw]),
 * stride, padding and dilation maps a [N, Cout, oh, ow] image to x's shape, and y is that conv's gradient with
 * respect to its input when the gradient arriving at its output is x. So the forward runs conv2d's backward kernel
 * (Conv2dBackward, input only), every backend's fast one included, and the backward is conv2d's own pieces:
 *   dx = conv2d(g, weight)            (the conv2d forward kernel)
 *   dweight = conv2d's weight gradient with input g and output gradient x   (Conv2dBackward, weight only)
 *   dbias = g summed over N, oh, ow.
 * output_padding adds rows/columns at the bottom/right that no input reaches (torch: it only resolves which of the
 * sizes a strided conv2d maps to H is meant); it must be smaller than the stride.
 *
 * Example: convTranspose2d(x [N, 16, 7, 7], w [16, 8, 2, 2], b, { stride: 2 }) → [N, 8, 14, 14], doubling H and W.
 */
import type { FloatDType } from '../backend/arrays';
import { allocateFloat } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { noGrad, recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { add, cast } from './elementwise';
import { sum } from './reduce';
import { squeeze, unsqueeze, view } from './shape';
import { floatDType, kernelInput } from './util';
import { pair, type Size2 } from './conv';
import type { Conv2dAttrs } from '../backend/cpu/conv';

export interface ConvTranspose2dOptions {
  stride?: Size2;
  padding?: Size2;
  outputPadding?: Size2;
  groups?: number;
  dilation?: Size2;
}

/** The output size of one spatial dim, torch's formula. */
export function convTransposeOut(size: number, kernel: number, stride: number, padding: number, outputPadding: number, dilation: number): number {
  return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'conv_transpose2d';
  checkOptions(op, opts, ['stride', 'padding', 'outputPadding', 'groups', 'dilation']);
  if (weight.ndim !== 4) throw new Error(`${op}: weight must be [in, out/groups, kh, kw], got [${weight.shape.join(',')}]`);
  if (x.ndim === 3) return squeeze(convTranspose2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4) throw new Error(`${op}: input must be [N, C, H, W] or [C, H, W], got [${x.shape.join(',')}]`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  const [n, cin, h, w] = x.shape;
  if (weight.shape[0] !== cin) {
    throw new Error(`${op}: input [${x.shape.join(',')}] has ${cin} channels but weight [${weight.shape.join(',')}] expects ${weight.shape[0]}`);
  }
  if (cin % groups !== 0) throw new Error(`${op}: in channels ${cin} must be divisible by groups ${groups}`);
  const cout = weight.shape[1] * groups;
  const b = bias ?? null;
  if (b !== null && (b.ndim !== 1 || b.size !== cout)) throw new Error(`${op}: bias must be [${cout}] (out channels), got [${b.shape.join(',')}]`);
  const [sh, sw] = pair(op, 'stride', opts.stride ?? 1, 1);
  const [ph, pw] = pair(op, 'padding', opts.padding ?? 0, 0);
  const [oph, opw] = pair(op, 'output_padding', opts.outputPadding ?? 0, 0);
  const [dh, dw] = pair(op, 'dilation', opts.dilation ?? 1, 1);
  // torch also takes output_padding < dilation; as conv2d's gradient this loop only reaches the stride's remainder.
  if (oph >= sh || opw >= sw) {
    throw new Error(`${op}: output_padding (${oph}, ${opw}) must be smaller than stride (${sh}, ${sw})`);
  }
  const [kh, kw] = [weight.shape[2], weight.shape[3]];
  const oh = convTransposeOut(h, kh, sh, ph, oph, dh), ow = convTransposeOut(w, kw, sw, pw, opw, dw);
  if (oh < 1 || ow < 1) throw new Error(`${op}: input [${x.shape.join(',')}] gives an empty output ${oh}x${ow}`);
  const attrs: Conv2dAttrs = { strideH: sh, strideW: sw, padTop: ph, padBottom: ph, padLeft: pw, padRight: pw, dilationH: dh, dilationW: dw, groups };

  const dtype: FloatDType = floatDType(x.dtype, weight.dtype, b?.dtype ?? 'float32');
  const xf = cast(x, dtype), wf = cast(weight, dtype), bf = b && cast(b, dtype);
  const yShape = [n, cout, oh, ow];
  // The kernel sizes dx by its input image; with only dx asked for it reads no value of it.
  const shapeOnly = allocateFloat(dtype, n * cout * oh * ow);
  const { dx } = getKernel(K.Conv2dBackward)(
    kernelInput(K.Conv2dBackward, xf), shapeOnly, yShape, kernelInput(K.Conv2dBackward, wf), wf.shape, attrs,
    { input: true, weight: false, bias: false },
  );
  let out = new Tensor(dx!, yShape);
  // The bias by the ordinary broadcasting add; the op records its own graph node, so none is kept here.
  if (bf) out = noGrad(() => add(out, view(bf, [1, cout, 1, 1])));
  const inputs = bf ? [xf, wf, bf] : [xf, wf];
  return recordOp(out, 'conv_transpose2d', inputs, (g) => {
    const gf = cast(g, dtype);
    const gx = xf.requiresGrad
      ? new Tensor(getKernel(K.Conv2d)(kernelInput(K.Conv2d, gf), yShape, kernelInput(K.Conv2d, wf), wf.shape, null, attrs).y, xf.shape)
      : null;
    const gw = wf.requiresGrad
      ? new Tensor(getKernel(K.Conv2dBackward)(
        kernelInput(K.Conv2dBackward, xf), kernelInput(K.Conv2dBackward, gf), yShape, kernelInput(K.Conv2dBackward, wf), wf.shape, attrs,
        { input: false, weight: true, bias: false },
      ).dw!, wf.shape)
      : null;
    const gb = bf?.requiresGrad ? sum(gf, [0, 2, 3]) : null;
    return [gx, gw, gb];
  });
}
