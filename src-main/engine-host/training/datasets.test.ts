/**
 * The dataset hand-over's failure, in this process: a run started on a dataset main cannot send fails with main's
 * reason, whose sentence code (dataset.notReady, its files as data) reaches the renderer and run.json beside the same
 * English, so the Train tab says it in the learner's language.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import { engineText, englishText, type EngineText } from '../../../common/engine-text';
import { PRESETS } from '../../../common/model-spec/presets';
import type { RunMeta } from '../../../common/training-protocol';
import { RunManager, type TrainingPeer } from './run-manager';

const root = mkdtempSync(join(tmpdir(), 'layerlab-dataset-channel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The tutorial's model, which a learner trains on MNIST. */
const spec = PRESETS.Mnist_Logistic;

/** A run manager whose main answers every dataset request with `answer` (a dataset-error's message and text). */
function refusedBy(answer: { message: string; text?: EngineText }, runsDir: string) {
  const events: EngineEvent[] = [];
  const renderer: TrainingPeer = { id: 'r1', send: (e) => events.push(e) };
  let manager!: RunManager;
  const main: TrainingPeer = {
    id: 'main',
    send: (e) => {
      if (e.type === 'dataset-request') setImmediate(() => void manager.handle(main, { type: 'dataset-error', requestId: e.requestId, ...answer }));
    },
  };
  manager = new RunManager({ main, renderers: () => [renderer], backendChanged: () => undefined });
  return { manager, main, renderer, events };
}

const readMeta = (runsDir: string, runId: string) => JSON.parse(readFileSync(join(runsDir, runId, 'run.json'), 'utf8')) as RunMeta;

function lastRunState(events: readonly EngineEvent[]): Extract<EngineEvent, { type: 'run-state' }> {
  const states = events.filter((e): e is Extract<EngineEvent, { type: 'run-state' }> => e.type === 'run-state');
  expect(states.length).toBeGreaterThan(0);
  return states[states.length - 1];
}

describe('a run whose dataset main cannot send', () => {
  it("fails with main's reason as its sentence code, nested file states included, and the same English", async () => {
    const text = engineText('dataset.notReady', {
      name: 'mnist',
      files: [engineText('dataset.file.missing', { file: 'train-images-idx3-ubyte.gz' }), engineText('dataset.file.truncated', { file: 't10k-labels-idx1-ubyte.gz' })],
    });
    const message = 'mnist is not ready (train-images-idx3-ubyte.gz missing, t10k-labels-idx1-ubyte.gz truncated). Download it, or import the IDX files.';
    expect(englishText(text)).toBe(message);
    const runsDir = join(root, 'coded');
    const h = refusedBy({ message, text }, runsDir);
    await h.manager.handle(h.main, { type: 'configure', runsDir });
    await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { epochs: 1 } });

    expect(h.events.find((e) => e.type === 'error')).toEqual({ type: 'error', message, text, requestType: 'run-start' });
    const failed = lastRunState(h.events);
    expect(failed.run).toMatchObject({ state: 'failed', reason: message, reasonText: [text] });
    const runId = failed.run.id;
    // run.json is written after the state is broadcast: read it once it says failed.
    await expect.poll(() => readMeta(runsDir, runId).state, { timeout: 10_000 }).toBe('failed');
    expect(readMeta(runsDir, runId)).toMatchObject({ reason: message, reasonText: [text] });
  });

  it('keeps a reason main sent without a code as plain English', async () => {
    const runsDir = join(root, 'plain');
    const h = refusedBy({ message: 'mnist: gzip data is damaged (unexpected end of file).' }, runsDir);
    await h.manager.handle(h.main, { type: 'configure', runsDir });
    await h.manager.handle(h.renderer, { type: 'run-start', spec, options: { epochs: 1 } });
    expect(h.events.find((e) => e.type === 'error')).toEqual({ type: 'error', message: 'mnist: gzip data is damaged (unexpected end of file).', requestType: 'run-start' });
    const failed = lastRunState(h.events);
    expect(failed.run).toMatchObject({ state: 'failed', reason: 'mnist: gzip data is damaged (unexpected end of file).' });
    expect(failed.run.reasonText).toBeUndefined();
    await expect.poll(() => readMeta(runsDir, failed.run.id).state, { timeout: 10_000 }).toBe('failed');
  });
});
