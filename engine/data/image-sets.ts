/**
 * From the main process's loaded dataset (uint8 arrays + split indices, posted to the engine host) to training
 * datasets. The shape of the input mirrors src-main/services/datasets `LoadedDataset` structurally, so the engine
 * does not import main's types.
 *
 * ```ts
 * const { train, validation, test } = datasetsFromImageSets(loaded, { normalize: 'mnist' });
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Random(seed) });
 * ```
 */
import type { Tensor } from '../tensor';
import { Subset } from './dataset';
import { trainValidationSplit } from './split';
import { imageDataset, type ByteImageDataset } from './byte-images';
import type { ImagesToTensorOptions } from './transforms';

export interface ImageSetLike {
  /** N×H×W uint8 pixels. */
  images: Uint8Array;
  /** N uint8 labels. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

export interface ImageSetsLike {
  train: ImageSetLike;
  test: ImageSetLike | null;
  /** When absent the default stratified split (1/12, fixed seed) is computed here. */
  split?: { train: ArrayLike<number>; validation: ArrayLike<number> };
}

export interface ImageDatasets {
  /** The whole training file, its pixels kept as bytes; train and validation are views of it. */
  full: ByteImageDataset;
  train: Subset<[Tensor, Tensor]>;
  validation: Subset<[Tensor, Tensor]>;
  /** Held out: never part of the split. */
  test: ByteImageDataset | null;
}

function asIdx(set: ImageSetLike) {
  if (set.images.length !== set.count * set.height * set.width || set.labels.length !== set.count) {
    throw new Error(`datasetsFromImageSets: ${set.count} samples of ${set.height}×${set.width} need ${set.count * set.height * set.width} pixels and ${set.count} labels, got ${set.images.length} and ${set.labels.length}`);
  }
  return {
    images: { shape: [set.count, set.height, set.width], data: set.images },
    labels: { shape: [set.count], data: set.labels },
  };
}

export function datasetsFromImageSets(data: ImageSetsLike, options: ImagesToTensorOptions = {}): ImageDatasets {
  const t = asIdx(data.train);
  const full = imageDataset(t.images, t.labels, options);
  let train: Subset<[Tensor, Tensor]>;
  let validation: Subset<[Tensor, Tensor]>;
  if (data.split) {
    train = new Subset(full, data.split.train);
    validation = new Subset(full, data.split.validation);
  } else {
    ({ train, validation } = trainValidationSplit(full, data.train.labels));
  }
  let test: ByteImageDataset | null = null;
  if (data.test) {
    const s = asIdx(data.test);
    test = imageDataset(s.images, s.labels, options);
  }
  return { full, train, validation, test };
}
