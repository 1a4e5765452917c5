import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../../../common/training-protocol';
import { BatchLines, curveSeries, emptyLrRange, lrLogScale, widenLrRange } from './chart-data';
import { batchPoints, type BatchPoint } from './curves';

const epoch = (n: number, trainLoss: number, valLoss: number): EpochRecord => ({
  epoch: n, trainLoss, trainAcc: 0.5 + n / 10, valLoss, valAcc: 0.4 + n / 10, seconds: 1, lr: 0.1, samplesPerSec: 1,
});

describe('curveSeries', () => {
  const curves = {
    batches: [{ step: 1, x: 0.5, loss: 2, accuracy: 0.2 }, { step: 2, x: 1, loss: 0, accuracy: 0.4 }],
    epochs: [epoch(1, 1, 1.2), epoch(2, 0.5, 0.9), epoch(3, 0.3, 1.0)],
    markers: [],
    batchesPerEpoch: 2,
  };

  it('puts batch points and epoch points on one x axis in epochs, and marks the best validation loss', () => {
    const s = curveSeries(curves, 'loss', 0, null);
    expect(s.batchRaw).toEqual([{ x: 0.5, y: 2 }, { x: 1, y: 0 }]);
    expect(s.trainEpoch.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(s.valEpoch.map((p) => p.y)).toEqual([1.2, 0.9, 1.0]);
    expect(s.best).toEqual([{ x: 2, y: 0.9 }]);
  });

  it('draws accuracy without a best-loss mark, and an overlay run', () => {
    const s = curveSeries(curves, 'accuracy', 0.5, { epochs: [epoch(1, 2, 2)], markers: [] });
    expect(s.best).toEqual([]);
    expect(s.overlayTrain).toEqual([{ x: 1, y: 0.6 }]);
    expect(s.batchSmooth[1].y).toBeGreaterThan(0.2);
  });

  it('drops values a log axis cannot show', () => {
    expect(curveSeries(curves, 'loss', 0, null, true).batchRaw).toEqual([{ x: 0.5, y: 2 }]);
  });
});

describe('the learning-rate chart', () => {
  const withLr = (n: number, lr: number): EpochRecord => ({ ...epoch(n, 1, 1), lr });
  // Two run-batch reports of a per-batch schedule: the lr rides on each window's last batch.
  const report = (step: number, lr: number, n: number) => ({
    runId: 'r', time: 0, step, epoch: 1, batch: step, batches: 10, loss: 1, accuracy: 0.5, lr, samplesPerSec: 1,
    window: { loss: Array(n).fill(1), size: Array(n).fill(4), correct: Array(n).fill(2) }, epochSoFar: { lossSum: 0, samples: 0, correct: 0 },
  });
  const batches: BatchPoint[] = [...batchPoints(report(3, 0.02, 3)), ...batchPoints(report(5, 0.5, 2))];

  it("draws each report's lr at its last batch, unsmoothed, the epochs' lrs as points and the other run's lrs", () => {
    const s = curveSeries({ batches, epochs: [withLr(1, 0.1), withLr(2, 0.01)], markers: [], batchesPerEpoch: 10 }, 'lr', 0.9,
      { epochs: [withLr(1, 0.3)], markers: [] });
    expect(s.batchRaw).toEqual([{ x: 0.3, y: 0.02 }, { x: 0.5, y: 0.5 }]);
    expect(s.batchSmooth).toEqual([]);
    expect(s.trainEpoch).toEqual([{ x: 1, y: 0.1 }, { x: 2, y: 0.01 }]);
    expect(s.valEpoch).toEqual([]);
    expect(s.best).toEqual([]);
    expect(s.overlayTrain).toEqual([{ x: 1, y: 0.3 }]);
    expect(s.overlayVal).toEqual([]);
  });

  it('grows its per-batch line as batches arrive, the same points curveSeries draws', () => {
    const lines = new BatchLines('lr');
    expect(lines.update(batches.slice(0, 3), 0, false)).toEqual({ raw: [{ x: 0.3, y: 0.02 }], smooth: [] });
    expect(lines.update(batches, 0, false)).toEqual({ raw: [{ x: 0.3, y: 0.02 }, { x: 0.5, y: 0.5 }], smooth: [] });
  });

  it('keeps a long per-batch schedule bounded (decimated like the loss)', () => {
    const lines = new BatchLines('lr', 100);
    const many: BatchPoint[] = [];
    for (let step = 1; step <= 10_000; step++) many.push({ step, x: step / 100, loss: 1, accuracy: 0, lr: 0.5 * Math.cos(step / 2000) ** 2 });
    const { raw } = lines.update(many, 0, false);
    expect(raw.length).toBeLessThanOrEqual(200);
    expect(raw.at(-1)).toEqual({ x: 100, y: many.at(-1)!.lr });
  });

  it('is logarithmic when the lr spans two decades or more, and linear within them or when it reaches 0', () => {
    const range = (...lrs: (number | undefined)[]) => {
      const r = emptyLrRange();
      for (const lr of lrs) widenLrRange(r, lr);
      return r;
    };
    expect(lrLogScale(range(0.1, 0.01, 0.001))).toBe(true); // StepLR, gamma 0.1, twice
    expect(lrLogScale(range(0.1, 0.1 * 0.1, 0.1 * 0.1 * 0.1))).toBe(true); // the same as computed: 0.0010000000000000002
    expect(lrLogScale(range(0.02, 0.5, 2e-6))).toBe(true); // OneCycleLR
    expect(lrLogScale(range(0.1, 0.05, 0.02))).toBe(false); // within a decade
    expect(lrLogScale(range(0.1, 0.001, 0))).toBe(false); // CosineAnnealingLR down to eta_min 0
    expect(lrLogScale(range(undefined, 0.1, Number.NaN, 1e-4))).toBe(true); // batches without an lr are skipped
    expect(lrLogScale(emptyLrRange())).toBe(false);
  });
});
