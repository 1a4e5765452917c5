/** Reads the four MNIST-format IDX files from a folder, gzipped (`.gz`) or not. Node only. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx, type IdxArray } from '../../common/idx';
import type { MnistArrays } from '../model-spec/index';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** One IDX file, `name.gz` preferred; the error names the path and what the folder should hold. */
export function readIdxFile(dir: string, name: string): IdxArray {
  const gz = join(dir, `${name}.gz`);
  const plain = join(dir, name);
  let bytes: Uint8Array;
  if (existsSync(gz)) {
    try {
      bytes = new Uint8Array(gunzipSync(readFileSync(gz)));
    } catch (err) {
      throw new Error(`${gz}: not a valid gzip file (${(err as Error).message})`);
    }
  } else if (existsSync(plain)) {
    bytes = new Uint8Array(readFileSync(plain));
  } else {
    throw new Error(`missing ${gz}: --data must be a folder with the four MNIST IDX files (${Object.values(MNIST_FILES).map((f) => `${f}.gz`).join(', ')})`);
  }
  const isImages = name.includes('images');
  return parseIdx(bytes, { name, dtype: 'uint8', shape: isImages ? [null, 28, 28] : [null] });
}

export function readMnist(dir: string): Required<MnistArrays> {
  if (!existsSync(dir)) throw new Error(`--data folder ${dir} does not exist`);
  return {
    trainImages: readIdxFile(dir, MNIST_FILES.trainImages),
    trainLabels: readIdxFile(dir, MNIST_FILES.trainLabels),
    testImages: readIdxFile(dir, MNIST_FILES.testImages),
    testLabels: readIdxFile(dir, MNIST_FILES.testLabels),
  };
}
