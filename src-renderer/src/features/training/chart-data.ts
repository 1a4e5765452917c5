/**
 * The chart's datasets from the curves: pure, so what the chart shows is testable without a canvas. x is in epochs.
 * The lr chart uses the same datasets: its per-batch line is the lr of each report's last batch (never smoothed),
 * its epoch points the lr each epoch trained with (kept in the run's history, so a run opened from disk has them),
 * and the overlay the other run's epoch lrs.
 */
import type { EpochRecord, RunHistory } from '../../../../common/training-protocol';
import { detectOverfitting, smooth, smoother, type BatchPoint, type Curves, type XY } from './curves';
import { DecimatedLine } from './decimate';

export type Metric = 'loss' | 'accuracy' | 'lr';

export interface CurveSeries {
  batchRaw: XY[];
  batchSmooth: XY[];
  trainEpoch: XY[];
  valEpoch: XY[];
  /** Lowest validation loss (loss chart only). */
  best: XY[];
  overlayTrain: XY[];
  overlayVal: XY[];
}

const pick = (metric: Metric, e: EpochRecord, split: 'train' | 'val'): number | null => {
  if (metric === 'lr') return split === 'train' ? e.lr : null;
  if (metric === 'loss') return split === 'train' ? e.trainLoss : e.valLoss;
  return split === 'train' ? e.trainAcc : e.valAcc;
};

/** A batch point's value on `metric`'s chart; undefined where the point has none (lr: all but a report's last batch). */
const batchValue = (metric: Metric, b: BatchPoint): number | undefined =>
  metric === 'loss' ? b.loss : metric === 'accuracy' ? b.accuracy : b.lr;

function epochSeries(epochs: readonly EpochRecord[], metric: Metric, split: 'train' | 'val'): XY[] {
  const out: XY[] = [];
  for (const e of epochs) {
    const y = pick(metric, e, split);
    if (y !== null && Number.isFinite(y)) out.push({ x: e.epoch, y });
  }
  return out;
}

/** On a log axis, values ≤ 0 cannot be drawn: they are dropped rather than breaking the scale. */
const positive = (points: XY[]): XY[] => points.filter((p) => p.y > 0);

export function curveSeries(curves: Curves, metric: Metric, smoothing: number, overlay: RunHistory | null, logScale = false): CurveSeries {
  const withValue = curves.batches.filter((b) => batchValue(metric, b) !== undefined);
  const values = withValue.map((b) => batchValue(metric, b)!);
  const batchRaw = withValue.map((b, i) => ({ x: b.x, y: values[i] }));
  // An lr schedule is exact, not noisy: nothing to smooth.
  const smoothed = metric === 'lr' ? [] : smooth(values, smoothing);
  const batchSmooth = smoothed.map((y, i) => ({ x: withValue[i].x, y }));
  const o = metric === 'loss' ? detectOverfitting(curves.epochs) : null;
  const series: CurveSeries = {
    batchRaw,
    batchSmooth,
    trainEpoch: epochSeries(curves.epochs, metric, 'train'),
    valEpoch: epochSeries(curves.epochs, metric, 'val'),
    best: o?.best ? [{ x: o.best.epoch, y: o.best.valLoss }] : [],
    overlayTrain: overlay ? epochSeries(overlay.epochs, metric, 'train') : [],
    overlayVal: overlay ? epochSeries(overlay.epochs, metric, 'val') : [],
  };
  if (!logScale) return series;
  return Object.fromEntries(Object.entries(series).map(([k, v]) => [k, positive(v)])) as unknown as CurveSeries;
}

/** Points the per-batch lines keep (decimate.ts): about one per pixel of a wide chart. */
export const BATCH_LINE_LIMIT = 1000;

/**
 * The per-batch lines of one chart (`curveSeries`'s batchRaw and batchSmooth), kept up to date as batches arrive
 * instead of recomputed from the whole run at every redraw: feeding a new batch costs O(1), and the lines stay
 * under 2 × `limit` points (decimate.ts). Up to `limit` batches they are exactly `curveSeries`'s. A change of
 * smoothing or log scale, or a series that is not an extension of the last (a new run), rebuilds them once.
 */
export class BatchLines {
  #key = '';
  #fed = 0;
  #raw!: DecimatedLine;
  #smooth!: DecimatedLine;
  #next!: (value: number) => number;

  constructor(
    readonly metric: Metric,
    readonly limit = BATCH_LINE_LIMIT,
  ) {}

  /** Forget what was fed (the series was replaced); the next update rebuilds from its first point. */
  reset(): void {
    this.#key = '';
  }

  update(batches: readonly BatchPoint[], smoothing: number, logScale: boolean): { raw: XY[]; smooth: XY[] } {
    const key = `${smoothing}|${logScale}`;
    if (key !== this.#key || batches.length < this.#fed) {
      this.#key = key;
      this.#fed = 0;
      this.#raw = new DecimatedLine(this.limit, 'envelope');
      this.#smooth = new DecimatedLine(this.limit, 'last');
      this.#next = smoother(smoothing);
    }
    for (; this.#fed < batches.length; this.#fed++) {
      const b = batches[this.#fed];
      const y = batchValue(this.metric, b);
      if (y === undefined) continue;
      if (this.metric === 'lr') {
        if (!logScale || y > 0) this.#raw.push({ x: b.x, y });
        continue;
      }
      const s = this.#next(y);
      // On a log axis, values ≤ 0 cannot be drawn: dropped, as curveSeries drops them.
      if (!logScale || y > 0) this.#raw.push({ x: b.x, y });
      if (!logScale || s > 0) this.#smooth.push({ x: b.x, y: s });
    }
    return { raw: this.#raw.points(), smooth: this.#smooth.points() };
  }
}

/** The smallest and largest positive lr drawn, and whether any was ≤ 0 (a log axis cannot show it). */
export interface LrRange {
  min: number;
  max: number;
  nonPositive: boolean;
}

export const emptyLrRange = (): LrRange => ({ min: Infinity, max: -Infinity, nonPositive: false });

/** Widens `range` by one lr, in place: O(1) per batch, so the worker keeps it as batches arrive. */
export function widenLrRange(range: LrRange, lr: number | undefined): void {
  if (lr === undefined || !Number.isFinite(lr)) return;
  if (lr <= 0) range.nonPositive = true;
  else {
    range.min = Math.min(range.min, lr);
    range.max = Math.max(range.max, lr);
  }
}

/**
 * Whether the lr chart's y axis is logarithmic: when the lr spans two decades or more (StepLR's γ = 0.1 steps,
 * OneCycleLR's climb from max_lr / 25 and its fall to max_lr / 10⁴, ExponentialLR) a linear axis flattens all but the
 * largest values onto zero, while a log axis draws each ×0.1 as the same step. Within a decade (a cosine down to
 * half, a hand-made change) linear reads plainer, and an lr of 0 (CosineAnnealingLR's default eta_min) keeps it
 * linear: a log axis could not draw it.
 */
export function lrLogScale(range: LrRange): boolean {
  // Two decades with a float's slack: StepLR's 0.1 × 0.1 × 0.1 is 0.0010000000000000002, a ratio of 99.99999999999997.
  return !range.nonPositive && range.min > 0 && range.max / range.min >= 100 * (1 - 1e-9);
}
