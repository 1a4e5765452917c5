import { describe, expect, it } from 'vitest';
import type { LayerStats, LayerStatsSample } from '../../../../../common/layer-stats';
import { en } from '../../../lib/i18n/en';
import { ko } from '../../../lib/i18n/ko';
import { format } from '../../../lib/i18n/translate';
import {
  appendSamples, figure, flagText, histogramBars, histogramPath, layerSeries, mergeHistory, sparklinePoints, times,
} from './layer-stats-view';

const layer = (name: string, over: Partial<LayerStats> = {}): LayerStats => ({
  name, kind: 'Linear', params: 10, weightNorm: 1, gradNorm: 0.1, updateRatio: 1e-3, weights: null, grads: null,
  activations: null, deadShare: null, ...over,
});
const sample = (step: number, layers: LayerStats[] = [layer('0')]): LayerStatsSample => ({ step, epoch: 1, batch: step, layers, flags: [] });

describe('samples', () => {
  it('appends live samples, a step seen again replacing the samples from it on (a restart)', () => {
    const steps = (s: LayerStatsSample[]) => s.map((x) => x.step);
    expect(steps(appendSamples([sample(1), sample(50), sample(100)], [sample(150)]))).toEqual([1, 50, 100, 150]);
    expect(steps(appendSamples([sample(1), sample(50), sample(100)], [sample(50)]))).toEqual([1, 50]);
  });

  it('keeps a long run under the bound: past it, half as many, evenly spread, the first and the latest kept', () => {
    let samples: LayerStatsSample[] = [];
    const lengths: number[] = [];
    for (let step = 1; step <= 25; step++) {
      samples = appendSamples(samples, [sample(step * 50)], 10);
      lengths.push(samples.length);
    }
    expect(Math.max(...lengths)).toBe(10);
    // 10 kept, the 11th halves them to 5, and they grow again: 6 … 10, 5, …
    expect(lengths.slice(8, 13)).toEqual([9, 10, 5, 6, 7]);
    expect(samples[0].step).toBe(50);
    expect(samples[samples.length - 1].step).toBe(1250);
    const steps = samples.map((s) => s.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    // A stored history longer than the bound with live samples after it is bounded too.
    const history = Array.from({ length: 10 }, (_, i) => sample(i + 1));
    expect(mergeHistory(history, [sample(11), sample(12)], 10).map((s) => s.step)).toEqual([1, 4, 7, 9, 12]);
  });

  it('puts the stored history first and keeps only the live samples that came after it', () => {
    expect(mergeHistory([sample(1), sample(50)], [sample(50), sample(100)]).map((s) => s.step)).toEqual([1, 50, 100]);
    expect(mergeHistory([], [sample(7)]).map((s) => s.step)).toEqual([7]);
  });

  it("gives a layer's series, leaving out what a log scale cannot show", () => {
    const samples = [sample(1, [layer('0', { gradNorm: 0.5 })]), sample(2, [layer('0', { gradNorm: 0 })]), sample(3, [layer('0', { gradNorm: null })]), sample(4, [layer('1')])];
    expect(layerSeries(samples, '0', 'gradNorm')).toEqual([{ step: 1, value: 0.5 }]);
    expect(layerSeries(samples, '0', 'weightNorm').map((p) => p.step)).toEqual([1, 2, 3]);
  });
});

describe('drawing', () => {
  it('draws a sparkline on a log scale: a tenfold step is the same height wherever it is', () => {
    const line = sparklinePoints([{ step: 0, value: 1 }, { step: 5, value: 10 }, { step: 10, value: 100 }], 100, 24, 2)
      .split(' ').map((p) => p.split(',').map(Number));
    expect(line).toEqual([[2, 22], [50, 12], [98, 2]]);
    expect(sparklinePoints([], 100, 24)).toBe('');
  });

  it('scales histogram bars to the fullest bin, a non-empty bin at least a pixel high', () => {
    const bars = histogramBars({ min: 0, max: 1, counts: [0, 1, 1000] }, 30, 20);
    expect(bars.map((b) => b.height)).toEqual([0, 1, 20]);
    expect(bars.map((b) => b.x)).toEqual([0, 10, 20]);
  });

  it('draws every non-empty bar of a histogram as one path, a closed rectangle per bin', () => {
    expect(histogramPath({ min: 0, max: 1, counts: [0, 1, 1000] }, 30, 20)).toBe('M10,20V19H19.5V20ZM20,20V0H29.5V20Z');
    expect(histogramPath({ min: 0, max: 0, counts: [0, 0] }, 30, 20)).toBe('');
  });

  it('prints ratios of a thousand and more grouped, to two significant digits', () => {
    expect([times(131_234), times(1234.5), times(12.5), times(null)]).toEqual(['130,000', '1,200', '12.5', '–']);
  });

  it('prints figures with 3 significant digits, scientific when tiny or huge', () => {
    expect([figure(0.0123456), figure(12.5), figure(2e-6), figure(123456), figure(null), figure(Infinity), figure(0)]).toEqual(['0.0123', '12.5', '2.0e-6', '1.2e+5', '–', '–', '0']);
  });
});

describe('flagText', () => {
  const layers = [layer('1'), layer('13')];

  it('words vanishing gradients with the ratio the learner reads (how many times smaller) in English and Korean', () => {
    const text = flagText({ kind: 'vanishing', layer: '1', other: '13', value: 1e-5 }, layers);
    expect(text.fix).toBe('layers.fix.vanishing');
    expect(format(en[text.key], text.params)).toBe("Vanishing gradients: 1 (Linear)'s gradients are 100,000× smaller than 13 (Linear)'s, so the first layers barely learn.");
    expect(format(ko[text.key], text.params)).toContain('100,000배');
    expect(en[text.fix]).toMatch(/ReLU instead of sigmoid/);
  });

  it('has words and a fix for every kind, with every parameter filled', () => {
    for (const flag of [
      { kind: 'exploding' as const, layer: '1', other: '13', value: 2000 },
      { kind: 'exploding' as const, layer: '1', value: null },
      { kind: 'dead-relu' as const, layer: '1', value: 0.625 },
      { kind: 'tiny-updates' as const, layer: '13', value: 3e-8 },
      { kind: 'huge-updates' as const, layer: '13', value: 2.5 },
    ]) {
      const text = flagText(flag, layers);
      for (const catalog of [en, ko]) expect(format(catalog[text.key], text.params)).not.toMatch(/[{}]/);
      expect(en[text.fix].length).toBeGreaterThan(10);
    }
    expect(format(en['layers.flag.deadRelu'], flagText({ kind: 'dead-relu', layer: '1', value: 0.625 }, layers).params)).toMatch(/^Dead ReLUs: 63% of 1 \(Linear\)'s units/);
  });
});
