/**
 * Splitting a dataset: randomSplit (torch.utils.data.random_split) and the stratified train/validation split.
 * The stratified index logic lives in common/split.ts so the main process computes the same split.
 */
import { DEFAULT_SPLIT_SEED, DEFAULT_VALIDATION_FRACTION, stratifiedSplit, type SplitIndices } from '../../common/split';
import { defaultGenerator, type Random } from '../random';
import type { Tensor } from '../tensor';
import { Subset, type Dataset, type Sample } from './dataset';

export { DEFAULT_SPLIT_SEED, DEFAULT_VALIDATION_FRACTION, DEFAULT_VALIDATION_SIZE, stratifiedSplit, type SplitIndices } from '../../common/split';

/**
 * Splits `dataset` into non-overlapping random subsets. `lengths` are counts summing to the dataset length, or
 * fractions summing to 1 (floored, then the remainder handed out one by one from the first subset, as torch does).
 * Example: `randomSplit(ds, [0.8, 0.2], new Random(0))`.
 */
export function randomSplit<Item extends Sample>(
  dataset: Dataset<Item>,
  lengths: number[],
  generator: Random = defaultGenerator(),
): Subset<Item>[] {
  const n = dataset.length;
  let counts = lengths;
  const fractions = lengths.every((l) => l >= 0 && l <= 1) && Math.abs(lengths.reduce((a, b) => a + b, 0) - 1) < 1e-9;
  if (fractions && lengths.reduce((a, b) => a + b, 0) !== n) {
    counts = lengths.map((f) => Math.floor(f * n));
    let left = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i]++;
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0) || counts.reduce((a, b) => a + b, 0) !== n) {
    throw new Error(`randomSplit: lengths [${lengths.join(', ')}] must be counts summing to ${n} or fractions summing to 1`);
  }
  const order = generator.permutation(n);
  const out: Subset<Item>[] = [];
  let start = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, order.subarray(start, start + c)));
    start += c;
  }
  return out;
}

export interface TrainValidationSplit<Item extends Sample> {
  train: Subset<Item>;
  validation: Subset<Item>;
  indices: SplitIndices;
}

/**
 * The default stratified split of a training set: per-class proportional, fixed seed, 1/12 held out. For MNIST
 * `trainValidationSplit(ds, labels)` gives 55,000/5,000. `validation` is a count or a fraction.
 */
export function trainValidationSplit<Item extends Sample>(
  dataset: Dataset<Item>,
  labels: ArrayLike<number> | Tensor,
  options: { validation?: number; seed?: number } = {},
): TrainValidationSplit<Item> {
  const values = 'data' in labels && 'shape' in labels ? labels.data : labels;
  if (values.length !== dataset.length) {
    throw new Error(`trainValidationSplit: ${values.length} labels for a dataset of ${dataset.length}`);
  }
  const indices = stratifiedSplit(values, { validation: options.validation ?? DEFAULT_VALIDATION_FRACTION, seed: options.seed ?? DEFAULT_SPLIT_SEED });
  return { train: new Subset(dataset, indices.train), validation: new Subset(dataset, indices.validation), indices };
}
