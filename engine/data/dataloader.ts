/**
 * DataLoader: iterate a dataset in batches, optionally shuffled with a seeded generator.
 *
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Random(0) });
 * for (const [x, y] of loader) { ... }   // x [64,1,28,28] float32, y [64] int32; a fresh order each epoch
 * ```
 * A BatchDataset (TensorDataset, Subset of one) is gathered with one copy per tensor per batch; other datasets are
 * read sample by sample and collated.
 *
 * The dataset is told which batch comes next (BatchDataset.getBatch's `upcoming`), so it can start reading it.
 *
 * Every batch is new arrays, as torch's, unless its user hands one back: `loader.release(batch)` once nothing will
 * read it again, and the next batch of that size is gathered into its arrays. The engine's loops (model-spec/fit.ts) do,
 * so that an epoch does not allocate a fresh 200 KB image array per step (issue #19: that allocation and its
 * garbage cost Mnist_Logistic a third of its CPU time).
 */
import { defaultGenerator, type Random } from '../random';
import type { Tensor } from '../tensor';
import { collate, isBatchDataset, type Dataset, type Sample, type TypedData } from './dataset';
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
  /** A released batch's arrays, per tensor: the next batch is gathered into them. */
  private spare: Array<TypedData | null> | null = null;

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
    for (let b = 0; b < batches.length; b++) {
      const indices = batches[b];
      if (!isBatchDataset(dataset)) {
        yield collate(indices, (i) => dataset.getItem(i));
        continue;
      }
      const reuse = this.spare;
      this.spare = null; // each released array is written into once: the batch that gets it owns it
      yield dataset.getBatch(indices, reuse ?? undefined, batches[b + 1]);
    }
  }

  /**
   * Hands a batch of this loader back, for the next batch to be gathered into its arrays instead of new ones. Only
   * once nothing reads the batch any more, its tensors or views of them: their values change with the next batch.
   * A tensor whose values have moved onto a device leaves no array to take.
   */
  release(batch: Item): void {
    this.spare = batch.map((t) => t.hostData as TypedData | null);
  }
}
