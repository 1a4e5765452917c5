/**
 * The real MNIST files from ../shared/data/mnist, imported into a temp data dir through the real DatasetService
 * (recognised by checksum as the canonical dataset) and handed to the engine host as typed arrays over the
 * child IPC: a run holds out the validation_size its spec sets (10,000, stratified, drawn by its seed), and the test
 * set's 10,000 images are evaluated when asked. A few batches only, to keep the suite quick. Skipped where the
 * files are absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import { getPreset } from '../../../common/model-spec/presets';
import { SHARED_DATA } from '../datasets/test-helpers';
import { startHarness, type Harness } from './test-support/harness';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
const MNIST = join(SHARED_DATA, 'mnist');
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const present = FILES.every((f) => existsSync(join(MNIST, f)));
if (!present) console.log(`MNIST run test skipped: the IDX files are not all in ${MNIST} (they live outside the repository, in ../shared/data/mnist)`);

let h: Harness;
beforeAll(async () => {
  if (!present) return;
  h = await startHarness({ import: { mnist: FILES.map((f) => join(MNIST, f)) } });
  await h.waitReady();
});
afterAll(async () => {
  await h?.close();
});

it.skipIf(!present)('trains MNIST on the validation_size it is given, drawn by its seed, and evaluates the test set on demand', async () => {
  const preset = getPreset('Mnist_Logistic')!;
  h.send({ type: 'run-start', spec: { ...preset, data: { ...preset.data, batchSize: 100, validationSize: 10_000 } }, options: { epochs: 1, seed: 3 } });
  const { runId } = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started');
  await h.waitFor((e) => e.type === 'run-batch' && e.runId === runId, { ms: 60_000 });
  let from = h.events.length;
  h.send({ type: 'run-pause', runId });
  const paused = await h.waitFor<Ev<'run-state'>>((e) => e.type === 'run-state' && e.run.state === 'paused', { from });
  expect(paused.run.batches).toBe(500); // 50,000 training images in batches of 100
  expect(paused.run.split).toEqual({ seed: 3, train: 50_000, validation: 10_000 });

  const evaluate = async (split: 'validation' | 'test', requestId: number) => {
    from = h.events.length;
    h.send({ type: 'run-evaluate', runId, split, requestId });
    return (await h.waitFor<Ev<'run-evaluation'>>((e) => e.type === 'run-evaluation' && e.requestId === requestId, { from })).evaluation;
  };
  const validation = await evaluate('validation', 1);
  expect(validation.samples).toBe(10_000);
  // Stratified: every digit keeps its share of the 10,000 (class 1, the most common, has the most).
  const perClass = validation.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  expect(Math.max(...perClass)).toBe(perClass[1]);
  // The test set opens once the run has ended.
  h.send({ type: 'run-stop', runId });
  await h.waitFor((e) => e.type === 'run-state' && e.run.state === 'stopped');
  expect((await evaluate('test', 2)).samples).toBe(10_000);
});
