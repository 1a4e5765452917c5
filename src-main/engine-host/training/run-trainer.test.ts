/**
 * A run's batches. Augmentation (#15.2): training batches are augmented, exactly as engine/data/augment draws them
 * for (run seed, step); validation never is; and an epoch resumed from a checkpoint within it sees the same augmented
 * batches as one never stopped. Reuse (issue #19, as the CLI's DataLoader): on the CPU each batch is gathered into
 * the arrays of the one before it and the run trains exactly as on fresh arrays; with augmentation (whose output is
 * a new tensor) or on a device backend nothing is handed back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { epochOrder } from '../../../common/split';
import type { AugmentSpec, ModelSpec } from '../../../common/model-spec/types';
import { augmentBatch } from '../../../engine/data/augment';
import { prepareInput } from '../../../engine/model-spec/build';
import type { Tensor } from '../../../engine/tensor';
import { cpuBackend, registerBackend, setBackend } from '../../../engine/backend/backend';
import { resolveOptions, RunTrainer } from './run-trainer';
import { tinyDataset } from './tiny-dataset';

const data = tinyDataset(15);
const AUGMENT: AugmentSpec = { randomAffine: { degrees: 20, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } };
const spec = (augment?: AugmentSpec): ModelSpec => ({
  version: 1, nodes: [{ id: 'input', op: 'Input', params: { shape: [784] } }, { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } }],
  edges: [{ from: 'input', to: 'fc1' }], loss: { type: 'CrossEntropyLoss', params: {} }, optimizer: { type: 'SGD', params: { lr: 0.001 } },
  data: { dataset: 'mnist', batchSize: 16, shuffle: true, validationSize: 40, normalize: 'standardize', ...(augment ? { augment } : {}) },
});
const options = resolveOptions({ seed: 6 });

describe('RunTrainer with spec.data.augment', () => {
  it('trains on the augmented batch of (seed, step) and validates on the images as they are', () => {
    const plain = new RunTrainer(spec(), data, options);
    const augmented = new RunTrainer(spec(AUGMENT), data, options);
    expect(augmented.augment).toEqual({ affine: { degrees: 20, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } });
    expect(plain.augment).toBeNull();
    // Same seed, same initial weights: validation agrees, so it is not augmented.
    expect(augmented.validate()).toEqual(plain.validate());

    // The first batch's loss, by hand: the plain trainer's model on the batch augmentBatch gives for step 0.
    const first = epochOrder(plain.sets.train.length, 6, 1, true).subarray(0, 16);
    const [x, y] = plain.sets.train.getBatch(first);
    const xb = augmentBatch(x, augmented.augment!, { seed: 6, step: 0, normalize: 'mnist' });
    const expected = (plain.lossFn(plain.model.forward(prepareInput(plain.spec, xb)) as Tensor, y) as Tensor).item();
    const unaugmented = (plain.lossFn(plain.model.forward(prepareInput(plain.spec, x)) as Tensor, y) as Tensor).item();
    const outcome = augmented.trainBatch();
    expect(outcome.kind).toBe('ok');
    expect((outcome as { loss: number }).loss).toBeCloseTo(expected, 5);
    expect(Math.abs(expected - unaugmented)).toBeGreaterThan(1e-3);
  });

  it('resumed within an epoch, it sees the same augmented batches as a run never stopped', () => {
    const whole = new RunTrainer(spec(AUGMENT), data, options);
    for (let i = 0; i < 3; i++) whole.trainBatch();
    const position = whole.position!;
    const saved = Object.fromEntries(Object.entries(whole.model.stateDict()).map(([k, t]) => [k, t.data.slice()]));
    const optimizer = structuredClone(whole.optimizerState());
    const rest = () => Array.from({ length: 4 }, () => {
      const outcome = whole.trainBatch();
      expect(outcome.kind).toBe('ok');
      return (outcome as { loss: number }).loss;
    });
    const expected = rest();

    const resumed = new RunTrainer(spec(AUGMENT), data, options);
    for (const [k, t] of Object.entries(resumed.model.stateDict())) t.data.set(saved[k]!);
    resumed.loadOptimizerState(optimizer);
    resumed.resumeAt(position);
    expect(Array.from({ length: 4 }, () => (resumed.trainBatch() as { loss: number }).loss)).toEqual(expected);
  });
});

/** Trains 14 batches (an epoch of 10, then 4), noting per batch whether getBatch was handed arrays to reuse, and each loss. */
function trainWatched(trainer: RunTrainer, dropReuse = false) {
  const handed: boolean[] = [];
  const arrays = new Set<unknown>();
  const train = trainer.sets.train;
  const getBatch = train.getBatch.bind(train);
  train.getBatch = (indices, reuse) => {
    handed.push(reuse !== undefined);
    const batch = getBatch(indices, dropReuse ? undefined : reuse);
    arrays.add(batch[0].hostData);
    return batch;
  };
  const losses: number[] = [];
  for (let i = 0; i < 14; i++) {
    const outcome = trainer.trainBatch();
    if (outcome.kind !== 'ok') throw new Error('diverged');
    losses.push(outcome.loss);
    if (outcome.epochDone) trainer.finishEpoch();
  }
  return { handed, arrays: arrays.size, losses };
}

describe('RunTrainer batch reuse', () => {
  afterEach(() => setBackend('cpu'));

  it("on the CPU, gathers each batch into the last one's arrays and trains exactly as on fresh ones", () => {
    const reused = trainWatched(new RunTrainer(spec(), data, options));
    const fresh = trainWatched(new RunTrainer(spec(), data, options), true);
    expect(reused.handed).toEqual([false, ...Array(13).fill(true)]);
    expect(reused.arrays).toBe(1); // 160 training images, ten batches of 16 an epoch: one array for all
    expect(fresh.arrays).toBe(14);
    expect(reused.losses).toEqual(fresh.losses);
  });

  it('hands nothing back with augmentation or on a backend that keeps launches reading the batch', () => {
    expect(trainWatched(new RunTrainer(spec(AUGMENT), data, options)).handed).toEqual(Array(14).fill(false));
    registerBackend({ ...cpuBackend, name: 'keeps-launches', keep: () => null });
    setBackend('keeps-launches');
    expect(trainWatched(new RunTrainer(spec(), data, options)).handed).toEqual(Array(14).fill(false));
  });
});
