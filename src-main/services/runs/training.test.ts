/**
 * Training through the real process boundary: the engine host in a child process (under the real supervisor),
 * datasets from the real DatasetService via RunsService (typed arrays over the advanced-serialization IPC), and
 * this test as one renderer. Small synthetic 28×28 datasets and a logistic regression keep it quick.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import type { BatchReport, EpochRecord, Evaluation, RunDetail, RunStatus } from '../../../common/training-protocol';
import { decodeFloat32 } from '../../../common/inside-protocol';
import { logisticSpec, startHarness, syntheticIdx, type Harness } from './test-support/harness';

let h: Harness;
let pid: number;
beforeAll(async () => {
  h = await startHarness();
  pid = await h.waitReady();
});
afterAll(async () => {
  await h?.close();
});

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
const stateIs = (id: string, ...states: RunStatus['state'][]) => (e: EngineEvent) =>
  e.type === 'run-state' && e.run.id === id && states.includes(e.run.state);

async function start(spec: object, dataset: string, options: object): Promise<string> {
  const from = h.events.length;
  h.send({ type: 'run-start', spec, dataset, options });
  const started = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started', { from });
  return started.runId;
}

let nextRequest = 1;
async function request<T extends EngineEvent>(message: Record<string, unknown>, type: T['type']): Promise<T> {
  const requestId = nextRequest++;
  const from = h.events.length;
  h.send({ ...message, requestId });
  return h.waitFor<T>((e) => (e.type === type && (e as { requestId?: number }).requestId === requestId)
    || (e.type === 'error' && e.requestId === requestId), { from }).then((e) => {
    if (e.type === 'error') throw new Error((e as Ev<'error'>).message);
    return e;
  });
}

async function ask<T extends EngineEvent>(message: Record<string, unknown>, type: T['type']): Promise<T> {
  const from = h.events.length;
  h.send(message);
  return h.waitFor<T>((e) => e.type === type || e.type === 'error', { from }).then((e) => {
    if (e.type === 'error') throw new Error((e as Ev<'error'>).message);
    return e;
  });
}

/** One float32 tensor of a safetensors file, read by its format (8-byte header length, JSON header, data): services do not import the engine. */
function safetensorsFloat32(bytes: Buffer, name: string): Float32Array {
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  expect(header[name].dtype).toBe('F32');
  const [start, end] = header[name].data_offsets;
  return new Float32Array(Uint8Array.from(bytes.subarray(8 + length + start, 8 + length + end)).buffer);
}

const image = (index = 0) => Array.from(syntheticIdx('learnable', index + 1, 99).images.subarray(index * 784, (index + 1) * 784));
const predict = (runId: string, extra: object = {}) =>
  request<Ev<'prediction'>>({ type: 'predict', runId, image: image(), ...extra }, 'prediction');

describe('run lifecycle', () => {
  it('starts, refuses a second run, pauses, steps a batch and an epoch, resumes, records an lr change, stops', async () => {
    const id = await start(logisticSpec({ batchSize: 8 }), 'synth', { epochs: 40, name: 'lifecycle' });
    await h.waitFor((e) => e.type === 'run-batch' && e.runId === id);

    let from = h.events.length;
    h.send({ type: 'run-start', spec: logisticSpec(), dataset: 'synth' });
    const refused = await h.waitFor<Ev<'error'>>((e) => e.type === 'error', { from });
    expect(refused).toMatchObject({ requestType: 'run-start' });
    expect(refused.message).toMatch(new RegExp(`run ${id} .*one run at a time, so stop it first`));

    from = h.events.length;
    h.send({ type: 'run-pause', runId: id });
    const paused = await h.waitFor<Ev<'run-state'>>(stateIs(id, 'paused'), { from });
    // The spec's validation_size (50 of synth's 600) is what the run holds out, drawn by its seed (0 by default).
    expect(paused.run.split).toEqual({ seed: 0, train: 550, validation: 50 });
    expect(paused.run.batches).toBe(Math.ceil(550 / 8));
    expect(paused.run.testEvaluations).toBe(0);
    // Paused is not ended: validation answers, the test set stays locked and nothing is counted.
    expect((await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId: id, split: 'validation' }, 'run-evaluation')).evaluation.samples).toBe(50);
    await expect(request({ type: 'run-evaluate', runId: id, split: 'test' }, 'run-evaluation'))
      .rejects.toThrow(`the test set is locked while run ${id} is paused: stop the run or let it finish`);
    await new Promise((r) => setTimeout(r, 300));
    const batchesAfterPause = h.events.slice(h.events.indexOf(paused) + 1).filter((e) => e.type === 'run-batch');
    // A report already waiting for its 50 ms slot may still arrive; training itself has stopped.
    expect(batchesAfterPause.every((e) => (e as Ev<'run-batch'>).step <= paused.run.step)).toBe(true);

    from = h.events.length;
    h.send({ type: 'run-step', runId: id, unit: 'batch' });
    const afterBatch = await h.waitFor<Ev<'run-state'>>(stateIs(id, 'paused'), { from });
    expect(afterBatch.run.step).toBe(paused.run.step + 1);

    from = h.events.length;
    h.send({ type: 'run-step', runId: id, unit: 'epoch' });
    const afterEpoch = await h.waitFor<Ev<'run-state'>>(stateIs(id, 'paused'), { from });
    const epochEvent = h.events.slice(from).find((e) => e.type === 'run-epoch') as Ev<'run-epoch'>;
    expect(epochEvent.epoch).toBe(afterBatch.run.epoch);
    expect(afterEpoch.run).toMatchObject({ epoch: epochEvent.epoch, batch: 0 });
    expect(afterEpoch.run.step).toBe(epochEvent.epoch * afterEpoch.run.batches);

    from = h.events.length;
    h.send({ type: 'run-set-lr', runId: id, lr: 0.05 });
    const marker = await h.waitFor<Ev<'run-marker'>>((e) => e.type === 'run-marker', { from });
    expect(marker.marker).toMatchObject({ kind: 'lr', from: 0.1, to: 0.05, epoch: epochEvent.epoch + 1 });

    h.send({ type: 'run-resume', runId: id });
    await h.waitFor(stateIs(id, 'running'), { from });
    const lrBatch = await h.waitFor<Ev<'run-batch'>>((e) => e.type === 'run-batch' && e.runId === id, { from });
    expect(lrBatch.lr).toBe(0.05);

    from = h.events.length;
    h.send({ type: 'run-stop', runId: id });
    const stopped = await h.waitFor<Ev<'run-state'>>(stateIs(id, 'stopped'), { from });
    expect(stopped.run.reason).toBe('stopped by the user');
    expect(stopped.run.reasonText).toEqual([{ code: 'reason.stoppedByUser', params: {} }]);
    // The weights are kept: on disk, and predictions still work.
    const prediction = await predict(id);
    expect(prediction.probabilities).toHaveLength(10);
    expect(existsSync(join(h.runs.runsDir, id, 'weights.safetensors'))).toBe(true);
    const detail = await ask<Ev<'run-detail'>>({ type: 'run-open', runId: id }, 'run-detail');
    expect(detail.run.history.markers.map((m) => m.kind)).toContain('lr');
    expect(detail.run.meta.state).toBe('stopped');
    expect(detail.run.meta.split).toEqual({ seed: 0, train: 550, validation: 50 });

    // Stopped: the test set opens, and every look is counted, in every window's run-state and in run.json.
    for (const looks of [1, 2]) {
      from = h.events.length;
      const test = await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId: id, split: 'test' }, 'run-evaluation');
      expect(test.evaluation).toMatchObject({ split: 'test', samples: 100 });
      const counted = await h.waitFor<Ev<'run-state'>>((e) => stateIs(id, 'stopped')(e) && (e as Ev<'run-state'>).run.testEvaluations === looks, { from });
      expect(counted.run.state).toBe('stopped');
    }
    const onDisk = JSON.parse(readFileSync(join(h.runs.runsDir, id, 'run.json'), 'utf8')) as { testEvaluations: number };
    expect(onDisk.testEvaluations).toBe(2);
    const reopened = (await ask<Ev<'run-detail'>>({ type: 'run-open', runId: id }, 'run-detail')).run.meta;
    expect(reopened.testEvaluations).toBe(2);
    // The run table shows the latest look's figures.
    expect(reopened.lastTest).toEqual({ loss: expect.any(Number), accuracy: expect.any(Number), samples: 100 });
  });

  it('throttles batch reports to 20 a second, carrying every batch so epoch aggregates recompute exactly', async () => {
    const id = await start(logisticSpec({ batchSize: 2 }), 'synth', { epochs: 3, name: 'throttle' });
    await h.waitFor(stateIs(id, 'completed'));
    const batches = h.events.filter((e): e is Ev<'run-batch'> => e.type === 'run-batch' && e.runId === id);
    const epochs = h.events.filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch' && e.runId === id);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    // At most 20 in any one-second window of the engine's clock.
    const times = batches.map((b) => b.time);
    for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i] && t < times[i] + 1000).length).toBeLessThanOrEqual(20);
    const perEpoch = 275; // 550 training images (600 less main's 1/12 for validation) in batches of 2
    expect(batches.length).toBeLessThan(3 * perEpoch);
    for (const epoch of epochs) {
      const reports = batches.filter((b) => b.epoch === epoch.epoch);
      let lossSum = 0, samples = 0, correct = 0, count = 0;
      for (const r of reports) {
        r.window.loss.forEach((loss, k) => {
          lossSum += loss * r.window.size[k];
          samples += r.window.size[k];
          correct += r.window.correct[k];
          count++;
        });
      }
      expect(count).toBe(perEpoch);
      expect(samples).toBe(550);
      expect(lossSum / samples).toBe(epoch.trainLoss);
      expect(correct / samples).toBe(epoch.trainAcc);
      expect(reports.at(-1)!.epochSoFar).toEqual({ lossSum, samples, correct });
    }
  });
});

describe('training aids', () => {
  it('stops early when the validation loss stops improving and restores the best weights', async () => {
    const spec = logisticSpec({ optimizer: 'Adam', lr: 0.01, validationSize: 25 });
    const id = await start(spec, 'noise', { epochs: 40, earlyStopping: { patience: 2 } });
    const done = await h.waitFor<Ev<'run-state'>>(stateIs(id, 'early-stopped', 'completed', 'failed', 'diverged'));
    expect(done.run.state).toBe('early-stopped');
    const { run } = await ask<Ev<'run-detail'>>({ type: 'run-open', runId: id }, 'run-detail');
    const { meta, history } = run;
    expect(meta.epochsDone).toBe(meta.bestEpoch! + 2);
    const best = history.epochs.find((e) => e.epoch === meta.bestEpoch)!;
    expect(Math.min(...history.epochs.map((e) => e.valLoss!))).toBe(best.valLoss);
    expect(done.run.reason).toMatch(new RegExp(`restored the weights of epoch ${meta.bestEpoch}`));
    // The model now is the best epoch's: the same predictions as that checkpoint, and its validation loss.
    const [now, atBest] = [await predict(id), await predict(id, { checkpoint: meta.bestEpoch })];
    expect(now.probabilities).toEqual(atBest.probabilities);
    const evaluation = (await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId: id, split: 'validation' }, 'run-evaluation')).evaluation;
    expect(evaluation.loss).toBeCloseTo(best.valLoss!, 6);
  });

  it('takes schedulers and gradient clipping from the spec and options', async () => {
    const spec = { ...logisticSpec({ lr: 0.2 }), scheduler: { type: 'StepLR', params: { stepSize: 1, gamma: 0.5 } } };
    const id = await start(spec, 'synth', { epochs: 3, clipGradNorm: 0.5 });
    await h.waitFor(stateIs(id, 'completed'));
    const lrs = h.events.filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch' && e.runId === id).map((e) => e.lr);
    expect(lrs).toEqual([0.2, 0.1, 0.05]);
    expect((await ask<Ev<'run-detail'>>({ type: 'run-open', runId: id }, 'run-detail')).run.meta.options.clipGradNorm).toBe(0.5);
  });

  it('stops a diverging run (lr = 100), keeps the last good checkpoint, explains, and offers the fix', async () => {
    const id = await start(logisticSpec({ lr: 100 }), 'synth', { epochs: 5 });
    const diverged = await h.waitFor<Ev<'run-diverged'>>((e) => e.type === 'run-diverged' && e.runId === id);
    await h.waitFor(stateIs(id, 'diverged'));
    expect(diverged.explanation).toMatch(/^Training diverged at epoch 1, batch \d+: the loss/);
    expect(diverged.causes[0]).toMatch(/learning rate 100 is too high for SGD/);
    expect(diverged.restoredEpoch).toBe(0);
    expect(diverged.fix).toEqual({ action: 'restart-from-checkpoint', runId: id, epoch: 0, lr: 10 });
    // The last good checkpoint (the initial weights) is what the model holds now.
    expect((await predict(id)).probabilities).toEqual((await predict(id, { checkpoint: 0 })).probabilities);

    const from = h.events.length;
    h.send({ type: 'run-restart', runId: id, lr: 0.1 });
    const marker = await h.waitFor<Ev<'run-marker'>>((e) => e.type === 'run-marker' && e.marker.kind === 'restarted', { from });
    expect(marker.marker).toMatchObject({ from: 100, to: 0.1, epoch: 1 });
    await h.waitFor(stateIs(id, 'completed'), { from });
  });
});

describe('checkpoints, history, evaluation and prediction', () => {
  let completed: string;
  let other: string;

  beforeAll(async () => {
    other = await start(logisticSpec({ lr: 0.05 }), 'synth', { epochs: 2, name: 'slow' });
    await h.waitFor(stateIs(other, 'completed'));
    completed = await start(logisticSpec(), 'synth', { epochs: 2, name: 'fast' });
    await h.waitFor(stateIs(completed, 'completed'));
  });

  it('reloads checkpoints to identical predictions', async () => {
    const live = await predict(completed);
    const fromDisk = await predict(completed, { checkpoint: 2 });
    const best = await predict(completed, { checkpoint: 'best' });
    expect(fromDisk.probabilities).toEqual(live.probabilities);
    expect(best.probabilities).toEqual(live.probabilities);
    expect(live.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(live.predicted).toBe(live.probabilities.indexOf(Math.max(...live.probabilities)));
    const initial = await predict(completed, { checkpoint: 0 });
    expect(initial.probabilities).not.toEqual(live.probabilities);
  });

  it('reopens a run that is not the current one: evaluates it from its checkpoint and continues it', async () => {
    const history = (await ask<Ev<'run-detail'>>({ type: 'run-open', runId: other }, 'run-detail')).run.history.epochs;
    const e = (await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId: other, split: 'validation' }, 'run-evaluation')).evaluation;
    expect(e.accuracy).toBe(history.at(-1)!.valAcc);
    expect(e.loss).toBeCloseTo(history.at(-1)!.valLoss!, 6);
    // It is now the current run: prediction without a run id uses it.
    expect((await request<Ev<'prediction'>>({ type: 'predict', image: image() }, 'prediction')).runId).toBe(other);
    const from = h.events.length;
    h.send({ type: 'run-restart', runId: other, epoch: 1 });
    await h.waitFor(stateIs(other, 'completed'), { from });
    const again = (await ask<Ev<'run-detail'>>({ type: 'run-open', runId: other }, 'run-detail')).run;
    expect(again.history.epochs.map((x) => x.epoch)).toEqual([1, 2]);
    expect(again.history.epochs[0]).toEqual(history[0]);
    expect(again.history.markers).toEqual([expect.objectContaining({ kind: 'restarted', epoch: 2 })]);
  });

  it('returns per-layer activations on request', async () => {
    const p = await predict(completed, { activations: true });
    expect(p.activations).toEqual([expect.objectContaining({ name: '0', nodeId: 'fc1', op: 'Linear', shape: [10], truncated: false })]);
  });

  it('looks inside for one image: the hooks\' outputs are the prediction\'s, as float32 bytes; a layer\'s weights are its checkpoint\'s', async () => {
    const p = await predict(completed, { activations: true });
    const inside = await request<Ev<'layer-outputs'>>({ type: 'layer-outputs', runId: completed, image: image() }, 'layer-outputs');
    expect(inside.layers.map((l) => [l.name, l.nodeId, l.op, l.shape, l.truncated])).toEqual([['0', 'fc1', 'Linear', [10], false]]);
    expect(Array.from(decodeFloat32(inside.layers[0].values))).toEqual(p.activations![0].values);
    expect([inside.probabilities, inside.predicted]).toEqual([p.probabilities, p.predicted]);
    expect(decodeFloat32(inside.input)).toHaveLength(784);
    const weights = await request<Ev<'layer-weights'>>({ type: 'layer-weights', runId: completed, layer: '0', checkpoint: 0 }, 'layer-weights');
    expect(weights.tensors.map((t) => [t.name, t.shape])).toEqual([['weight', [10, 784]], ['bias', [10]]]);
    const initial = safetensorsFloat32(readFileSync(join(h.runs.runsDir, completed, 'epochs/epoch-000.safetensors')), '0.weight');
    expect(decodeFloat32(weights.tensors[0].values)).toEqual(initial);
    await expect(request({ type: 'layer-weights', runId: completed, layer: 'conv1' }, 'layer-weights')).rejects.toThrow(/no layer named "conv1"/);
  });

  it('compares runs: every run with its spec and history, newest first, or the ones named', async () => {
    const all = (await request<Ev<'runs-compare'>>({ type: 'runs-compare' }, 'runs-compare')).runs;
    const { runs } = await ask<Ev<'runs'>>({ type: 'runs-list' }, 'runs');
    expect(all.map((r) => r.meta.id)).toEqual(runs.map((r) => r.id));
    const named = (await request<Ev<'runs-compare'>>({ type: 'runs-compare', runIds: [other, completed] }, 'runs-compare')).runs;
    expect(named.map((r) => [r.meta.name, r.spec.optimizer.params.lr, r.history.epochs.length])).toEqual([['slow', 0.05, 2], ['fast', expect.any(Number), 2]]);
    expect(named[1].meta.backendUsed).toEqual(expect.any(String));
  });

  it('lists runs, reopens one, and loads two runs\' curves for overlay (engine and main agree)', async () => {
    const { runs } = await ask<Ev<'runs'>>({ type: 'runs-list' }, 'runs');
    const row = runs.find((r) => r.id === completed)!;
    expect(row).toMatchObject({ name: 'fast', model: 'Logistic', dataset: 'synth', state: 'completed', epochsDone: 2 });
    expect(row.bestValAcc).toBeGreaterThan(0.5);
    expect(await h.runs.list()).toEqual(runs);
    const { curves } = await ask<Ev<'run-curves'>>({ type: 'run-curves', runIds: [completed, other] }, 'run-curves');
    expect(curves.map((c) => [c.name, c.history.epochs.length])).toEqual([['fast', 2], ['slow', 2]]);
    expect(await h.runs.history(other)).toEqual(curves[1].history);
    const detail: RunDetail = (await ask<Ev<'run-detail'>>({ type: 'run-open', runId: other }, 'run-detail')).run;
    expect(detail.spec.optimizer.params.lr).toBe(0.05);
    const files = ['run.json', 'spec.json', 'history.json', 'weights.safetensors', 'epochs/epoch-000.safetensors', 'epochs/epoch-002.safetensors', 'optimizer-002.safetensors'];
    for (const f of files) expect(existsSync(join(h.runs.runsDir, other, f)), f).toBe(true);
  });

  it('evaluates: confusion diagonal agrees with accuracy; per-class accuracy; confidently wrong examples', async () => {
    const end = h.events.find((e): e is Ev<'run-evaluation'> => e.type === 'run-evaluation' && e.runId === completed)!;
    const history: EpochRecord[] = (await ask<Ev<'run-detail'>>({ type: 'run-open', runId: completed }, 'run-detail')).run.history.epochs;
    expect(end.evaluation.accuracy).toBe(history.at(-1)!.valAcc);
    for (const split of ['validation', 'test'] as const) {
      const e: Evaluation = (await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId: completed, split }, 'run-evaluation')).evaluation;
      expect(e.samples).toBe(split === 'test' ? 100 : 50);
      const diagonal = e.confusion.reduce((a, row, k) => a + row[k], 0);
      const total = e.confusion.flat().reduce((a, b) => a + b, 0);
      expect(total).toBe(e.samples);
      expect(diagonal / e.samples).toBe(e.accuracy);
      e.perClassAccuracy.forEach((acc, k) => {
        const row = e.confusion[k].reduce((a, b) => a + b, 0);
        expect(acc).toBe(row ? e.confusion[k][k] / row : null);
      });
      expect(e.confidentlyWrong.length).toBe(Math.min(16, e.samples - diagonal));
      const confidences = e.confidentlyWrong.map((w) => w.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      for (const w of e.confidentlyWrong) {
        expect(w.predicted).not.toBe(w.label);
        expect(w.probabilities[w.predicted]).toBe(w.confidence);
      }
    }
  });
});

describe('bad and out-of-order messages', () => {
  it('answers each with an error and stays alive', async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'run-stop', runId: 'nope-never-started' }, /cannot stop run nope-never-started/],
      [{ type: 'run-pause', runId: '20990101-000000-zzzz' }, /cannot pause run 20990101-000000-zzzz: (the current run is|no run has been started)/],
      [{ type: 'run-resume', runId: '../../etc' }, /runId must be a run id/],
      [{ type: 'run-step', runId: 'x1', unit: 'week' }, /unit must be 'batch' or 'epoch'/],
      [{ type: 'run-set-lr', runId: 'x1', lr: -1 }, /lr must be a positive number/],
      [{ type: 'run-start', spec: { version: 1 }, dataset: 'synth' }, /./],
      [{ type: 'run-start', spec: logisticSpec(), options: { epochs: 0 } }, /epochs must be an integer/],
      [{ type: 'predict', requestId: 1, image: [1, 2, 3] }, /784 pixel values/],
      [{ type: 'configure', runsDir: '/tmp/elsewhere' }, /may only come from main/],
      [{ type: 'dataset', requestId: 1, dataset: {} }, /./],
      [{ type: 'run-open', runId: 'zz-missing' }, /there is no run zz-missing/],
      ['garbage', /must be an object/],
      [{ type: 'run-curves', runIds: [] }, /1 to 8 run ids/],
    ];
    for (const [message, expected] of cases) {
      const from = h.events.length;
      h.send(message);
      const error = await h.waitFor<Ev<'error'>>((e) => e.type === 'error', { from, ms: 10_000 });
      expect(error.message, JSON.stringify(message)).toMatch(expected);
    }
    // A start that cannot load its dataset fails with main's reason, and does not block the next start.
    let from = h.events.length;
    h.send({ type: 'run-start', spec: logisticSpec(), dataset: 'not-imported' });
    const failed = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && e.run.state === 'failed', { from, ms: 10_000 });
    expect(failed.run.reason).toMatch(/not-imported/);
    expect((await h.waitFor<Ev<'error'>>((e) => e.type === 'error', { from, ms: 10_000 })).requestType).toBe('run-start');
    // So does a dataset whose images the model's Input cannot take.
    from = h.events.length;
    h.send({ type: 'run-start', spec: logisticSpec(), dataset: 'small' });
    const misfit = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && e.run.state === 'failed', { from, ms: 10_000 });
    expect(misfit.run.reason).toMatch(/small images are 16×16 \(256 values\) but the model's Input takes \[784\]/);
    // Early stopping with no validation set would never fire: refused, not ignored.
    from = h.events.length;
    h.send({ type: 'run-start', spec: logisticSpec({ validationSize: 0 }), dataset: 'synth', options: { earlyStopping: { patience: 2 } } });
    // (The misfit's own error may still be on its way, so wait for this one by its words.)
    const refusedEarly = await h.waitFor<Ev<'error'>>((e) => e.type === 'error' && /early stopping/.test(e.message), { from, ms: 10_000 });
    expect(refusedEarly).toMatchObject({ requestType: 'run-start', message: 'early stopping watches the validation loss, but validation_size is 0: hold out some images, or turn early stopping off' });
    // And a validation_size the training file cannot spare: said, never quietly shrunk.
    from = h.events.length;
    h.send({ type: 'run-start', spec: logisticSpec({ validationSize: 600 }), dataset: 'synth' });
    const tooMany = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && e.run.state === 'failed', { from, ms: 10_000 });
    expect(tooMany.run.reason).toBe('validation_size is 600, but the synth training file has 600 images; set it to a whole number from 0 to 599, so that some images are left to train on');

    from = h.events.length;
    h.send({ type: 'ping', id: 7 });
    expect(await h.waitFor((e) => e.type === 'pong', { from })).toEqual({ type: 'pong', id: 7, pid });
    expect(h.supervisor.status).toMatchObject({ state: 'ready', pid, restarts: 0 });
  });
});

export type { BatchReport };
