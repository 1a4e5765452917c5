/**
 * Speed and time left as a learner can trust them: training images per second of wall-clock time over the last
 * `windowMs`, measured from the engine's own report timestamps. The per-report figure the engine sends counts only
 * the seconds spent inside batches over ~50 ms, so it swings with every pause between batches, every validation
 * pass and every busy moment of the machine (3:36, 1:06, 7:51 within 40 s at a steady real rate); this one
 * changes only when the real rate does.
 *
 * A pause, a resume or a new run starts the measurement over, so waiting never counts as slow training.
 */

/** How much history the rate averages over. */
export const SPEED_WINDOW_MS = 20_000;
/** Less than this much history is too little to tell a rate. */
export const MIN_SPAN_MS = 1_000;

interface Point {
  /** The report's time (epoch ms, the engine's clock). */
  time: number;
  /** Images trained since the measurement started, up to this report. */
  samples: number;
}

export class SpeedMeter {
  #points: Point[] = [];
  #samples = 0;

  constructor(private readonly windowMs = SPEED_WINDOW_MS) {}

  /**
   * A batch report: its time and the images of its window. The first report after a reset only marks the start
   * (its images were trained before it, from a moment no report tells).
   */
  add(time: number, samples: number): void {
    if (this.#points.length > 0) this.#samples += samples;
    this.#points.push({ time, samples: this.#samples });
    // Keep one point at or before the window's start, so the window is always covered end to end.
    const start = time - this.windowMs;
    let drop = 0;
    while (drop + 1 < this.#points.length && this.#points[drop + 1].time <= start) drop++;
    if (drop > 0) this.#points.splice(0, drop);
  }

  reset(): void {
    this.#points = [];
    this.#samples = 0;
  }

  /** Images per second over the window, or null with less than MIN_SPAN_MS of history. */
  get rate(): number | null {
    const first = this.#points[0];
    const last = this.#points.at(-1);
    if (!first || !last || last.time - first.time < MIN_SPAN_MS) return null;
    return ((last.samples - first.samples) * 1000) / (last.time - first.time);
  }
}

/**
 * Seconds left: the images still to train (the rest of this epoch, then the whole training set for every epoch
 * after it) at `rate`. Example: epoch 2 of 3 with 1,000 of 5,000 images done at 500/s → (4,000 + 5,000) / 500 = 18 s.
 */
export function secondsLeft(p: { epoch: number; epochs: number; doneInEpoch: number; trainImages: number; rate: number | null }): number | null {
  if (p.rate === null || p.rate <= 0 || p.trainImages <= 0) return null;
  const left = Math.max(0, p.trainImages - p.doneInEpoch) + Math.max(0, p.epochs - p.epoch) * p.trainImages;
  return left / p.rate;
}
