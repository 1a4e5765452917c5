/**
 * The training curves as plain data, and the rules drawn on top of them: smoothing, overfitting signs and the CSV
 * export. The x axis is in epochs (a batch at global step s sits at s / batchesPerEpoch), so per-batch points and
 * per-epoch points share one chart: epoch k's point sits at x = k, the end of that epoch.
 */
import type { BatchReport, EpochRecord, RunMarker } from '../../../../common/training-protocol';
import type { MessageKey } from '../../lib/i18n/en';

export interface XY {
  x: number;
  y: number;
}

/** One batch's numbers. */
export interface BatchPoint {
  step: number;
  /** In epochs. */
  x: number;
  loss: number;
  accuracy: number;
  /**
   * The learning rate, on the last batch of a report's window only: a report carries the lr of its last batch,
   * not one per batch (reports come every 50 ms or more, enough to draw a per-batch schedule such as OneCycleLR).
   */
  lr?: number;
}

export interface Curves {
  batches: BatchPoint[];
  epochs: EpochRecord[];
  markers: RunMarker[];
  batchesPerEpoch: number;
}

export const EMPTY_CURVES: Curves = { batches: [], epochs: [], markers: [], batchesPerEpoch: 1 };

/** Every batch a `run-batch` report carries (its window), as points. */
export function batchPoints(report: BatchReport): BatchPoint[] {
  const n = report.window.loss.length;
  const perEpoch = Math.max(1, report.batches);
  const points: BatchPoint[] = [];
  for (let i = 0; i < n; i++) {
    const step = report.step - n + 1 + i;
    const size = report.window.size[i];
    const point: BatchPoint = {
      step,
      x: step / perEpoch,
      loss: report.window.loss[i],
      accuracy: size > 0 ? report.window.correct[i] / size : 0,
    };
    if (i === n - 1) point.lr = report.lr;
    points.push(point);
  }
  return points;
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight `weight` (0 = none, 0.99 = heavy), debiased
 * so the first points are not dragged towards 0. Non-finite values are passed through and skipped.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  const next = smoother(weight);
  return values.map((v) => next(v));
}

/** `smooth` one value at a time, for a line that grows as batches arrive: `next(v)` is the smoothed v. */
export function smoother(weight: number): (value: number) => number {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let seen = 0;
  return (v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    seen++;
    return w === 0 ? v : last / (1 - w ** seen);
  };
}

export interface Overfitting {
  /** The epoch with the lowest validation loss, and that loss. */
  best: { epoch: number; valLoss: number } | null;
  /** Per epoch: validation loss − training loss (the generalisation gap). */
  gap: XY[];
  /** Epochs in a row, up to the last, in which the validation loss rose. */
  risingFor: number;
  /** True when it has risen for at least `patience` epochs: time to stop or regularise. */
  warning: boolean;
}

export function detectOverfitting(epochs: readonly EpochRecord[], patience = 3): Overfitting {
  let best: Overfitting['best'] = null;
  const gap: XY[] = [];
  let risingFor = 0;
  let previous: number | null = null;
  for (const e of epochs) {
    if (e.valLoss === null || !Number.isFinite(e.valLoss)) continue;
    if (!best || e.valLoss < best.valLoss) best = { epoch: e.epoch, valLoss: e.valLoss };
    if (Number.isFinite(e.trainLoss)) gap.push({ x: e.epoch, y: e.valLoss - e.trainLoss });
    risingFor = previous !== null && e.valLoss > previous ? risingFor + 1 : 0;
    previous = e.valLoss;
  }
  return { best, gap, risingFor, warning: risingFor >= patience };
}

export type MarkerKind = RunMarker['kind'] | 'resumed';

/** The catalog key that labels each marker on the chart; a new marker kind fails to compile until it has one. */
export const MARKER_LABELS = {
  lr: 'train.marker.lr',
  resumed: 'train.marker.resume',
  restarted: 'train.marker.restart',
  recovered: 'train.marker.recovered',
  diverged: 'train.marker.diverged',
  backend: 'train.marker.backend',
} as const satisfies Record<MarkerKind, MessageKey>;

/**
 * Markers worth a vertical line: the run's own (lr changes, restarts, recoveries, divergences) and the global
 * steps at which the learner resumed a paused run. x in epochs, in step order.
 */
export function chartMarkers(markers: readonly RunMarker[], batchesPerEpoch: number, resumes: readonly number[] = []): { x: number; kind: MarkerKind; label: string }[] {
  const per = Math.max(1, batchesPerEpoch);
  return [
    ...markers.map((m) => ({ x: m.step / per, kind: m.kind as MarkerKind, label: m.message })),
    ...resumes.map((step) => ({ x: step / per, kind: 'resumed' as const, label: `resumed at batch ${step}` })),
  ].sort((a, b) => a.x - b.x);
}

const csvCell = (v: number | string | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One CSV with both granularities: `kind` is batch or epoch; empty cells where a column does not apply. */
export function curvesCsv(curves: Curves): string {
  const rows: (number | string | null)[][] = [['kind', 'step', 'epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'lr']];
  for (const b of curves.batches) rows.push(['batch', b.step, +b.x.toFixed(6), b.loss, b.accuracy, null, null, null]);
  for (const e of curves.epochs) {
    rows.push(['epoch', e.epoch * curves.batchesPerEpoch, e.epoch, e.trainLoss, e.trainAcc, e.valLoss, e.valAcc, e.lr]);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** `1:05`, `12:00:07`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
