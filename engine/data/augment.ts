/**
 * Training-time augmentation of a batch: torchvision's RandomAffine and ElasticTransform (common/model-spec/augment.ts),
 * sampled bilinearly with black outside the image, as F.affine_grid + F.grid_sample do in the twin. The sampling is
 * common/augment.ts, shared with the Data settings' preview; this module seeds it per batch and keeps the tensor's
 * shape.
 *
 * Deterministic from the run's seed and the batch's step (common/augment.ts `augmentSeed`), and independent of the
 * global generator, so dropout draws do not move when augmentation is turned on, and a batch replayed after a
 * crash is augmented the same way. Only training batches are augmented; validation and test images never are.
 *
 * ```ts
 * const augment = resolveAugment(spec.data);                     // null: nothing to do
 * if (augment) xb = augmentBatch(xb, augment, { seed: 0, step: 41, normalize: 'mnist' });
 * ```
 */
import { augmentImages, augmentSeed } from '../../common/augment';
import type { ResolvedAugment } from '../../common/model-spec/augment';
import { mulberry32 } from '../../common/split';
import { Tensor } from '../tensor';
import { pixelsToFloat32, type Normalization } from './transforms';

export interface AugmentBatchOptions {
  /** The run's seed. */
  seed: number;
  /** The batch's number over the whole run, from 0. */
  step: number;
  /** How the images were normalised: a black pixel's value is what fills the space an image moves away from. */
  normalize: Normalization;
}

/** A black pixel (0) after `normalize`, computed by the same arithmetic as the images themselves. */
export function blackLevel(normalize: Normalization): number {
  return pixelsToFloat32([0], normalize)[0];
}

/**
 * A new [N, 1, H, W] (or [N, H, W]) tensor: each image of `x` turned, shifted, scaled and/or elastically
 * distorted by its own random draw.
 */
export function augmentBatch(x: Tensor, augment: ResolvedAugment, options: AugmentBatchOptions): Tensor {
  const shape = x.shape;
  const [h, w] = shape.slice(-2);
  const n = shape[0];
  if (!((shape.length === 4 && shape[1] === 1) || shape.length === 3)) {
    throw new Error(`augmentBatch: expected single-channel images [N, 1, H, W] or [N, H, W], got [${shape.join(', ')}]`);
  }
  const out = new Float32Array(n * h * w);
  const random = mulberry32(augmentSeed(options.seed, options.step));
  augmentImages(x.data as Float32Array, out, n, h, w, augment, random, blackLevel(options.normalize));
  return new Tensor(out, shape);
}
