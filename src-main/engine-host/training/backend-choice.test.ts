/**
 * The run manager's backend handling, in this process (the spawned engine host is tested in
 * src-main/services/runs/backend.test.ts): a backend that fails mid-run hands the run to the CPU with nothing lost,
 * a run's `backend` option is honoured without measuring, and the host hears when batches start or resume (it
 * lowers the threads the backends made meanwhile then: priority.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import { engineText, englishTexts } from '../../../common/engine-text';
import type { ModelSpec } from '../../../common/model-spec/types';
import type { TrainingDataset } from '../../../common/training-protocol';
import { getBackend, registerBackend, setBackend } from '../../../engine/backend/backend';
import { cpuKernels } from '../../../engine/backend/cpu/index';
import { createGpujsBackend } from '../../../engine/backend/gpujs/index';
import { startGpujsWorker } from '../../../engine/node/gpujs-worker';
import { RunManager, type TrainingLinks, type TrainingPeer } from './run-manager';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

const root = mkdtempSync(join(tmpdir(), 'layerlab-backend-choice-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** A runs folder per test: a run whose meta is still being written must not look interrupted to the next one. */
let folders = 0;
const runsFolder = () => join(root, String(++folders));
afterEach(() => setBackend('cpu'));

/** 240 images of 28×28 whose class k lights row band k: learnable by a logistic regression. */
function dataset(): TrainingDataset {
  const count = 240;
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = ((i * 31 + p * 7) % 50) + (Math.floor(p / 78) === labels[i] ? 150 : 0);
  }
  const all = Int32Array.from({ length: count }, (_, i) => i);
  return {
    name: 'bands', classes: Array.from({ length: 10 }, (_, k) => String(k)),
    train: { images, labels, count, height: 28, width: 28 }, test: null,
    split: { train: all.slice(0, 200), validation: all.slice(200), seed: 0 },
  };
}

const spec: ModelSpec = {
  version: 1, name: 'Logistic',
  nodes: [{ id: 'input', op: 'Input', params: { shape: [784] } }, { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } }],
  edges: [{ from: 'input', to: 'fc1' }],
  loss: { type: 'CrossEntropyLoss', params: {} },
  optimizer: { type: 'SGD', params: { lr: 0.1 } },
  data: { dataset: 'mnist', batchSize: 20, shuffle: true, validationSize: 40, normalize: 'scale' },
};

function harness(links: Pick<TrainingLinks, 'computeStarts'> = {}) {
  const events: EngineEvent[] = [];
  const renderer: TrainingPeer = { id: 'r1', send: (e) => events.push(e) };
  let manager!: RunManager;
  const data = dataset();
  const main: TrainingPeer = {
    id: 'main',
    send: (e) => {
      if (e.type === 'dataset-request') setImmediate(() => void manager.handle(main, { type: 'dataset', requestId: e.requestId, dataset: data }));
    },
  };
  let backendInUse = 'cpu';
  manager = new RunManager({ main, renderers: () => [renderer], backendChanged: (name) => (backendInUse = name), ...links });
  const waitFor = async <T extends EngineEvent>(test: (e: EngineEvent) => boolean, ms = 30_000): Promise<T> => {
    for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 10))) {
      const hit = events.find(test);
      if (hit) return hit as T;
    }
    throw new Error(`timed out; last events: ${JSON.stringify(events.slice(-4)).slice(0, 1500)}`);
  };
  return { manager, main, renderer, events, waitFor, backendInUse: () => backendInUse };
}

describe('run backends', () => {
  it('falls back to the CPU when the backend fails mid-run, redoes that batch, and completes with nothing lost', async () => {
    let calls = 0;
    registerBackend({
      name: 'flaky-gpu',
      kernels: {
        Matmul: (...args: Parameters<typeof cpuKernels.Matmul>) => {
          if (++calls > 25) throw new Error('GPU context lost\n  at somewhere');
          return cpuKernels.Matmul(...args);
        },
      },
    });
    const h = harness();
    await h.manager.handle(h.main, { type: 'configure', runsDir: runsFolder() });
    await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { epochs: 2, backend: 'flaky-gpu' } });
    const started = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started');
    const done = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && ['completed', 'failed'].includes(e.run.state));
    expect(done.run).toMatchObject({ id: started.runId, state: 'completed', epoch: 2 });

    const announced = h.events.filter((e): e is Ev<'run-backend'> => e.type === 'run-backend');
    expect(announced[0]).toEqual({ type: 'run-backend', runId: started.runId, chosen: 'flaky-gpu', figures: [], overridden: true });
    expect(announced[1]).toMatchObject({ runId: started.runId, chosen: 'cpu' });
    expect(announced[1].note).toMatch(/^the flaky-gpu backend failed \(GPU context lost\); training goes on on the CPU from batch \d+ of epoch \d, with nothing lost$/);
    // The renderer words it from its code: the host sends the sentence's parameters, not only its English.
    expect(announced[1].noteText).toEqual([
      engineText('backend.note.fellBack', { backend: 'flaky-gpu', error: 'GPU context lost', batch: expect.any(Number), epoch: expect.any(Number) }),
    ]);
    expect(englishTexts(announced[1].noteText!, '; ')).toBe(announced[1].note);
    expect(getBackend().name).toBe('cpu');
    expect(h.backendInUse()).toBe('cpu');
    const marker = h.events.find((e): e is Ev<'run-marker'> => e.type === 'run-marker' && e.marker.kind === 'backend');
    expect(marker?.marker.message).toBe(announced[1].note);

    // Every batch of both epochs counted once: 200 training images in batches of 20.
    const batches = h.events.filter((e): e is Ev<'run-batch'> => e.type === 'run-batch').flatMap((e) => e.window.size);
    expect(batches).toEqual(Array(20).fill(20));
    const epochs = h.events.filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs[1].trainAcc).toBeGreaterThan(0.5);
  });

  it('when a gpu.js worker thread hangs mid-run, its kept weights come home from their mirrors and the run ends as on the CPU', async () => {
    // gpu.js in a worker, resident (as gpujs-webgpu runs), on webasm so that every machine runs it. During the
    // forward pass of epoch 2's third batch its thread hangs (a kernel that runs for minutes, as a hung GPU would);
    // the run must go on on the CPU from the weights that batch began with.
    const worker = await startGpujsWorker({ mode: 'webasm', timeoutMs: 2_000 });
    const gpu = createGpujsBackend({ runner: worker.runner, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-killed' });
    const SPIN = `function (x) {\n  let s = 0;\n  for (let i = 0; i < 1048576; i++) {\n    for (let j = 0; j < 1048576; j++) {\n      s = s + x[0] * 0.5;\n    }\n  }\n  return s;\n}`;
    let matmuls = 0;
    registerBackend({
      ...gpu,
      kernels: {
        ...gpu.kernels,
        Matmul: (...args: Parameters<typeof cpuKernels.Matmul>) => {
          // Per epoch: 10 batches of a forward and a weight-gradient product, and 2 validation forwards.
          if (++matmuls === 22 + 2 * 2 + 1) worker.runner.runOnDevice({ source: SPIN, n: 1, args: [Float32Array.of(1)] });
          return gpu.kernels.Matmul!(...args);
        },
      },
    });
    const runOn = async (backend: string) => {
      const h = harness();
      await h.manager.handle(h.main, { type: 'configure', runsDir: runsFolder() });
      await h.manager.handle(h.renderer, { type: 'run-start', spec: { ...spec, optimizer: { type: 'Adam', params: { lr: 0.01 } } }, options: { epochs: 2, seed: 7, backend } });
      const done = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && ['completed', 'failed'].includes(e.run.state));
      return { h, done };
    };
    const cpu = await runOn('cpu');
    const killed = await runOn('gpujs-killed');
    expect(killed.done.run, `the run ended: ${killed.done.run.reason ?? ''}`).toMatchObject({ state: 'completed', epoch: 2 });
    const announced = killed.h.events.filter((e): e is Ev<'run-backend'> => e.type === 'run-backend');
    expect(announced[1].note).toMatch(/^the gpujs-killed backend failed \(gpu\.js worker: no answer within 2 s .*\); training goes on on the CPU from batch 3 of epoch 2, with nothing lost$/);
    expect(gpu.store!.restoredFromMirror).toBeGreaterThan(0);
    await expect(worker.exited).resolves.toBeTypeOf('number');
    // Nothing lost: the same epochs as a run that was on the CPU all along (same seed), to float32 rounding.
    const epochs = (h: typeof cpu.h) => h.events.filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch');
    const want = epochs(cpu.h);
    const got = epochs(killed.h);
    expect(got.map((e) => e.epoch)).toEqual([1, 2]);
    got.forEach((e, i) => {
      expect(e.trainLoss).toBeCloseTo(want[i].trainLoss, 5);
      expect(e.valLoss!).toBeCloseTo(want[i].valLoss!, 5);
      expect(e.trainAcc).toBe(want[i].trainAcc);
    });
  });

  it('a run on a gpu.js worker with step plans: its batches run as plans, and its accuracy is counted where they ran', async () => {
    // The app's path (RunManager → RunTrainer → Trainer), on webasm so that every machine runs it. The Trainer reads
    // each batch's loss and correct count together (stepMetrics); the counts must be real ones.
    const worker = await startGpujsWorker({ mode: 'webasm' });
    const gpu = createGpujsBackend({ runner: worker.runner, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-planned' });
    registerBackend(gpu);
    try {
      const h = harness();
      await h.manager.handle(h.main, { type: 'configure', runsDir: runsFolder() });
      const before = worker.runner.stats();
      await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { epochs: 3, seed: 3, backend: 'gpujs-planned' } });
      const done = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && ['completed', 'failed'].includes(e.run.state));
      expect(done.run, `the run ended: ${done.run.reason ?? ''}`).toMatchObject({ state: 'completed', epoch: 3 });
      const after = worker.runner.stats();
      // 3 epochs of 10 training batches and a validation batch: all but the first few batches are plan calls.
      expect(after.planCalls - before.planCalls).toBeGreaterThanOrEqual(3 * 10 - 6);
      expect(after.planFailures).toEqual([]);
      const epochs = h.events.filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch');
      expect(epochs.map((e) => e.trainAcc).every((a) => a >= 0 && a <= 1)).toBe(true);
      expect(epochs[2].trainAcc).toBeGreaterThan(0.5); // the bands are learnable: the count is a real one
    } finally {
      gpu.dispose();
    }
  });

  it('says once, beside the backend, why its steps ran slower than they could (a GPU\'s step plans not used)', async () => {
    const said = engineText('backend.note.plansFailed', { backend: 'noted-gpu', failure: 'a step plan was not used: because' });
    const note = 'noted-gpu: a step plan was not used: because; those steps ran kernel by kernel (correct, slower)';
    registerBackend({ name: 'noted-gpu', kernels: {}, stepNote: () => said });
    const h = harness();
    await h.manager.handle(h.main, { type: 'configure', runsDir: runsFolder() });
    await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { epochs: 2, backend: 'noted-gpu' } });
    const started = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started');
    await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && ['completed', 'failed'].includes(e.run.state));
    const announced = h.events.filter((e): e is Ev<'run-backend'> => e.type === 'run-backend');
    expect(announced).toEqual([
      { type: 'run-backend', runId: started.runId, chosen: 'noted-gpu', figures: [], overridden: true },
      { type: 'run-backend', runId: started.runId, chosen: 'noted-gpu', figures: [], overridden: true, note, noteText: [said] },
    ]);
    // Said after the first epoch, before that epoch's record reaches the renderer.
    const firstEpoch = h.events.findIndex((e) => e.type === 'run-epoch');
    expect(h.events.indexOf(announced[1])).toBeLessThan(firstEpoch);
  });

  it('tells the host each time a run\'s batches start or resume: started, resumed, stepped from paused', async () => {
    let computeStarts = 0;
    const h = harness({ computeStarts: () => computeStarts++ });
    await h.manager.handle(h.main, { type: 'configure', runsDir: runsFolder() });
    await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { epochs: 50, backend: 'cpu' } });
    const { runId } = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started');
    expect(computeStarts).toBe(1);
    const paused = () => h.events.filter((e) => e.type === 'run-state' && e.run.state === 'paused').length;
    await h.manager.handle(h.renderer, { type: 'run-pause', runId });
    await h.waitFor((e) => e.type === 'run-state' && e.run.state === 'paused');
    expect(computeStarts).toBe(1);
    await h.manager.handle(h.renderer, { type: 'run-resume', runId });
    expect(computeStarts).toBe(2);
    await h.manager.handle(h.renderer, { type: 'run-step', runId, unit: 'batch' }); // running: the loop goes on
    expect(computeStarts).toBe(2);
    for (const started = Date.now(); paused() < 2 && Date.now() - started < 30_000;) await new Promise((r) => setTimeout(r, 10));
    expect(paused()).toBe(2);
    await h.manager.handle(h.renderer, { type: 'run-step', runId, unit: 'batch' }); // paused: one more batch
    expect(computeStarts).toBe(3);
    await h.manager.handle(h.renderer, { type: 'run-stop', runId });
    await h.waitFor((e) => e.type === 'run-state' && e.run.state === 'stopped');
    expect(computeStarts).toBe(3);
  });

  it('refuses a backend this engine does not have', async () => {
    const h = harness();
    await h.manager.handle(h.main, { type: 'configure', runsDir: runsFolder() });
    await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { backend: 'tpu' } });
    const error = await h.waitFor<Ev<'error'>>((e) => e.type === 'error');
    expect(error.message).toMatch(/^there is no backend 'tpu' in this engine \(available: auto, cpu/);
  });
});
