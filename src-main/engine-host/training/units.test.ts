/**
 * The training pieces that need no process: the batch throttle's timing and aggregates, the divergence
 * watchdog's explanations, and the trainer's split. (Everything else is tested through the real engine host: src-main/services/runs.)
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getPreset } from '../../../common/model-spec';
import { stratifiedSplit } from '../../../common/split';
import type { BatchReport, TrainingDataset } from '../../../common/training-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { BatchThrottle, type FinishedBatch } from './batch-throttle';
import { engineText, englishText, englishTexts, type EngineText } from '../../../common/engine-text';
import { explainDivergence } from './divergence';
import { assertFitsMemory, estimateTrainingMemory } from './memory-budget';
import { failureReason } from './run-store';
import { resolveOptions, RunTrainer } from './run-trainer';

/** Why the disk-full tests cannot run here, or '' (they need Linux's /dev/full, which always answers ENOSPC). */
const noDevFull = existsSync('/dev/full') ? '' : 'this system has no /dev/full to make a real ENOSPC';
if (noDevFull) console.log(`disk-full tests skipped: ${noDevFull}`);

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

  it('sends the same sentences as codes, for the renderer to say in the learner\'s language', () => {
    const r = explainDivergence(
      spec({ data: { normalize: 'none' } as ModelSpec['data'] }),
      { epoch: 1, batch: 3, loss: 40, firstLoss: 2.3, lr: 5 },
    );
    expect(r.explanationText).toEqual({
      code: 'diverged.batch.tooLarge', params: { epoch: 1, batch: 3, loss: '40.00', factor: 10, firstLoss: '2.300' },
    });
    expect(r.causeTexts.map((c) => c.code)).toEqual(['cause.lrTooHigh', 'cause.notNormalized']);
    expect(r.causeTexts[0].params).toEqual({ lr: 5, optimizer: 'Adam', high: 0.1, suggested: 0.5 });
    // The English the engine writes into run.json is those codes' own template, filled in.
    expect(englishText(r.explanationText)).toBe(r.explanation);
    expect(r.causeTexts.map(englishText)).toEqual(r.causes);
    const nan = explainDivergence(spec(), { epoch: 2, batch: null, loss: NaN, firstLoss: 2.3, lr: 0.001 });
    expect(nan.explanationText).toEqual({ code: 'diverged.epoch.nonFinite', params: { epoch: 2, loss: 'NaN' } });
  });
});

describe('RunTrainer split', () => {
  const count = 240;
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10);
  const data: TrainingDataset = {
    name: 'tiny', classes: Array.from({ length: 10 }, (_, k) => String(k)),
    train: { images: new Uint8Array(count * 784), labels, count, height: 28, width: 28 }, test: null,
    // main's default split, which only runs made before runs split by their own seed use
    split: { train: Int32Array.from({ length: 220 }, (_, i) => i), validation: Int32Array.from({ length: 20 }, (_, i) => 220 + i), seed: 1307 },
  };
  const spec = (validationSize: number): ModelSpec => ({
    version: 1, nodes: [{ id: 'input', op: 'Input', params: { shape: [784] } }, { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } }],
    edges: [{ from: 'input', to: 'fc1' }], loss: { type: 'CrossEntropyLoss', params: {} }, optimizer: { type: 'SGD', params: { lr: 0.1 } },
    data: { dataset: 'mnist', batchSize: 16, shuffle: true, validationSize, normalize: 'scale' },
  });

  it("holds out the spec's validation_size, drawn by the run's seed, as common/split (and so the twin) draws it", () => {
    const trainer = new RunTrainer(spec(60), data, resolveOptions({ seed: 9 }));
    const expected = stratifiedSplit(labels, { validation: 60, seed: 9 });
    expect(trainer.sets.validation.indices).toEqual(expected.validation);
    expect(trainer.sets.train.indices).toEqual(expected.train);
    expect(trainer.split).toEqual({ seed: 9, train: 180, validation: 60 });
    expect(trainer.batchesPerEpoch).toBe(Math.ceil(180 / 16));
    expect(new RunTrainer(spec(60), data, resolveOptions({ seed: 10 })).sets.validation.indices).not.toEqual(expected.validation);
  });

  it("keeps main's default split for a run made before, and refuses a size the file cannot spare", () => {
    const old = new RunTrainer(spec(60), data, resolveOptions({ seed: 9 }), 'main-default');
    expect(old.sets.validation.indices).toEqual(data.split.validation);
    expect(old.split).toEqual({ seed: null, train: 220, validation: 20 });
    expect(() => new RunTrainer(spec(240), data, resolveOptions())).toThrow('validation_size is 240, but the tiny training file has 240 images; set it to a whole number from 0 to 239');
    expect(new RunTrainer(spec(0), data, resolveOptions()).split).toEqual({ seed: 0, train: 240, validation: 0 });
  });

  // #17.6: a checkpoint within the epoch, and a resume from it, train the rest of the epoch as if never stopped.
  it('resumes an epoch from its position, weights and optimizer as an uninterrupted trainer would go on', () => {
    /** Trains to the end of the epoch in progress; the batches it took. */
    const toEpochEnd = (t: RunTrainer) => {
      for (let n = 1; ; n++) {
        const outcome = t.trainBatch();
        if (outcome.kind !== 'ok') throw new Error('diverged');
        if (outcome.epochDone) return n;
      }
    };
    const options = resolveOptions({ seed: 4 });
    const whole = new RunTrainer(spec(60), data, options);
    for (let i = 0; i < 4; i++) whole.trainBatch();
    const position = whole.position!;
    expect(position).toMatchObject({ epoch: 1, batch: 4, step: 4 });
    const weights = whole.model.stateDict();
    const saved = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data.slice()]));
    const optimizer = structuredClone(whole.optimizerState());
    toEpochEnd(whole);
    const expected = whole.finishEpoch();

    const resumed = new RunTrainer(spec(60), data, options);
    const state = resumed.model.stateDict();
    for (const [k, t] of Object.entries(state)) t.data.set(saved[k]!);
    resumed.loadOptimizerState(optimizer);
    resumed.resumeAt(position);
    expect(resumed.position).toEqual(position);
    expect(toEpochEnd(resumed)).toBe(whole.batchesPerEpoch - 4);
    const record = resumed.finishEpoch();
    const comparable = ({ epoch, trainLoss, trainAcc, valLoss, valAcc, lr }: typeof record) => ({ epoch, trainLoss, trainAcc, valLoss, valAcc, lr });
    expect(comparable(record)).toEqual(comparable(expected));
    expect(resumed.step).toBe(whole.step);
    expect(new RunTrainer(spec(60), data, options).position).toBeNull();
  });

  // #17.2: batchSize 1e9 was accepted and blocked the engine.
  it('refuses a batch larger than the training set before building anything', () => {
    const huge = { ...spec(60), data: { ...spec(60).data, batchSize: 1e9 } };
    const started = performance.now();
    expect(() => new RunTrainer(huge, data, resolveOptions())).toThrow(
      'the batch size is 1,000,000,000, more than the 180 training images of tiny; set it to at most 180 (64 is usual)',
    );
    expect(() => new RunTrainer({ ...huge, data: { ...huge.data, batchSize: 181 } }, data, resolveOptions())).toThrow(/at most 180/);
    expect(new RunTrainer({ ...huge, data: { ...huge.data, batchSize: 180 } }, data, resolveOptions()).batchesPerEpoch).toBe(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('assertFitsMemory (#17.2: refuse at once what would block the engine for minutes)', () => {
  const GB = 1e9;
  const mlp = (outFeatures: number, batchSize = 64): ModelSpec => ({
    version: 1,
    nodes: [
      { id: 'input', op: 'Input', params: { shape: [1, 28, 28] } }, { id: 'flat', op: 'Flatten', params: {} },
      { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures } }, { id: 'relu', op: 'ReLU', params: {} },
      { id: 'fc2', op: 'Linear', params: { inFeatures: outFeatures, outFeatures: 10 } },
    ],
    edges: [{ from: 'input', to: 'flat' }, { from: 'flat', to: 'fc1' }, { from: 'fc1', to: 'relu' }, { from: 'relu', to: 'fc2' }],
    loss: { type: 'CrossEntropyLoss', params: {} }, optimizer: { type: 'Adam', params: { lr: 1e-3 } },
    data: { dataset: 'mnist', batchSize, shuffle: true, validationSize: 5000, normalize: 'standardize' },
  });
  const conv = (channels: number): ModelSpec => ({
    ...mlp(10),
    nodes: [
      { id: 'input', op: 'Input', params: { shape: [1, 28, 28] } },
      { id: 'conv', op: 'Conv2d', params: { inChannels: 1, outChannels: channels, kernelSize: 3, padding: 1 } },
      { id: 'flat', op: 'Flatten', params: {} }, { id: 'fc', op: 'Linear', params: { inFeatures: channels * 784, outFeatures: 10 } },
    ],
    edges: [{ from: 'input', to: 'conv' }, { from: 'conv', to: 'flat' }, { from: 'flat', to: 'fc' }],
  });

  it('lets the models people train pass on a small machine', () => {
    for (const name of ['MLP', 'LeNet-5', 'Mnist_CNN', 'Mnist_Logistic']) {
      const preset = getPreset(name)!;
      expect(() => assertFitsMemory(preset, 2 * GB), name).not.toThrow();
      expect(estimateTrainingMemory(preset).total, name).toBeLessThan(0.5 * GB);
    }
  });

  it('counts weights, gradients, optimizer state and activations', () => {
    const estimate = estimateTrainingMemory(mlp(100, 10));
    const params = 784 * 100 + 100 + 100 * 10 + 10;
    expect(estimate.weights).toBe(2 * params * 4);
    expect(estimate.optimizer).toBe(3 * params * 4);
    expect(estimate.activations).toBe(3 * 10 * (784 + 784 + 100 + 100 + 10) * 4);
    expect(estimate.largestLayer).toEqual({ id: 'fc1', op: 'Linear', params: 78_500 });
  });

  it.each([
    ['Linear 784→1,000,000', mlp(1_000_000), /needs about \d+\.\d GB to train .* To train it, make the largest layer smaller \(fc1, Linear: 785,000,000 parameters\)\./],
    ['Conv2d with 100,000 channels', conv(100_000), /To train it, (lower the batch size|make the largest layer smaller)/],
    ['batch size 1e9', mlp(100, 1e9), /To train it, lower the batch size \(1,000,000,000 now\)/],
  ])('refuses %s within a second, naming what to change', (_, spec, fix) => {
    const started = performance.now();
    expect(() => assertFitsMemory(spec, 8 * GB)).toThrow(fix);
    expect(() => assertFitsMemory(spec, 8 * GB)).toThrow(/more than the 8\.0 GB LayerLab may use on this machine \(half its memory\)/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

// #17.5: a run on a full disk failed with Node's raw `ENOSPC: no space left on device, write`.
describe('failureReason', () => {
  it.skipIf(noDevFull)('words a full disk (a real ENOSPC from /dev/full) as what to do', async () => {
    const error = await writeFile('/dev/full', 'checkpoint').then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOSPC' });
    // A sentence code, so the Train tab words it in the learner's language; its English for run.json.
    const said = failureReason(error) as EngineText[];
    expect(said).toEqual([engineText('reason.diskFull', {})]);
    expect(englishTexts(said)).toBe(
      "The disk is full: this run's checkpoint could not be written. Free some space, then restart the run from its last checkpoint.",
    );
    // Errors from open() name their file; writes do not.
    const atFile = failureReason(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', path: '/runs/a/run.json' })) as EngineText[];
    expect(atFile).toEqual([engineText('reason.diskFullAt', { path: '/runs/a/run.json' })]);
    expect(englishTexts(atFile)).toMatch(/could not be written \(\/runs\/a\/run\.json\)\./);
  });

  it('passes any other failure through as its message', () => {
    expect(failureReason(new Error('data does not fit the model'))).toBe('data does not fit the model');
    expect(failureReason('plain')).toBe('plain');
  });
});
