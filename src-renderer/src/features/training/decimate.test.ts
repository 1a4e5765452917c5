import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../../../common/training-protocol';
import { BatchLines, curveSeries } from './chart-data';
import type { BatchPoint } from './curves';
import { DecimatedLine } from './decimate';

/** A noisy falling loss with a NaN (a diverged batch) and accuracy rising; deterministic. */
function batches(n: number, perEpoch = 100): BatchPoint[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  return Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    x: (i + 1) / perEpoch,
    loss: i === 40 ? NaN : 2 / (1 + i / 50) + 0.3 * noise(),
    accuracy: Math.min(1, 0.1 + i / (n + 1) + 0.05 * noise()),
  }));
}

describe('DecimatedLine', () => {
  it('keeps every point while there are no more than `limit`', () => {
    const line = new DecimatedLine(8);
    const points = Array.from({ length: 8 }, (_, i) => ({ x: i, y: (i * 7) % 5 }));
    points.forEach((p) => line.push(p));
    expect(line.points()).toEqual(points);
    expect(line.bucketSize).toBe(1);
  });

  it('then merges neighbours: at most 2 × limit points, in x order, with the extremes of the whole line', () => {
    const line = new DecimatedLine(10);
    const ys: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const y = Math.sin(i / 7) * (1 + i / 100);
      ys.push(y);
      line.push({ x: i, y });
      expect(line.points().length).toBeLessThanOrEqual(20);
    }
    const out = line.points();
    expect(line.count).toBe(1000);
    expect(line.bucketSize).toBe(128);
    expect(out.map((p) => p.x)).toEqual([...out.map((p) => p.x)].sort((a, b) => a - b));
    expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...ys));
    expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...ys));
    // Every point drawn is one that was pushed.
    for (const p of out) expect(ys[p.x]).toBe(p.y);
  });

  it("'last' keeps each bucket's last point: at most `limit`, ending at the newest", () => {
    const line = new DecimatedLine(4, 'last');
    for (let i = 0; i < 9; i++) line.push({ x: i, y: i });
    expect(line.points()).toEqual([{ x: 3, y: 3 }, { x: 7, y: 7 }, { x: 8, y: 8 }]);
  });

  it('a bucket with only non-finite values still marks the gap', () => {
    const line = new DecimatedLine(2);
    line.push({ x: 0, y: 1 });
    line.push({ x: 1, y: NaN });
    expect(line.points()).toEqual([{ x: 0, y: 1 }, { x: 1, y: NaN }]);
  });

  it('refuses a limit it cannot halve', () => {
    expect(() => new DecimatedLine(7)).toThrow(/even number/);
  });
});

describe('BatchLines', () => {
  const epochs: EpochRecord[] = [];
  const oracle = (all: BatchPoint[], metric: 'loss' | 'accuracy', smoothing: number, log: boolean) => {
    const s = curveSeries({ batches: all, epochs, markers: [], batchesPerEpoch: 100 }, metric, smoothing, null, log);
    return { raw: s.batchRaw, smooth: s.batchSmooth };
  };

  it('fed in bursts, draws exactly what curveSeries draws from the whole run, up to the limit', () => {
    const all = batches(300);
    for (const metric of ['loss', 'accuracy'] as const) {
      for (const [smoothing, log] of [[0, false], [0.6, false], [0.9, true]] as const) {
        const lines = new BatchLines(metric, 400);
        let last = lines.update([], smoothing, log);
        for (let n = 7; n <= 300; n += 37) last = lines.update(all.slice(0, n), smoothing, log);
        last = lines.update(all, smoothing, log);
        expect(last).toEqual(oracle(all, metric, smoothing, log));
      }
    }
  });

  it('rebuilds once when smoothing or the scale change, or when a new run replaces the series', () => {
    const all = batches(200);
    const lines = new BatchLines('loss', 400);
    lines.update(all, 0.6, false);
    expect(lines.update(all, 0.2, false)).toEqual(oracle(all, 'loss', 0.2, false));
    expect(lines.update(all, 0.2, true)).toEqual(oracle(all, 'loss', 0.2, true));
    const next = batches(50).map((b) => ({ ...b, loss: b.loss * 3 }));
    expect(lines.update(next, 0.2, true)).toEqual(oracle(next, 'loss', 0.2, true));
    lines.reset();
    const same = batches(50).map((b) => ({ ...b, loss: b.loss * 5 }));
    // Not shorter, so only reset() tells it the series was replaced.
    expect(lines.update(same, 0.2, true)).toEqual(oracle(same, 'loss', 0.2, true));
  });

  it('a long run draws a bounded line that still spans the run and its extremes', () => {
    const all = batches(20_000, 938);
    const lines = new BatchLines('loss', 1000);
    const growing: BatchPoint[] = [];
    let out = lines.update(growing, 0.6, false);
    for (let n = 0; n < all.length; n += 20) {
      growing.push(...all.slice(n, n + 20));
      out = lines.update(growing, 0.6, false);
    }
    expect(out.raw.length).toBeLessThanOrEqual(2000);
    expect(out.smooth.length).toBeLessThanOrEqual(1000);
    expect(out.smooth.at(-1)).toEqual(oracle(all, 'loss', 0.6, false).smooth.at(-1));
    const finite = all.map((b) => b.loss).filter(Number.isFinite);
    expect(Math.max(...out.raw.map((p) => p.y).filter(Number.isFinite))).toBe(Math.max(...finite));
    expect(Math.min(...out.raw.map((p) => p.y))).toBe(Math.min(...finite));
  });
});
