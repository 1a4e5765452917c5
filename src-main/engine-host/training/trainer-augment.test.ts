/**
 * Augmentation in the trainer (#15.2): training batches are augmented, exactly as engine/data/augment draws them for
 * (run seed, step); validation never is; and an epoch resumed from a checkpoint within it sees the same augmented
 * batches as one never stopped.
 */
import { describe, expect, it } from 'vitest';
import { epochOrder } from '../../../common/split';
import type { AugmentSpec, ModelSpec } from '../../../common/spec/types';
import type { TrainingDataset } from '../../../common/training-protocol';
import { mulberry32 } from '../../../common/split';
import { augmentBatch } from '../../../engine/data/augment';
import { prepareInput } from '../../../engine/spec/build';
import type { Tensor } from '../../../engine/tensor';
import { resolveOptions, Trainer } from './trainer';

const count = 200;
const random = mulberry32(15);
const data: TrainingDataset = {
  name: 'tiny', classes: Array.from({ length: 10 }, (_, k) => String(k)),
  train: { images: Uint8Array.from({ length: count * 784 }, () => Math.floor(random() * 256)), labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, height: 28, width: 28 },
  test: null,
  split: { train: Int32Array.from({ length: 180 }, (_, i) => i), validation: Int32Array.from({ length: 20 }, (_, i) => 180 + i), seed: 1307 },
};
const AUGMENT: AugmentSpec = { randomAffine: { degrees: 20, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } };
const spec = (augment?: AugmentSpec): ModelSpec => ({
  version: 1, nodes: [{ id: 'input', op: 'Input', params: { shape: [784] } }, { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } }],
  edges: [{ from: 'input', to: 'fc1' }], loss: { type: 'CrossEntropyLoss', params: {} }, optimizer: { type: 'SGD', params: { lr: 0.001 } },
  data: { dataset: 'mnist', batchSize: 16, shuffle: true, validationSize: 40, normalize: 'standardize', ...(augment ? { augment } : {}) },
});
const options = resolveOptions({ seed: 6 });

describe('Trainer with spec.data.augment', () => {
  it('trains on the augmented batch of (seed, step) and validates on the images as they are', () => {
    const plain = new Trainer(spec(), data, options);
    const augmented = new Trainer(spec(AUGMENT), data, options);
    expect(augmented.augment).toEqual({ affine: { degrees: 20, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } });
    expect(plain.augment).toBeNull();
    // Same seed, same initial weights: validation agrees, so it is not augmented.
    expect(augmented.validate()).toEqual(plain.validate());

    // The first batch's loss, by hand: the plain trainer's model on the batch augmentBatch gives for step 0.
    const first = epochOrder(plain.sets.train.length, 6, 1, true).subarray(0, 16);
    const [x, y] = plain.sets.train.getBatch(first);
    const xb = augmentBatch(x, augmented.augment!, { seed: 6, step: 0, normalize: 'mnist' });
    const [pxb, px] = [prepareInput(plain.spec, xb), prepareInput(plain.spec, x)];
    const expected = (plain.lossFn(plain.model.forward(pxb) as Tensor, y, pxb) as Tensor).item();
    const unaugmented = (plain.lossFn(plain.model.forward(px) as Tensor, y, px) as Tensor).item();
    const outcome = augmented.trainBatch();
    expect(outcome.kind).toBe('ok');
    expect((outcome as { loss: number }).loss).toBeCloseTo(expected, 5);
    expect(Math.abs(expected - unaugmented)).toBeGreaterThan(1e-3);
  });

  it('resumed within an epoch, it sees the same augmented batches as a run never stopped', () => {
    const whole = new Trainer(spec(AUGMENT), data, options);
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

    const resumed = new Trainer(spec(AUGMENT), data, options);
    for (const [k, t] of Object.entries(resumed.model.stateDict())) t.data.set(saved[k]!);
    resumed.loadOptimizerState(optimizer);
    resumed.resumeAt(position);
    expect(Array.from({ length: 4 }, () => (resumed.trainBatch() as { loss: number }).loss)).toEqual(expected);
  });
});
