/**
 * DataLoader: iterate a dataset in batches, optionally shuffled with a seeded generator.
 *
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Random(0) });
 * for (const [x, y] of loader) { ... }   // x [64,1,28,28] float32, y [64] int32; a fresh order each epoch
 * ```
 * A BatchDataset (TensorDataset, Subset of one) is gathered with one copy per tensor per batch; other datasets are
 * read sample by sample and collated.
 */
import { defaultGenerator, type Random } from '../random';
import type { Tensor } from '../tensor';
import { collate, isBatchDataset, type Dataset, type Sample } from './dataset';
import { batchCount, batchIndices, checkBatchSize } from './sampler';

export interface DataLoaderOptions {
  /** Default 1. */
  batchSize?: number;
  /** Default false. A new permutation is drawn from `generator` at the start of every epoch. */
  shuffle?: boolean;
  /** Default false. Drop the last, smaller batch. */
  dropLast?: boolean;
  /** Default: the process-wide generator (engine/random.ts `manualSeed`), as torch does. */
  generator?: Random;
}

export class DataLoader<Item extends Sample = [Tensor, Tensor]> implements Iterable<Item> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Random | undefined;

  constructor(readonly dataset: Dataset<Item>, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    checkBatchSize(this.batchSize);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator;
  }

  /** Batches per epoch. */
  get length(): number {
    return batchCount(this.dataset.length, this.batchSize, this.dropLast);
  }

  *[Symbol.iterator](): Iterator<Item> {
    const batches = batchIndices(this.dataset.length, {
      batchSize: this.batchSize,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
      generator: this.shuffle ? (this.generator ?? defaultGenerator()) : undefined,
    });
    const dataset = this.dataset;
    for (const indices of batches) {
      yield isBatchDataset(dataset) ? dataset.getBatch(indices) : collate(indices, (i) => dataset.getItem(i));
    }
  }
}
