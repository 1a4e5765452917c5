import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../../../common/training-protocol';
import { curveSeries } from './chart-data';

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
