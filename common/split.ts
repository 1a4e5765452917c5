/**
 * The stratified train/validation split, shared by the engine (engine/data) and the main process (which may not
 * import engine/): one implementation, so both sides agree on which samples are held out for validation.
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

/** The default split seed: a fixed value so every run, host and process holds out the same samples. */
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
