/**
 * Image/label transforms for IDX data: uint8 pixels → float32 tensors, the way torchvision's
 * `ToTensor()` (÷255) and `Normalize((0.1307,), (0.3081,))` do for MNIST.
 *
 * ```ts
 * const x = imagesToTensor(parseIdx(imageBytes), { normalize: 'mnist' });          // [N,1,28,28] float32
 * const flat = imagesToTensor(images, { normalize: 'scale', layout: 'flat' });     // [N,784] in [0,1]
 * const y = labelsToTensor(parseIdx(labelBytes));                                   // [N] int32
 * ```
 */
import { Tensor } from '../tensor';

/** MNIST training-set pixel mean and std after ÷255 (torchvision's values). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** 'none': raw 0..255; 'scale': ÷255 into [0,1]; 'mnist': ÷255 then (x − 0.1307) / 0.3081; or your own mean/std. */
export type Normalization = 'none' | 'scale' | 'mnist' | { mean: number; std: number };

/**
 * A normalisation as p·scale + shift of a raw pixel p, computed in float64 and then rounded to float32: what
 * `pixelsToFloat32` does, and the byte datasets' gather kernels (K.GatherBytes) on every backend, so a pixel has
 * the same bits whichever converts it.
 */
export function normalizationAffine(normalize: Normalization): { scale: number; shift: number } {
  if (normalize === 'none') return { scale: 1, shift: 0 };
  const { mean, std } = normalize === 'scale' ? { mean: 0, std: 1 } : normalize === 'mnist' ? { mean: MNIST_MEAN, std: MNIST_STD } : normalize;
  if (!(std > 0)) throw new Error(`normalize: std must be positive, got ${std}`);
  // (p/255 − mean)/std = p·scale + shift, precomputed once (in float64) so the loop is one multiply-add.
  return { scale: 1 / (255 * std), shift: -mean / std };
}

/** Converts uint8 pixels to float32 with the given normalisation, in one pass. */
export function pixelsToFloat32(pixels: ArrayLike<number>, normalize: Normalization = 'scale'): Float32Array {
  const out = new Float32Array(pixels.length);
  const { scale, shift } = normalizationAffine(normalize);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] * scale + shift;
  return out;
}

export interface ImagesToTensorOptions {
  /** Default 'scale'. */
  normalize?: Normalization;
  /** 'nchw' → [N,1,H,W] (default, for conv nets); 'flat' → [N,H·W] (for MLPs). */
  layout?: 'nchw' | 'flat';
}

/** Turns [N,H,W] uint8 images (an IDX array) into a float32 tensor. */
export function imagesToTensor(
  images: { shape: readonly number[]; data: ArrayLike<number> },
  options: ImagesToTensorOptions = {},
): Tensor {
  const { shape } = images;
  if (shape.length !== 3) throw new Error(`imagesToTensor: expected images of shape [N,H,W], got [${shape.join(', ')}]`);
  const [n, h, w] = shape;
  const data = pixelsToFloat32(images.data, options.normalize ?? 'scale');
  const outShape = (options.layout ?? 'nchw') === 'flat' ? [n, h * w] : [n, 1, h, w];
  return new Tensor(data, outShape); // data is fresh: wrap, don't copy 188 MB again
}

/** Turns [N] labels (an IDX array or any integer array) into an int32 tensor. */
export function labelsToTensor(labels: { shape?: readonly number[]; data: ArrayLike<number> } | ArrayLike<number>): Tensor {
  const values = 'data' in labels ? labels.data : labels;
  if ('shape' in labels && labels.shape && labels.shape.length !== 1) {
    throw new Error(`labelsToTensor: expected labels of shape [N], got [${labels.shape.join(', ')}]`);
  }
  return new Tensor(Int32Array.from(values), [values.length]);
}
