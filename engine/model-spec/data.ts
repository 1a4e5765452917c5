/**
 * The spec's `data` section applied to MNIST-format arrays: normalize, view as the Input node wants, hold out a
 * stratified validation set (the same split common/split.ts gives the main process), and wrap in DataLoaders.
 *
 * ```ts
 * const sets = specDatasets(spec, { trainImages, trainLabels, testImages, testLabels }, { limit: 6000 });
 * const loaders = specLoaders(spec, sets, new Random(0));
 * ```
 */
import type { IdxArray } from '../../common/idx';
import type { ModelSpec, Normalize } from '../../common/model-spec/index';
import { DataLoader } from '../data/dataloader';
import { ByteImageDataset } from '../data/byte-images';
import { Subset } from '../data/dataset';
import { stratifiedSplit } from '../data/split';
import type { Normalization } from '../data/transforms';
import type { Random } from '../random';
import type { Tensor } from '../tensor';
import { inputShape } from './build';

export interface MnistArrays {
  trainImages: IdxArray;
  trainLabels: IdxArray;
  testImages?: IdxArray;
  testLabels?: IdxArray;
}

export type ImageDataset = ByteImageDataset | Subset<[Tensor, Tensor]>;

export interface SpecDatasets {
  train: ImageDataset;
  validation: ImageDataset | null;
  test: ImageDataset | null;
}

export interface DatasetOptions {
  /** Use only the first `limit` training images (before the split); 0 or undefined = all. */
  limit?: number;
  /** Overrides spec.data.validationSize; 0 = no validation set, train on the training file as is. */
  validationSize?: number;
  /** Seed of the stratified split (default: common/split's). */
  splitSeed?: number;
}

const NORMALIZATION: Record<Normalize, Normalization> = { none: 'none', scale: 'scale', standardize: 'mnist' };

/** [N, 28, 28] uint8 images and [N] labels → a dataset of x viewed as [N, ...inputShape] and int32 y. */
/** The spec's dataset over IDX arrays: the first `limit` images (all with 0), normalised per batch, shaped as its Input. */
export function specImageDataset(spec: ModelSpec, images: IdxArray, labels: IdxArray, limit = 0): ByteImageDataset {
  if (images.shape.length !== 3) throw new Error(`images: expected shape [N, 28, 28], got [${images.shape.join(', ')}]`);
  if (images.shape[0] !== labels.shape[0]) throw new Error(`data: ${images.shape[0]} images but ${labels.shape[0]} labels`);
  if (!(images.data instanceof Uint8Array)) throw new Error(`images: expected uint8 pixels, got ${images.dtype}`);
  const n = limit > 0 ? Math.min(limit, images.shape[0]) : images.shape[0];
  const pixels = images.shape[1] * images.shape[2];
  const shape = inputShape(spec);
  if (shape.reduce((a, b) => a * b, 1) !== pixels) {
    throw new Error(`data: the Input shape [${shape.join(', ')}] does not hold the ${pixels} pixels of a ${images.shape[1]}×${images.shape[2]} image`);
  }
  return new ByteImageDataset(images.data.subarray(0, n * pixels), shape, labels.data.subarray(0, n), NORMALIZATION[spec.data.normalize]);
}

export function specDatasets(spec: ModelSpec, arrays: MnistArrays, options: DatasetOptions = {}): SpecDatasets {
  const full = specImageDataset(spec, arrays.trainImages, arrays.trainLabels, options.limit ?? 0);
  const test = arrays.testImages && arrays.testLabels ? specImageDataset(spec, arrays.testImages, arrays.testLabels) : null;
  const validationSize = options.validationSize ?? spec.data.validationSize;
  if (validationSize === 0) return { train: full, validation: null, test };
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= full.length) {
    throw new Error(`data: validation size ${validationSize} must be an integer from 0 to ${full.length - 1} (the training set has ${full.length} images)`);
  }
  const split = stratifiedSplit(full.targets.data, { validation: validationSize, seed: options.splitSeed });
  return { train: new Subset(full, split.train), validation: new Subset(full, split.validation), test };
}

export interface SpecLoaders {
  train: DataLoader<[Tensor, Tensor]>;
  validation: DataLoader<[Tensor, Tensor]> | null;
  test: DataLoader<[Tensor, Tensor]> | null;
}

/** DataLoaders with the spec's batch size and shuffle; evaluation uses bigger batches, in order. */
export function specLoaders(
  spec: ModelSpec, sets: SpecDatasets, generator: Random, overrides: { batchSize?: number; shuffle?: boolean } = {},
): SpecLoaders {
  const batchSize = overrides.batchSize ?? spec.data.batchSize;
  const evalLoader = (ds: ImageDataset | null) => (ds ? new DataLoader(ds, { batchSize: Math.max(batchSize, 256) }) : null);
  return {
    train: new DataLoader(sets.train, { batchSize, shuffle: overrides.shuffle ?? spec.data.shuffle, generator }),
    validation: evalLoader(sets.validation),
    test: evalLoader(sets.test),
  };
}
