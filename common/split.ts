/**
 * The stratified train/validation split and each epoch's shuffle, shared by the engine (engine/data), the main
 * process (which may not import engine/) and, rewritten line for line in Python, the PyTorch twin
 * (common/model-spec/pytorch.ts, `TWIN_SPLIT_CODE`): one algorithm, so the app and the script train on the same images in
 * the same order. Only integer arithmetic modulo 2³² and one double multiply are involved, which both languages
 * compute bit for bit alike; common/model-spec/twin-split.test.ts checks it against a fixture the twin itself wrote.
 *
 * Example: MNIST's 60,000 training labels with `validation: 5000, seed: 0` give 55,000 train and 5,000 validation
 * indices, each class contributing in proportion to its count (class 1 has 6,742 samples → 562 in validation).
 */

/**
 * mulberry32, the same stream as engine/random.ts's `Random.next` (a test pins the two together). Duplicated here
 * because common/ may not import engine/.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of the default split (main's, the engine CLI's, and the one runs made before runs split by their own
 * seed keep using): a fixed value, so every process holds out the same samples.
 */
export const DEFAULT_SPLIT_SEED = 1307;
/** MNIST's customary validation size. */
export const DEFAULT_VALIDATION_SIZE = 5000;
/** The same as a fraction (5,000 of 60,000), the default for any training set. */
export const DEFAULT_VALIDATION_FRACTION = 1 / 12;

export interface StratifiedSplitOptions {
  /** Samples in the validation part: a count (≥ 1) or a fraction in (0, 1). */
  validation: number;
  seed?: number;
}

export interface SplitIndices {
  /** Sorted ascending. */
  train: Int32Array;
  /** Sorted ascending. */
  validation: Int32Array;
}

/**
 * Splits indices 0..n-1 so that each class keeps its proportion in both parts. Per-class quotas use the largest
 * remainder method, so the validation part has exactly the requested size. Within a class, the samples taken are a
 * seeded Fisher–Yates shuffle's prefix. Classes are visited in ascending label order, so the result depends only
 * on the labels and the seed.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: StratifiedSplitOptions): SplitIndices {
  const n = labels.length;
  const { validation } = options;
  const valCount = validation > 0 && validation < 1 ? Math.round(validation * n) : validation;
  if (!Number.isInteger(valCount) || valCount < 0 || valCount > n) {
    throw new Error(`stratifiedSplit: validation must be a count in 0..${n} or a fraction in (0, 1), got ${validation}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    let list = byClass.get(label);
    if (!list) byClass.set(label, (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);

  // Largest remainder: floor of each exact quota, then hand the leftover to the biggest fractional parts.
  const exact = classes.map((c) => (byClass.get(c)!.length * valCount) / n);
  const quota = exact.map(Math.floor);
  let left = valCount - quota.reduce((a, b) => a + b, 0);
  const order = classes.map((_, k) => k).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const k of order) {
    if (left <= 0) break;
    quota[k]++;
    left--;
  }

  const random = mulberry32(options.seed ?? DEFAULT_SPLIT_SEED);
  const isVal = new Uint8Array(n);
  classes.forEach((c, k) => {
    const members = byClass.get(c)!;
    // Partial Fisher–Yates: the first quota[k] slots become a uniform random sample of the class.
    for (let i = 0; i < quota[k]; i++) {
      const j = i + Math.floor(random() * (members.length - i));
      const tmp = members[i];
      members[i] = members[j];
      members[j] = tmp;
      isVal[members[i]] = 1;
    }
  });
  const train = new Int32Array(n - valCount);
  const val = new Int32Array(valCount);
  let t = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (isVal[i]) val[v++] = i;
    else train[t++] = i;
  }
  return { train, validation: val };
}

/** The seed of a run's epoch shuffle: (run seed · 7919 + epoch) mod 2³², epochs counted from 1. */
export function epochShuffleSeed(seed: number, epoch: number): number {
  return (seed * 7919 + epoch) >>> 0;
}

/**
 * The order in which epoch `epoch` (from 1) of a run seeded `seed` visits its n training samples: 0..n-1 as is
 * without shuffle, else a Fisher–Yates shuffle from the end, j = floor(u · (i + 1)) with u from
 * mulberry32(epochShuffleSeed(seed, epoch)): the stream and the loop of engine/random's `Random.permutation`.
 * The values are positions in the training part of the split (its indices sorted ascending), as a Subset sees them.
 *
 * Example: `epochOrder(5, 0, 1, true)` is a permutation of 0..4 that the twin's `epoch_order(5, 0, 1, True)` repeats.
 */
export function epochOrder(n: number, seed: number, epoch: number, shuffle: boolean): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!shuffle) return order;
  const random = mulberry32(epochShuffleSeed(seed, epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
