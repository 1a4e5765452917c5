import { describe, expect, it } from 'vitest';
import type { BatchReport, EpochRecord } from '../../../../common/training-protocol';
import { batchPoints, chartMarkers, curvesCsv, detectOverfitting, formatDuration, smooth } from './curves';
import { FrameBuffer } from './frame-buffer';

const epoch = (n: number, trainLoss: number, valLoss: number | null): EpochRecord => ({
  epoch: n, trainLoss, trainAcc: 0.9, valLoss, valAcc: valLoss === null ? null : 0.8, seconds: 1, lr: 0.001, samplesPerSec: 100,
});

describe('batchPoints', () => {
  it('spreads a report window over consecutive steps, x in epochs', () => {
    const report: BatchReport = {
      runId: 'r', step: 12, epoch: 2, batch: 2, batches: 10, loss: 0.5, accuracy: 0.5, lr: 0.1, samplesPerSec: 1,
      window: { loss: [0.7, 0.6, 0.5], size: [4, 4, 2], correct: [1, 2, 1] }, epochSoFar: { lossSum: 0, samples: 0, correct: 0 },
    };
    expect(batchPoints(report)).toEqual([
      { step: 10, x: 1, loss: 0.7, accuracy: 0.25 },
      { step: 11, x: 1.1, loss: 0.6, accuracy: 0.5 },
      { step: 12, x: 1.2, loss: 0.5, accuracy: 0.5, lr: 0.1 },
    ]);
  });
});

describe('smooth', () => {
  it('is the identity at weight 0 and debiased (no pull towards 0) otherwise', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smooth([5, 5, 5, 5], 0.9);
    for (const v of s) expect(v).toBeCloseTo(5, 10);
  });

  it('damps noise and lags a step', () => {
    const s = smooth([0, 10, 0, 10, 0, 10], 0.6);
    expect(Math.max(...s.slice(2)) - Math.min(...s.slice(2))).toBeLessThan(10);
    expect(smooth([0, 0, 10], 0.5)[2]).toBeLessThan(10);
  });

  it('passes non-finite values through without poisoning the rest', () => {
    const s = smooth([1, NaN, 1], 0.5);
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeCloseTo(1, 10);
  });
});

describe('detectOverfitting', () => {
  it('finds the lowest validation loss, the gap, and a rise of N epochs', () => {
    const epochs = [epoch(1, 1, 1.1), epoch(2, 0.6, 0.8), epoch(3, 0.4, 0.85), epoch(4, 0.3, 0.9), epoch(5, 0.2, 1.0)];
    const o = detectOverfitting(epochs, 3);
    expect(o.best).toEqual({ epoch: 2, valLoss: 0.8 });
    expect(o.gap.map((g) => +g.y.toFixed(2))).toEqual([0.1, 0.2, 0.45, 0.6, 0.8]);
    expect(o.risingFor).toBe(3);
    expect(o.warning).toBe(true);
    expect(detectOverfitting(epochs, 4).warning).toBe(false);
  });

  it('resets the streak when the validation loss falls, and ignores epochs without validation', () => {
    const o = detectOverfitting([epoch(1, 1, 1), epoch(2, 1, 1.2), epoch(3, 1, 0.9), epoch(4, 1, null)]);
    expect(o.risingFor).toBe(0);
    expect(o.best?.epoch).toBe(3);
    expect(o.gap).toHaveLength(3);
    expect(detectOverfitting([]).best).toBeNull();
  });
});

describe('curvesCsv', () => {
  it('writes batch and epoch rows under one header', () => {
    const csv = curvesCsv({
      batches: [{ step: 1, x: 0.5, loss: 2.3, accuracy: 0.1 }],
      epochs: [epoch(1, 1.5, null)],
      markers: [],
      batchesPerEpoch: 2,
    });
    expect(csv).toBe(
      'kind,step,epoch,train_loss,train_acc,val_loss,val_acc,lr\n'
      + 'batch,1,0.5,2.3,0.1,,,\n'
      + 'epoch,2,1,1.5,0.9,,,0.001\n',
    );
  });
});

describe('markers, ETA and durations', () => {
  it('places markers in epochs', () => {
    expect(chartMarkers([{ kind: 'lr', step: 30, epoch: 3, message: 'lr 0.1 → 0.01' }], 10)).toEqual([{ x: 3, kind: 'lr', label: 'lr 0.1 → 0.01' }]);
    expect(chartMarkers([{ kind: 'lr', step: 30, epoch: 3, message: 'lr' }], 10, [15]).map((m) => [m.x, m.kind])).toEqual([[1.5, 'resumed'], [3, 'lr']]);
  });

  it('formats durations', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3600 * 12 + 7)).toBe('12:00:07');
  });
});

describe('FrameBuffer', () => {
  it('hands over everything pushed before a frame, once per frame', () => {
    const frames: (() => void)[] = [];
    const flushed: number[][] = [];
    const buffer = new FrameBuffer<number>((items) => flushed.push(items), (cb) => frames.push(cb));
    buffer.push(1);
    buffer.push(2, 3);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(flushed).toEqual([[1, 2, 3]]);
    buffer.push(4);
    expect(frames).toHaveLength(1);
    buffer.drop();
    frames.shift()!();
    expect(flushed).toHaveLength(1);
  });
});

describe('FrameBuffer with a minimum interval', () => {
  it('waits out the interval before asking for a frame', () => {
    let now = 0;
    const frames: (() => void)[] = [];
    const timers: { at: number; cb: () => void }[] = [];
    const flushed: number[][] = [];
    const buffer = new FrameBuffer<number>((items) => flushed.push(items), (cb) => frames.push(cb), 200, () => now, (cb, ms) => timers.push({ at: now + ms, cb }));
    buffer.push(1);
    frames.shift()!(); // first flush: at once
    expect(flushed).toEqual([[1]]);
    now = 50;
    buffer.push(2);
    expect(frames).toHaveLength(0);
    expect(timers[0].at).toBe(200);
    now = 200;
    timers.shift()!.cb();
    frames.shift()!();
    expect(flushed).toEqual([[1], [2]]);
  });
});
