/**
 * Which samples go into which batch: the index half of the DataLoader, kept free of tensors so it can be tested
 * and reused on its own (torch's RandomSampler + BatchSampler folded into one function).
 */
import type { Random } from '../random';

export interface BatchOptions {
  /** Samples per batch (≥ 1). */
  batchSize: number;
  /** Draw a fresh permutation from `generator` for this epoch. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Required when shuffle is on. */
  generator?: Random;
}

/** Number of batches one epoch over n samples yields. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
  }
}

/**
 * Splits 0..n-1 (or a permutation of it) into batches. The returned arrays are subarrays of one epoch order.
 * Example: n=5, batchSize=2 → [0,1] [2,3] [4]; with dropLast → [0,1] [2,3].
 */
export function batchIndices(n: number, options: BatchOptions): Int32Array[] {
  checkBatchSize(options.batchSize);
  let order: Int32Array;
  if (options.shuffle) {
    if (!options.generator) throw new Error('batchIndices: shuffle needs a generator');
    order = options.generator.permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  return batchesOf(order, options.batchSize, options.dropLast);
}

/** One epoch's order cut into batches (subarrays of `order`). Example: [4,2,0,1,3] by 2 → [4,2] [0,1] [3]. */
export function batchesOf(order: Int32Array, batchSize: number, dropLast = false): Int32Array[] {
  checkBatchSize(batchSize);
  const n = order.length;
  const batches: Int32Array[] = [];
  const count = batchCount(n, batchSize, dropLast);
  for (let b = 0; b < count; b++) batches.push(order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize)));
  return batches;
}
