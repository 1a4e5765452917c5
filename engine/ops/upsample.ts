/**
 * interpolate: 2-D upsampling (or downsampling) of NCHW images, as torch.nn.functional.interpolate and nn.Upsample.
 *
 *   x [N, C, H, W] -> y [N, C, H_out, W_out],  H_out = size[0] or floor(H · scale_factor)   (W likewise)
 *   nearest:  y[n, c, i, j] = x[n, c, floor(i · H/H_out), floor(j · W/W_out)]   (1/scale_factor when one is given)
 *   bilinear: the four input pixels around the source point, weighted by their distance (align_corners: the corner
 *             pixels of input and output line up exactly; otherwise pixel centres do, as in torch's default)
 *   (an unbatched x [C, H, W] gives y [C, H_out, W_out])
 *
 * Backward (kernel Upsample2dBackward): each output's gradient is added back to the input pixels it read, with the
 * same weights. Modes other than 'nearest' and 'bilinear' (torch's 'bicubic', 'area', 'nearest-exact') are an error.
 *
 * Example: interpolate(x [N, 8, 7, 7], { scaleFactor: 2 }) → [N, 8, 14, 14], each pixel repeated 2×2.
 */
import type { Upsample2dAttrs, UpsampleMode } from '../backend/cpu/upsample';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { cast } from './elementwise';
import { squeeze, unsqueeze } from './shape';
import { floatDType, kernelInput } from './util';
import { pair, type Size2 } from './conv';

export const UPSAMPLE_MODES: readonly UpsampleMode[] = ['nearest', 'bilinear'];

export interface InterpolateOptions {
  /** The output (H, W); exactly one of size and scaleFactor. */
  size?: Size2 | null;
  /** Multiplies H and W (one number, or [h, w]); H_out = floor(H · scale). */
  scaleFactor?: number | readonly [number, number] | null;
  mode?: UpsampleMode;
  /** bilinear only: align the corner pixels (torch's default for bilinear is false). */
  alignCorners?: boolean | null;
}

/** The kernel attrs for an input of H×W, checked as torch checks them. */
export function upsampleAttrs(h: number, w: number, opts: InterpolateOptions): Upsample2dAttrs {
  const op = 'interpolate';
  checkOptions(op, opts, ['size', 'scaleFactor', 'mode', 'alignCorners']);
  const mode = opts.mode ?? 'nearest';
  if (!UPSAMPLE_MODES.includes(mode)) {
    throw new Error(`${op}: mode '${mode as string}' is not supported; LayerLab has 'nearest' and 'bilinear'`);
  }
  const alignCorners = opts.alignCorners ?? null;
  if (alignCorners !== null && mode === 'nearest') {
    throw new Error(`${op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  }
  const size = opts.size ?? null, scale = opts.scaleFactor ?? null;
  if (size !== null && scale !== null) throw new Error(`${op}: only one of size or scale_factor should be defined`);
  if (size === null && scale === null) throw new Error(`${op}: either size or scale_factor should be defined`);
  let outH: number, outW: number, scaleH: number | null = null, scaleW: number | null = null;
  if (size !== null) {
    [outH, outW] = pair(op, 'size', size, 1);
  } else {
    [scaleH, scaleW] = typeof scale === 'number' ? [scale, scale] : [scale![0], scale![1]];
    if (!(scaleH > 0 && scaleW > 0 && Number.isFinite(scaleH) && Number.isFinite(scaleW))) {
      throw new Error(`${op}: scale_factor must be positive, got ${JSON.stringify(scale)}`);
    }
    outH = Math.floor(h * scaleH);
    outW = Math.floor(w * scaleW);
    if (outH < 1 || outW < 1) throw new Error(`${op}: scale_factor ${JSON.stringify(scale)} makes the ${h}x${w} input empty`);
  }
  return { mode, outH, outW, scaleH, scaleW, alignCorners: alignCorners ?? false };
}

export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  if (x.ndim === 3) return squeeze(interpolate(unsqueeze(x, 0), opts), 0);
  if (x.ndim !== 4) throw new Error(`interpolate: input must be [N, C, H, W] or [C, H, W], got [${x.shape.join(',')}]`);
  const attrs = upsampleAttrs(x.shape[2], x.shape[3], opts);
  const dtype = floatDType(x.dtype);
  const xf = cast(x, dtype);
  const { y, shape } = getKernel(K.Upsample2d)(kernelInput(K.Upsample2d, xf), xf.shape, attrs);
  return recordOp(new Tensor(y, shape), 'upsample', [xf], (g) => [
    new Tensor(getKernel(K.Upsample2dBackward)(kernelInput(K.Upsample2dBackward, cast(g, dtype)), xf.shape, attrs), xf.shape),
  ]);
}
