/**
 * The curve charts are drawn by chart.js in a worker on an OffscreenCanvas, so the renderer's main thread never
 * spends a frame on layout, ticks or canvas drawing while a run streams batches. These are the messages, and the
 * rule that sends only the batch points the worker does not have yet.
 */
import type { RunHistory } from '../../../../common/training-protocol';
import type { FaceSource } from '../../lib/fonts/chart-font';
import type { Metric } from './chart-data';
import type { MarkerLine } from './chart-setup';
import type { BatchPoint, Curves } from './curves';
import type { Palette } from './palette';

export interface ChartLabels {
  title: string;
  epochs: string;
  trainBatch: string;
  trainSmooth: string;
  trainEpoch: string;
  valEpoch: string;
  best: string;
  overlayTrain: string;
  overlayVal: string;
}

export type ToChartWorker =
  | {
    type: 'init'; canvas: OffscreenCanvas; metric: Metric; palette: Palette; labels: ChartLabels; width: number; height: number; dpr: number;
    /** The stack to draw text in, and the bundled faces for the worker's own FontFaceSet (lib/fonts/chart-font.ts). */
    font: { family: string; faces: FaceSource[] };
  }
  | { type: 'resize'; width: number; height: number; dpr: number }
  /** The theme changed: re-colour in place. */
  | { type: 'palette'; palette: Palette }
  | {
    type: 'data';
    /** Batch points from index `from` on; the worker keeps the ones before. */
    from: number;
    batches: BatchPoint[];
    rest: Omit<Curves, 'batches'>;
    overlay: RunHistory | null;
    smoothing: number;
    logScale: boolean;
    markers: MarkerLine[];
  }
  | { type: 'png'; id: number };

/** What the worker drew its text in: the stack, whether every face its text needs is loaded, how many bundled faces are. */
export interface ChartFontState {
  family: string;
  ready: boolean;
  bundledFacesLoaded: number;
  /** The x axis's title measures differently in this stack than in chart.js's own: another face draws it. */
  titleApart: boolean;
}

export type FromChartWorker =
  /** `legend`: the colour the legend is drawn in now (the figure exposes it, so a test sees the theme reach the canvas). */
  | {
    type: 'drawn'; batches: number; epochs: number; legend: string; font: ChartFontState;
    /** The last value drawn (the per-batch line's, else the last epoch point's), and the y axis's type. */
    last: number | null;
    scale: 'linear' | 'logarithmic';
  }
  | { type: 'png'; id: number; blob: Blob | null };

/**
 * What to send of `next` when the worker already holds `sent` (the previous array and its length): the new tail
 * when `next` extends it, everything otherwise (a new run, a reset).
 */
export function batchDelta(sent: { array: readonly BatchPoint[]; length: number } | null, next: readonly BatchPoint[]): { from: number; batches: BatchPoint[] } {
  if (sent && next.length >= sent.length && (sent.length === 0 ? next === sent.array || sent.array.length === 0 : next[sent.length - 1] === sent.array[sent.length - 1])) {
    return { from: sent.length, batches: next.slice(sent.length) };
  }
  return { from: 0, batches: next.slice() };
}
