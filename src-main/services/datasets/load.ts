/**
 * Loading a cached dataset for training: inflate (node:zlib), parse and validate the IDX files with common/idx.ts,
 * and return plain typed arrays (each on its own ArrayBuffer, listed in `transfer` for postMessage), plus the
 * default stratified train/validation split. The test set is held out: it is returned separately and never split.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { parseIdx, type IdxArray } from '../../../common/idx';
import { DEFAULT_SPLIT_SEED, DEFAULT_VALIDATION_FRACTION, stratifiedSplit } from '../../../common/split';
import type { Manifest, ManifestFile } from './cache';
import type { DatasetRole } from './catalogue';
import { engineText } from '../../../common/engine-text';
import { datasetError } from './errors';

const gunzip = promisify(gunzipCb);

export interface ImageSet {
  /** N×H×W uint8 pixels, row-major. */
  images: Uint8Array;
  /** N uint8 labels. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

export interface LoadedDataset {
  name: string;
  classes: string[];
  train: ImageSet;
  /** Held out; null for a custom import without test files. */
  test: ImageSet | null;
  /** Indices into `train` (sorted); per-class proportional, fixed seed. */
  split: { train: Int32Array; validation: Int32Array; seed: number };
  /** Every buffer above, for postMessage's transfer list. */
  transfer: ArrayBuffer[];
}

export interface LoadOptions {
  /** Validation size: a count or a fraction of the training set. Default 1/12 (MNIST: 5,000 of 60,000). */
  validation?: number;
  seed?: number;
}

/** Reads one stored file and inflates it when gzipped (by magic, not by name). */
export async function readIdxFile(path: string, name = path): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzip(bytes);
    } catch (err) {
      throw datasetError('corrupt', engineText('dataset.corrupt.gzip', { file: name, detail: (err as Error).message }));
    }
  }
  try {
    return parseIdx(bytes, { name });
  } catch (err) {
    throw datasetError('corrupt', engineText('dataset.corrupt.idx', { detail: (err as Error).message }));
  }
}

/** Checks an images/labels pair and narrows it to uint8 arrays. */
export function toImageSet(images: IdxArray, labels: IdxArray, what: 'train' | 'test'): ImageSet {
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw datasetError('corrupt', engineText(`dataset.corrupt.images.${what}`, { shape: images.shape.join('×'), dtype: images.dtype }));
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw datasetError('corrupt', engineText(`dataset.corrupt.labels.${what}`, { shape: labels.shape.join('×'), dtype: labels.dtype }));
  }
  if (images.shape[0] !== labels.shape[0]) {
    throw datasetError('corrupt', engineText(`dataset.corrupt.counts.${what}`, { images: images.shape[0], labels: labels.shape[0] }));
  }
  const [count, height, width] = images.shape;
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count, height, width };
}

export async function loadFromManifest(dir: string, manifest: Manifest, options: LoadOptions = {}): Promise<LoadedDataset> {
  const read = async (rec: ManifestFile | undefined, role: DatasetRole) => {
    if (!rec) throw datasetError('not-downloaded', engineText(`dataset.fileMissing.${role}`, { name: manifest.name }));
    return readIdxFile(join(dir, rec.file), rec.file);
  };
  const [trainImages, trainLabels] = await Promise.all([read(manifest.files.trainImages, 'trainImages'), read(manifest.files.trainLabels, 'trainLabels')]);
  const train = toImageSet(trainImages, trainLabels, 'train');
  let test: ImageSet | null = null;
  if (manifest.files.testImages || manifest.files.testLabels) {
    const [ti, tl] = await Promise.all([read(manifest.files.testImages, 'testImages'), read(manifest.files.testLabels, 'testLabels')]);
    test = toImageSet(ti, tl, 'test');
  }
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const split = stratifiedSplit(train.labels, { validation: options.validation ?? DEFAULT_VALIDATION_FRACTION, seed });
  let classes = manifest.classes ?? [];
  if (classes.length === 0) {
    const max = train.labels.reduce((a, b) => Math.max(a, b), 0);
    classes = Array.from({ length: max + 1 }, (_, i) => String(i));
  }
  const transfer = [train.images, train.labels, test?.images, test?.labels, split.train, split.validation]
    .filter((a): a is Uint8Array | Int32Array => !!a)
    .map((a) => a.buffer as ArrayBuffer);
  return { name: manifest.name, classes, train, test, split: { ...split, seed }, transfer };
}
