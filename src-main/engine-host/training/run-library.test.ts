/**
 * RunLibrary.checkpointModel: the model a prediction uses is kept between requests (a learner drawing digits asks
 * the same checkpoint again and again), and the current run's 'last' is read again once training has written a new
 * one (#15.2: pen-up → prediction rebuilt the model from disk every time once the run's trainer was gone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPreset } from '../../../common/model-spec';
import type { RunMeta } from '../../../common/training-protocol';
import { buildModel } from '../../../engine/model-spec/build';
import { Run } from './run';
import { RunLibrary } from './run-library';
import { RunStore } from './run-store';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'layerlab-library-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const spec = getPreset('Mnist_Logistic')!;
const meta = (id: string): RunMeta => ({
  id, name: 'logistic', model: 'Mnist_Logistic', dataset: 'mnist', state: 'completed', reason: null,
  createdAt: '2026-12-04T00:00:00.000Z', updatedAt: '2026-12-04T00:00:00.000Z',
  options: { epochs: 2, seed: 0, earlyStopping: null, clipGradNorm: null }, epochsDone: 1, step: 100, lr: 0.5,
  bestEpoch: null, bestValLoss: null, bestValAcc: null, badEpochs: 0, firstLoss: null, recoveries: 0, testEvaluations: 0,
} as RunMeta);

/** Writes a 'last' checkpoint whose bias is all `bias`, and counts the library's reads of it. */
async function setUp() {
  const store = new RunStore(dir);
  const live = meta('20261204-000000-abcd');
  await store.create(live, spec);
  const write = async (bias: number) => {
    const model = buildModel(spec);
    const state = model.stateDict();
    for (const [name, t] of Object.entries(state)) if (name.endsWith('bias')) t.data.fill(bias);
    await store.writeWeights(live.id, 'last', state);
  };
  let reads = 0;
  const read = store.readWeights.bind(store);
  store.readWeights = (...args) => {
    reads++;
    return read(...args);
  };
  const bias = (model: { stateDict(): Record<string, { data: ArrayLike<number> }> }) =>
    Object.entries(model.stateDict()).find(([name]) => name.endsWith('bias'))![1].data[0];
  return { library: new RunLibrary(store), live, write, reads: () => reads, bias };
}

describe('RunLibrary.checkpointModel', () => {
  it("keeps the current run's model between predictions, and reads 'last' again once a new checkpoint is written", async () => {
    const { library, live, write, reads, bias } = await setUp();
    await write(1);
    const first = await library.checkpointModel(live.id, 'last', live);
    expect(bias(first.model)).toBe(1);
    for (let i = 0; i < 5; i++) expect((await library.checkpointModel(live.id, 'last', live)).model).toBe(first.model);
    expect(reads()).toBe(1);
    // Training goes on: a new epoch's checkpoint, and the run's meta says so.
    await write(2);
    Object.assign(live, { epochsDone: 2, step: 200 });
    const next = await library.checkpointModel(live.id, 'last', live);
    expect(bias(next.model)).toBe(2);
    expect(reads()).toBe(2);
  });

  it('a run restarted from an epoch with another learning rate is not mistaken for the checkpoint it had there before', async () => {
    const { library, live, write, bias } = await setUp();
    await write(1);
    await library.checkpointModel(live.id, 'last', live);
    // Restarted at the same epoch and step with a new learning rate, then checkpointed: other weights, same counts.
    await write(3);
    live.lr = 0.05;
    expect(bias((await library.checkpointModel(live.id, 'last', live)).model)).toBe(3);
  });
});

describe('the current run in the run list and in runs-compare', () => {
  it("says the same updatedAt in both once its meta is written, so the Runs tab does not take it for changed", async () => {
    const store = new RunStore(dir);
    const live = meta('20261204-000000-abcd');
    await store.create(live, spec);
    const run = new Run(live, spec, { epochs: [], markers: [] }, null as never, store);
    run.meta.state = 'completed';
    await run.writeMeta();
    const library = new RunLibrary(store);
    const [listed] = await library.list();
    const [detail] = await library.compare([live.id], run.meta);
    expect(listed.updatedAt).not.toBe('2026-12-04T00:00:00.000Z');
    expect(detail.meta.updatedAt).toBe(listed.updatedAt);
    expect(detail.meta.state).toBe(listed.state);
  });
});
