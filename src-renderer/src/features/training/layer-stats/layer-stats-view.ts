/**
 * What the Train tab's "Inside the network" panel draws from a run's layer statistics (common/layer-stats.ts):
 * the samples kept in order, each layer's series over training for its sparklines (log scale: norms span decades),
 * histogram bars, and a flag turned into message keys and parameters, its fix beside it.
 */
import { LAYER_STATS_HISTORY_MAX, thinSamples, type LayerFlag, type LayerStats, type LayerStatsSample, type ValueHistogram } from '../../../../../common/layer-stats';
import type { MessageKey } from '../../../lib/i18n/en';

/**
 * A live sample appended: a sample for a step at or before the last one means the run went back (a restart from a
 * checkpoint, a resume after a crash), and the samples from that step on are replaced, as the engine host's file.
 * Samples come 50 batches apart or more, so the copy is not per batch work. Past `max` they are thinned to half as
 * many, evenly spread (the first and the latest kept): a long run's sample then costs what a short one's does,
 * and the points a sparkline shows change once per halving, not with every sample.
 */
export function appendSamples(existing: readonly LayerStatsSample[], incoming: readonly LayerStatsSample[], max = LAYER_STATS_HISTORY_MAX): LayerStatsSample[] {
  const out = existing.slice();
  for (const sample of incoming) {
    while (out.length && out[out.length - 1].step >= sample.step) out.pop();
    out.push(sample);
  }
  return out.length > max ? thinSamples(out, Math.ceil(max / 2)) : out;
}

/** The stored history, then the live samples that arrived after it was read (at most `max`, as appendSamples). */
export function mergeHistory(history: readonly LayerStatsSample[], live: readonly LayerStatsSample[], max = LAYER_STATS_HISTORY_MAX): LayerStatsSample[] {
  const last = history.length ? history[history.length - 1].step : -Infinity;
  const out = [...history, ...live.filter((s) => s.step > last)];
  return out.length > max ? thinSamples(out, Math.ceil(max / 2)) : out;
}

export type SeriesMetric = 'weightNorm' | 'gradNorm' | 'updateRatio';

export interface Point {
  step: number;
  value: number;
}

/** One layer's metric over the samples; values that cannot go on a log scale (0, null, not finite) are left out. */
export function layerSeries(samples: readonly LayerStatsSample[], layer: string, metric: SeriesMetric): Point[] {
  const points: Point[] = [];
  for (const sample of samples) {
    const value = sample.layers.find((l) => l.name === layer)?.[metric];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) points.push({ step: sample.step, value });
  }
  return points;
}

/** SVG polyline points for `points` in a width × height box: steps across, log10 of the value up. */
export function sparklinePoints(points: readonly Point[], width: number, height: number, pad = 2): string {
  if (points.length === 0) return '';
  const steps = points.map((p) => p.step), logs = points.map((p) => Math.log10(p.value));
  const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
  const [y0, y1] = [Math.min(...logs), Math.max(...logs)];
  const x = (s: number) => (x1 > x0 ? pad + ((s - x0) / (x1 - x0)) * (width - 2 * pad) : width / 2);
  const y = (v: number) => (y1 > y0 ? height - pad - ((v - y0) / (y1 - y0)) * (height - 2 * pad) : height / 2);
  return points.map((p, i) => `${x(p.step).toFixed(1)},${y(logs[i]).toFixed(1)}`).join(' ');
}

export interface Bar {
  x: number;
  width: number;
  height: number;
}

/** One bar per bin, heights relative to the fullest bin (a bin with any count is at least a pixel high). */
export function histogramBars(h: ValueHistogram, width: number, height: number): Bar[] {
  const most = Math.max(...h.counts, 1);
  const w = width / h.counts.length;
  return h.counts.map((c, i) => ({ x: i * w, width: Math.max(w - 0.5, 0.5), height: c === 0 ? 0 : Math.max(1, (c / most) * height) }));
}

/**
 * All of a histogram's bars as one SVG path, a rectangle per non-empty bin: one element to style, lay out and
 * paint instead of a `<rect>` per bin (a LeNet-5 shows 22 histograms of 24 bins: 500 elements that each sample
 * re-rendered and each switch to the Train tab laid out again, #15.4).
 */
export function histogramPath(h: ValueHistogram, width: number, height: number): string {
  const r = (v: number) => Math.round(v * 100) / 100;
  return histogramBars(h, width, height)
    .filter((bar) => bar.height > 0)
    .map((bar) => `M${r(bar.x)},${height}V${r(height - bar.height)}H${r(bar.x + bar.width)}V${height}Z`)
    .join('');
}

/** A figure as the panel prints it: 3 significant digits, scientific when tiny or huge. */
export function figure(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e4) ? value.toExponential(1) : value.toPrecision(3).replace(/\.?0+$/, '');
}

/** A ratio as "130,000" rather than "1.3e+5": two significant digits, grouped, from 1,000 up. */
export function times(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (value < 1000) return figure(value);
  const digits = Math.floor(Math.log10(value)) - 1;
  return (Math.round(value / 10 ** digits) * 10 ** digits).toLocaleString('en-US');
}

/** "fc1 (Linear)": the state-dict name people see in PyTorch, and what the layer is. */
export function layerLabel(layers: readonly LayerStats[], name: string): string {
  const kind = layers.find((l) => l.name === name)?.kind;
  return kind ? `${name} (${kind})` : name;
}

/** What to try, per flag: messages without parameters. */
export type FixKey = 'layers.fix.vanishing' | 'layers.fix.exploding' | 'layers.fix.deadRelu' | 'layers.fix.tinyUpdates' | 'layers.fix.hugeUpdates';

export interface FlagText {
  key: MessageKey;
  params: Record<string, string>;
  fix: FixKey;
}

/** A flag as the words the panel shows (English and Korean catalogs hold them). */
export function flagText(flag: LayerFlag, layers: readonly LayerStats[]): FlagText {
  const layer = layerLabel(layers, flag.layer);
  const other = flag.other ? layerLabel(layers, flag.other) : '';
  switch (flag.kind) {
    case 'vanishing':
      return { key: 'layers.flag.vanishing', params: { layer, other, ratio: times(flag.value === null ? null : 1 / flag.value) }, fix: 'layers.fix.vanishing' };
    case 'exploding':
      return flag.value === null
        ? { key: 'layers.flag.explodingNotFinite', params: { layer }, fix: 'layers.fix.exploding' }
        : { key: 'layers.flag.exploding', params: { layer, other, ratio: times(flag.value) }, fix: 'layers.fix.exploding' };
    case 'dead-relu':
      return { key: 'layers.flag.deadRelu', params: { layer, share: ((flag.value ?? 0) * 100).toFixed(0) }, fix: 'layers.fix.deadRelu' };
    case 'tiny-updates':
      return { key: 'layers.flag.tinyUpdates', params: { layer, ratio: figure(flag.value) }, fix: 'layers.fix.tinyUpdates' };
    case 'huge-updates':
      return { key: 'layers.flag.hugeUpdates', params: { layer, ratio: figure(flag.value) }, fix: 'layers.fix.hugeUpdates' };
  }
}
