/**
 * The chart's datasets from the curves: pure, so what the chart shows is testable without a canvas. x is in epochs.
 */
import type { EpochRecord, RunHistory } from '../../../../common/training-protocol';
import { detectOverfitting, smooth, smoother, type BatchPoint, type Curves, type XY } from './curves';
import { DecimatedLine } from './decimate';

export type Metric = 'loss' | 'accuracy';

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

const pick = (metric: Metric, e: EpochRecord, split: 'train' | 'val'): number | null =>
  metric === 'loss' ? (split === 'train' ? e.trainLoss : e.valLoss) : split === 'train' ? e.trainAcc : e.valAcc;

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
  const values = curves.batches.map((b) => (metric === 'loss' ? b.loss : b.accuracy));
  const smoothed = smooth(values, smoothing);
  const batchRaw = curves.batches.map((b, i) => ({ x: b.x, y: values[i] }));
  const batchSmooth = curves.batches.map((b, i) => ({ x: b.x, y: smoothed[i] }));
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
      const y = this.metric === 'loss' ? b.loss : b.accuracy;
      const s = this.#next(y);
      // On a log axis, values ≤ 0 cannot be drawn: dropped, as curveSeries drops them.
      if (!logScale || y > 0) this.#raw.push({ x: b.x, y });
      if (!logScale || s > 0) this.#smooth.push({ x: b.x, y: s });
    }
    return { raw: this.#raw.points(), smooth: this.#smooth.points() };
  }
}
