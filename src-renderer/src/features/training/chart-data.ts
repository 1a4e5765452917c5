/**
 * The chart's datasets from the curves: pure, so what the chart shows is testable without a canvas. x is in epochs.
 */
import type { EpochRecord, RunHistory } from '../../../../common/training-protocol';
import { detectOverfitting, smooth, type Curves, type XY } from './curves';

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
