/** #16.3 in the engine host: the trainer's sampled layer statistics, and their file in the run's folder. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { thinSamples, type LayerStatsSample } from '../../../common/layer-stats';
import type { ModelSpec } from '../../../common/model-spec/types';
import type { TrainingDataset } from '../../../common/training-protocol';
import { appendLayerStats, LAYER_STATS_FILE, readLayerStats } from './layer-stats';
import { resolveOptions, RunTrainer } from './run-trainer';

const count = 240;
const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
// Pixels that differ per image, so that every layer has gradients to show.
const images = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 2654435761) % 251);
const data: TrainingDataset = {
  name: 'tiny', classes: Array.from({ length: 10 }, (_, k) => String(k)),
  train: { images, labels, count, height: 28, width: 28 }, test: null,
  split: { train: Int32Array.from({ length: 220 }, (_, i) => i), validation: Int32Array.from({ length: 20 }, (_, i) => 220 + i), seed: 1 },
};
const spec: ModelSpec = {
  version: 1,
  nodes: [
    { id: 'input', op: 'Input', params: { shape: [1, 28, 28] } },
    { id: 'flatten1', op: 'Flatten', params: {} },
    { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 16 } },
    { id: 'relu1', op: 'ReLU', params: {} },
    { id: 'fc2', op: 'Linear', params: { inFeatures: 16, outFeatures: 10 } },
  ],
  edges: [{ from: 'input', to: 'flatten1' }, { from: 'flatten1', to: 'fc1' }, { from: 'fc1', to: 'relu1' }, { from: 'relu1', to: 'fc2' }],
  loss: { type: 'CrossEntropyLoss', params: {} },
  optimizer: { type: 'SGD', params: { lr: 0.05 } },
  data: { dataset: 'mnist', batchSize: 16, shuffle: true, validationSize: 60, normalize: 'scale' },
};

describe('RunTrainer: layer statistics', () => {
  it('samples the first batch, then an epoch\'s worth of batches apart on short epochs, without changing what it trains', () => {
    const inspected = new RunTrainer(spec, data, resolveOptions({ seed: 3 }));
    inspected.statsBudget = Infinity; // the fixed schedule: no timing in a test
    const plain = new RunTrainer(spec, data, resolveOptions({ seed: 3 }));
    plain.inspect = false;
    expect(inspected.batchesPerEpoch).toBe(12);
    const samples: LayerStatsSample[] = [];
    for (let i = 0; i < 26; i++) {
      for (const trainer of [inspected, plain]) {
        const outcome = trainer.trainBatch();
        if (outcome.kind !== 'ok') throw new Error('diverged');
        if (trainer === plain) expect(outcome.layerStats).toBeUndefined();
        else if (outcome.layerStats) samples.push(outcome.layerStats);
        if (outcome.epochDone) trainer.finishEpoch();
      }
    }
    expect(samples.map((s) => [s.step, s.epoch, s.batch])).toEqual([[1, 1, 1], [13, 2, 1], [25, 3, 1]]);
    expect(samples[0].layers.map((l) => l.name)).toEqual(['0', '1', '2', '3']); // a chain's modules, by position
    const fc1 = samples[0].layers[1];
    expect(fc1).toMatchObject({ kind: 'Linear', params: 784 * 16 + 16 });
    expect(fc1.gradNorm).toBeGreaterThan(0);
    expect(fc1.updateRatio).toBeGreaterThan(0);
    expect(samples[0].layers[2].deadShare).not.toBeNull();
    expect(Array.isArray(samples[0].flags)).toBe(true);
    // The probe only reads: both trainers end with the same weights, bit for bit.
    const a = inspected.model.stateDict(), b = plain.model.stateDict();
    for (const key of Object.keys(a)) expect(Array.from(a[key].data)).toEqual(Array.from(b[key].data));
  });
});

describe('layer-stats.jsonl', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const sample = (step: number, tag = ''): LayerStatsSample => ({ step, epoch: 1, batch: step, layers: [], flags: tag ? [{ kind: 'vanishing', layer: tag, value: 1e-5 }] : [] });

  it('reads back what was appended, a restart replacing the steps it trains again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'layer-stats-'));
    expect(await readLayerStats(dir)).toEqual([]);
    for (const s of [sample(1), sample(50), sample(100), sample(50, 'again'), sample(100, 'again'), sample(150)]) await appendLayerStats(dir, s);
    expect((await readLayerStats(dir)).map((s) => [s.step, s.flags[0]?.layer ?? ''])).toEqual([[1, ''], [50, 'again'], [100, 'again'], [150, '']]);
  });

  it('skips a line cut short by a kill, and thins a long run to an even spread with the first and the latest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'layer-stats-'));
    await writeFile(join(dir, LAYER_STATS_FILE), `${JSON.stringify(sample(1))}\n{"step": 5, "epo`);
    expect((await readLayerStats(dir)).map((s) => s.step)).toEqual([1]);
    const many = Array.from({ length: 1000 }, (_, i) => i);
    const thinned = thinSamples(many, 400);
    expect(thinned).toHaveLength(400);
    expect([thinned[0], thinned[399]]).toEqual([0, 999]);
    expect(new Set(thinned).size).toBe(400);
    expect(thinSamples([1, 2, 3], 400)).toEqual([1, 2, 3]);
  });
});
