/**
 * Small rules of the Predict tab, kept pure for the unit tests: the top-k classes, throttling the requests sent
 * while the pen is still moving, request ids shared by every feature that asks the engine for predictions, and
 * the learner's own test set.
 */

export interface Ranked {
  digit: number;
  p: number;
}

/** The k most probable classes, most probable first (ties keep the lower digit first). */
export function topK(probabilities: readonly number[], k: number): Ranked[] {
  return probabilities
    .map((p, digit) => ({ digit, p }))
    .sort((a, b) => b.p - a.p || a.digit - b.digit)
    .slice(0, k);
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Performance marks from pen-up to the first frame with the pen-up's prediction (#15.2's 30 ms budget), and the
 * measures between them that `npm run bench:pad` and e2e/predict-pad.spec.ts read from the page.
 */
export const PAD_MARKS = {
  penUp: 'pad:pen-up',
  asked: 'pad:asked',
  prepared: 'pad:prepared',
  posted: 'pad:posted',
  answered: 'pad:answered',
  rendered: 'pad:rendered',
  onScreen: 'pad:on-screen',
} as const;

/** [measure, from mark, to mark]: the legs, then the whole way. */
export const PAD_MEASURES: readonly (readonly [string, string, string])[] = [
  ['pad: preprocess', PAD_MARKS.asked, PAD_MARKS.prepared],
  ['pad: post', PAD_MARKS.prepared, PAD_MARKS.posted],
  ['pad: engine round trip', PAD_MARKS.posted, PAD_MARKS.answered],
  ['pad: DOM update', PAD_MARKS.answered, PAD_MARKS.rendered],
  ['pad: to the frame', PAD_MARKS.rendered, PAD_MARKS.onScreen],
  ['pad: pen-up → on screen', PAD_MARKS.penUp, PAD_MARKS.onScreen],
];

let lastRequestId = 0;
/** Unique across the app's features, so a `prediction` goes back to whoever asked. */
export function nextRequestId(): number {
  lastRequestId = (lastRequestId + 1) % 2 ** 31;
  return lastRequestId;
}

/**
 * Calls `run` at most once per `intervalMs` while asked repeatedly (the trailing call always happens, so the last
 * stroke is never lost); `now` flushes at once (pen up).
 */
export class Throttle {
  #last = -Infinity;
  #timer: unknown = null;

  constructor(
    private readonly run: () => void,
    private readonly intervalMs: number,
    private readonly clock: () => number = () => performance.now(),
    private readonly setTimer: (cb: () => void, ms: number) => unknown = (cb, ms) => setTimeout(cb, ms),
    private readonly clearTimer: (t: unknown) => void = (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  ) {}

  request(): void {
    if (this.#timer !== null) return;
    const wait = this.#last + this.intervalMs - this.clock();
    if (wait <= 0) return this.now();
    this.#timer = this.setTimer(() => {
      this.#timer = null;
      this.now();
    }, wait);
  }

  now(): void {
    this.cancel();
    this.#last = this.clock();
    this.run();
  }

  cancel(): void {
    if (this.#timer !== null) this.clearTimer(this.#timer);
    this.#timer = null;
  }
}

export interface OwnExample {
  pixels: number[];
  label: number;
  predicted: number;
  confidence: number;
}

/** Accuracy on the learner's own handwriting, and per digit: [right, total]. */
export function ownAccuracy(examples: readonly OwnExample[]): { accuracy: number | null; perDigit: [number, number][] } {
  const perDigit: [number, number][] = Array.from({ length: 10 }, () => [0, 0]);
  let right = 0;
  for (const e of examples) {
    perDigit[e.label][1]++;
    if (e.predicted === e.label) {
      right++;
      perDigit[e.label][0]++;
    }
  }
  return { accuracy: examples.length ? right / examples.length : null, perDigit };
}
