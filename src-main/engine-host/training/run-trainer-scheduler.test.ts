/**
 * Schedulers in the engine host's run (#18), stepped by the engine's Trainer: OneCycleLR steps after every batch (its
 * catalogue row's `stepsPer`), cycling over the whole run when the learner gives no total_steps (epochs × batches per
 * epoch); an epoch scheduler still steps at the end of each epoch; and a run resumed from a checkpoint within an
 * epoch continues the schedule exactly, rates, momentum and losses alike.
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpec, SchedulerSpec } from '../../../common/model-spec/types';
import { CosineAnnealingWarmRestarts, OneCycleLR, type HasLrGroups } from '../../../engine/optim/index';
import { tinyDataset } from './tiny-dataset';
import { resolveOptions, RunTrainer } from './run-trainer';

const data = tinyDataset(18);
// 160 training images in batches of 16: 10 batches an epoch; 2 epochs.
const spec = (scheduler: SchedulerSpec): ModelSpec => ({
  version: 1, nodes: [{ id: 'input', op: 'Input', params: { shape: [784] } }, { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } }],
  edges: [{ from: 'input', to: 'fc1' }], loss: { type: 'CrossEntropyLoss', params: {} },
  optimizer: { type: 'SGD', params: { lr: 0.001, momentum: 0.9 } }, scheduler,
  data: { dataset: 'mnist', batchSize: 16, shuffle: true, validationSize: 40, normalize: 'standardize' },
});
const options = resolveOptions({ seed: 4, epochs: 2 });
const oneCycle: SchedulerSpec = { type: 'OneCycleLR', params: { maxLr: 0.005 } };

type Group = { lr: number; momentum: number };
const group = (t: RunTrainer) => t.optimizer.paramGroups[0] as unknown as Group;

/** Trains `n` batches, closing epochs as the run manager does; the rate, momentum and loss each batch trained with. */
function train(t: RunTrainer, n: number): Array<[number, number, number]> {
  return Array.from({ length: n }, () => {
    const { lr, momentum } = group(t);
    const outcome = t.trainBatch();
    if (outcome.kind !== 'ok') throw new Error(`batch ${t.step}: ${outcome.kind}`);
    if (outcome.epochDone) t.finishEpoch();
    return [lr, momentum, outcome.loss];
  });
}

/** What the scheduler alone gives over `steps` steps, on a stand-in optimizer that starts as the run's does. */
function reference(make: (o: HasLrGroups) => { step(): void }, steps: number): Array<[number, number]> {
  const o = { paramGroups: [{ lr: 0.001, momentum: 0.9 }] };
  const s = make(o);
  return Array.from({ length: steps }, () => {
    const at: [number, number] = [o.paramGroups[0].lr, o.paramGroups[0].momentum];
    s.step();
    return at;
  });
}

describe('the engine host steps schedulers where their rows say', () => {
  it('OneCycleLR without total_steps steps every batch, over epochs × batches per epoch, cycling the momentum', () => {
    const t = new RunTrainer(spec(oneCycle), data, options);
    expect(t.batchesPerEpoch).toBe(10);
    expect((t.scheduler as OneCycleLR).totalSteps).toBe(20);
    const got = train(t, 20).map(([lr, momentum]) => [lr, momentum]);
    expect(got).toEqual(reference((o) => new OneCycleLR(o, 0.005, { totalSteps: 20 }), 20));
    // Warm-up to max_lr, then far below where it started.
    expect(Math.max(...got.map(([lr]) => lr))).toBeCloseTo(0.005, 12);
    expect(got[19][0]).toBeCloseTo(0.005 / 25 / 1e4, 15);
  });

  it('an epoch scheduler keeps one rate through each epoch and steps at its end', () => {
    const t = new RunTrainer(spec({ type: 'CosineAnnealingWarmRestarts', params: { t0: 3 } }), data, options);
    const lrs = train(t, 20).map(([lr]) => lr);
    const perEpoch = reference((o) => new CosineAnnealingWarmRestarts(o, 3), 2).map(([lr]) => lr);
    expect(lrs).toEqual([...Array(10).fill(perEpoch[0]), ...Array(10).fill(perEpoch[1])]);
    expect(perEpoch[1]).toBeLessThan(perEpoch[0]);
  });

  it('a run resumed within an epoch continues the 1cycle schedule exactly', () => {
    const whole = new RunTrainer(spec(oneCycle), data, options);
    const before = train(whole, 13);
    const position = whole.position!;
    expect(position).toMatchObject({ epoch: 2, batch: 3, step: 13 });
    const saved = Object.fromEntries(Object.entries(whole.model.stateDict()).map(([k, t]) => [k, t.data.slice()]));
    // As run-store keeps it: the scheduler's state dict as JSON.
    const state = whole.optimizerState();
    const checkpoint = { optimizer: structuredClone(state.optimizer), scheduler: JSON.parse(JSON.stringify(state.scheduler)) };
    const rest = train(whole, 7);

    const resumed = new RunTrainer(spec(oneCycle), data, options);
    for (const [k, t] of Object.entries(resumed.model.stateDict())) t.data.set(saved[k]!);
    resumed.loadOptimizerState(checkpoint);
    resumed.resumeAt(position);
    expect(train(resumed, 7)).toEqual(rest);
    expect(before[0][0]).not.toBe(rest[0][0]); // the rate moved: a schedule restarted from scratch would not match
  });
});
