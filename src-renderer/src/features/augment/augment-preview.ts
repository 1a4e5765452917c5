/**
 * The Data settings' augmentation preview: a few real training images, each shown as it is and as several random
 * draws of the augmentation, made by the very sampling the engine trains with (common/augment.ts). Pixels are
 * 0..255 grey; the preview samples them scaled to [0, 1] with black outside the image, as training does in any
 * normalisation.
 *
 * Example: `previewImages(samples, resolveAugment(spec.data), 3, 1)` gives, per sample, 3 augmented 28×28 images.
 */
import { augmentImages } from '../../../../common/augment';
import type { ResolvedAugment } from '../../../../common/model-spec/augment';
import { mulberry32 } from '../../../../common/split';

export interface GreyImages {
  /** count × height × width grey bytes. */
  pixels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** How many training images the preview shows, and how many draws of each. */
export const PREVIEW_SAMPLES = 4;
export const PREVIEW_DRAWS = 4;

/**
 * `draws` augmented versions of each image (result[i][k]: image i, draw k), all from one stream seeded by `seed`,
 * so a new seed shows new draws and the same seed the same ones. With nothing to augment, each draw is the image.
 */
export function previewImages(images: GreyImages, augment: ResolvedAugment | null, draws: number, seed: number): Uint8Array[][] {
  const { count, height, width } = images;
  const per = height * width;
  const n = count * draws;
  const src = new Float32Array(n * per);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < draws; k++) {
      const at = (i * draws + k) * per;
      for (let p = 0; p < per; p++) src[at + p] = images.pixels[i * per + p] / 255;
    }
  }
  const out = augment ? new Float32Array(n * per) : src;
  if (augment) augmentImages(src, out, n, height, width, augment, mulberry32(seed), 0);
  return Array.from({ length: count }, (_, i) => Array.from({ length: draws }, (_, k) => {
    const grey = new Uint8Array(per);
    const at = (i * draws + k) * per;
    for (let p = 0; p < per; p++) grey[p] = Math.round(Math.min(1, Math.max(0, out[at + p])) * 255);
    return grey;
  }));
}
