/**
 * The training pieces that need no process: the batch throttle's timing and aggregates, and the divergence
 * watchdog's explanations. (Everything else is tested through the real engine host: src-main/services/runs.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchReport } from '../../../common/training-protocol';
import type { ModelSpec } from '../../../common/spec/types';
import { BatchThrottle, type FinishedBatch } from './batch-throttle';
import { explainDivergence } from './divergence';

describe('BatchThrottle', () => {
  const now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const batch = (step: number): FinishedBatch => ({
    step, epoch: 1, batch: step, batches: 100, loss: step / 10, size: 4, correct: step % 4, seconds: 0.001, lr: 0.1,
    epochSoFar: { lossSum: 0, samples: step * 4, correct: 0 },
  });

  it('sends at most one report per 50 ms, each carrying every batch since the last', async () => {
    const sent: (BatchReport & { at: number })[] = [];
    // The fake timers move Date.now too, so the throttle's clock and its timers agree.
    const throttle = new BatchThrottle('r1', (r) => sent.push({ ...r, at: Date.now() }), 50, () => Date.now());
    for (let step = 1; step <= 100; step++) {
      throttle.push(batch(step));
      vi.advanceTimersByTime(3);
    }
    const drained = throttle.drain();
    vi.advanceTimersByTime(100);
    await drained;
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(50);
    expect(sent.flatMap((r) => r.window.loss)).toEqual(Array.from({ length: 100 }, (_, k) => (k + 1) / 10));
    expect(sent.at(-1)).toMatchObject({ step: 100, loss: 10, accuracy: 0, samplesPerSec: expect.any(Number) });
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(300 / 50) + 1);
  });

  it('drains at once when nothing is pending, and dispose drops what is', async () => {
    const sent: BatchReport[] = [];
    const throttle = new BatchThrottle('r1', (r) => sent.push(r), 50, () => now);
    await throttle.drain();
    throttle.push(batch(1));
    const drained = throttle.drain();
    throttle.dispose();
    await drained;
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([]);
  });
});

describe('explainDivergence', () => {
  const spec = (over: Partial<ModelSpec> & { last?: string } = {}): ModelSpec => ({
    version: 1,
    nodes: [
      { id: 'input', op: 'Input', params: { shape: [784] } },
      { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } },
      ...(over.last ? [{ id: 'out', op: over.last as 'Softmax', params: { dim: 1 } }] : []),
    ],
    edges: [{ from: 'input', to: 'fc1' }, ...(over.last ? [{ from: 'fc1', to: 'out' }] : [])],
    loss: over.loss ?? { type: 'CrossEntropyLoss', params: {} },
    optimizer: over.optimizer ?? { type: 'Adam', params: { lr: 0.001 } },
    data: { dataset: 'mnist', batchSize: 64, shuffle: true, validationSize: 5000, normalize: 'standardize', ...over.data },
  });

  it('blames a learning rate beyond the optimizer\'s range first', () => {
    const r = explainDivergence(spec(), { epoch: 2, batch: 7, loss: NaN, firstLoss: 2.3, lr: 5 });
    expect(r.explanation).toBe('Training diverged at epoch 2, batch 7: the loss became NaN. The run was stopped and its last good checkpoint restored.');
    expect(r.causes).toEqual(['The learning rate 5 is too high for Adam (usual range up to 0.1): each step overshoots and the loss explodes. Try 0.5.']);
  });

  it('says when an epoch\'s mean loss, not one batch, crossed the line', () => {
    const r = explainDivergence(spec(), { epoch: 4, batch: null, loss: 6, firstLoss: 0.5, lr: 0.001 });
    expect(r.explanation).toBe("Training diverged at epoch 4: the epoch's mean loss reached 6.000, more than 10× the first epoch's (0.5000). The run was stopped and its last good checkpoint restored.");
  });

  it('names Softmax followed by NLLLoss (log of zero) and missing normalisation', () => {
    const r = explainDivergence(
      spec({ last: 'Softmax', loss: { type: 'NLLLoss', params: {} }, data: { normalize: 'none' } as ModelSpec['data'] }),
      { epoch: 1, batch: 3, loss: 40, firstLoss: 2.3, lr: 0.001 },
    );
    expect(r.explanation).toMatch(/the loss reached 40\.00, more than 10× its first value \(2\.300\)/);
    expect(r.causes[0]).toMatch(/ends with Softmax and feeds NLLLoss: .*log\(0\)/);
    expect(r.causes[1]).toMatch(/not normalised/);
    expect(r.causes[2]).toMatch(/restarting from the last good checkpoint with 0\.0001/);
  });
});
