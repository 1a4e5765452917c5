import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import { engineText } from '../../../common/engine-text';
import type { TrainingDataset } from '../../../common/training-protocol';
import { EngineHost, type EnginePeer } from '../engine-host';
import { DatasetChannel } from '../training/datasets';
import { LessonRunner, type ComputingRun } from './lesson-runner';

/** 60,100 images, so the tutorial's 50,000 / 10,000 split fits; class i % 10 as a bright band of rows. */
function dataset(): TrainingDataset {
  const count = 50_100;
  const images = new Uint8Array(count * 784), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    images.fill(255, i * 784 + (i % 10) * 56, i * 784 + (i % 10) * 56 + 56);
  }
  const image = { images, labels, count, height: 28, width: 28 };
  return { name: 'mnist', classes: [], train: image, test: null, split: { train: new Int32Array(0), validation: new Int32Array(0), seed: 0 } };
}

function peer(id = 'renderer-1'): EnginePeer & { events: EngineEvent[]; next(type: string): Promise<EngineEvent> } {
  const events: EngineEvent[] = [];
  const waiting: { type: string; resolve(e: EngineEvent): void }[] = [];
  return {
    id, events,
    send(event) {
      events.push(event);
      for (const w of waiting.filter((w) => w.type === event.type)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    },
    next: (type) => new Promise((resolve) => waiting.push({ type, resolve })),
  };
}

const hello = { engineVersion: '0', pid: 1, runtime: 'test', backends: [], backendInUse: 'cpu' };

describe('LessonRunner in the engine host', () => {
  it('runs a step through the engine protocol, validates requests, refuses a second step and stops a loop', async () => {
    const data = dataset();
    const host = new EngineHost(hello, undefined, new LessonRunner(async () => data));
    const renderer = peer();

    host.handle(renderer, { type: 'lesson-run', requestId: 1, step: 'sideways' });
    expect(renderer.events.at(-1)).toMatchObject({ type: 'error', message: expect.stringContaining('step must be one of') });

    const first = renderer.next('lesson-result');
    host.handle(renderer, { type: 'lesson-run', requestId: 2, step: 'from-scratch' });
    const result = await first;
    expect(result).toMatchObject({ type: 'lesson-result', requestId: 2, step: 'from-scratch', stopped: false });

    const stopped = renderer.next('lesson-result');
    const progress = renderer.next('lesson-progress');
    host.handle(renderer, { type: 'lesson-run', requestId: 3, step: 'training-loop' });
    expect(await progress).toMatchObject({ requestId: 3, step: 'training-loop', epochs: 2, batches: 782 });
    host.handle(renderer, { type: 'lesson-run', requestId: 4, step: 'optim' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(renderer.events.find((e) => e.type === 'error' && e.requestId === 4)).toMatchObject({ message: expect.stringContaining('still running') });
    host.handle(renderer, { type: 'lesson-stop', requestId: 3 });
    const done = await stopped;
    expect(done).toMatchObject({ requestId: 3, stopped: true });
  });

  it('does not share the engine with a run: refused while one computes, stopped when one starts', async () => {
    const data = dataset();
    let run: ComputingRun | null = { id: '20261205-001500-abcd', name: 'MLP', state: 'running' };
    // The engine host lowers threads made since it last computed when a step starts (priority.ts), not when refused.
    let computeStarts = 0;
    const host = new EngineHost(hello, undefined, new LessonRunner(async () => data, () => run, () => computeStarts++));
    const renderer = peer();
    const refused = renderer.next('error');
    host.handle(renderer, { type: 'lesson-run', requestId: 1, step: 'data' });
    // Its English for logs, and its code for the Learn tab to word in the learner's language.
    expect(await refused).toMatchObject({
      requestId: 1, message: 'lesson-run: run 20261205-001500-abcd ("MLP") is running; the lesson waits until it is paused, stopped or done',
      text: engineText('lesson.waitsForRun.running', { id: '20261205-001500-abcd', name: 'MLP' }),
    });
    expect(computeStarts).toBe(0);

    run = null;
    const progress = renderer.next('lesson-progress');
    const result = renderer.next('lesson-result');
    host.handle(renderer, { type: 'lesson-run', requestId: 2, step: 'optim' });
    await progress;
    expect(computeStarts).toBe(1);
    run = { id: '20261205-001600-efgh', name: 'LeNet-5', state: 'loading' };
    expect(await result).toMatchObject({
      requestId: 2, stopped: true, interruptedBy: 'run 20261205-001600-efgh ("LeNet-5") is loading',
      interruptedByText: engineText('lesson.runLoading', { id: '20261205-001600-efgh', name: 'LeNet-5' }),
    });
  });

  it('says to download MNIST when main cannot send it, and tries again next time', async () => {
    let calls = 0;
    const host = new EngineHost(hello, undefined, new LessonRunner(async () => {
      calls++;
      throw new Error('mnist is not downloaded');
    }));
    const renderer = peer();
    const error = renderer.next('error');
    host.handle(renderer, { type: 'lesson-run', requestId: 7, step: 'data', maxBatches: 5 });
    expect(await error).toMatchObject({
      requestId: 7,
      message: 'lesson step data: the lesson runs on MNIST, which could not be loaded (mnist is not downloaded); download it on the Data tab',
      text: engineText('lesson.noMnist', { step: 'data', message: 'mnist is not downloaded' }),
    });
    const again = renderer.next('error');
    host.handle(renderer, { type: 'lesson-run', requestId: 8, step: 'data' });
    await again;
    expect(calls).toBe(2);
  });

  it("nests main's coded reason in the refusal, so the Learn tab words the missing files in the learner's language", async () => {
    const notReady = engineText('dataset.notReady', {
      name: 'mnist',
      files: [engineText('dataset.file.missing', { file: 'train-images-idx3-ubyte.gz' }), engineText('dataset.file.corrupt', { file: 'train-labels-idx1-ubyte.gz' })],
    });
    const reason = 'mnist is not ready (train-images-idx3-ubyte.gz missing, train-labels-idx1-ubyte.gz corrupt). Download it, or import the IDX files.';
    // The engine host's real dataset hand-over, with main answering as RunsService does.
    const channel: DatasetChannel = new DatasetChannel((event) => {
      if (event.type === 'dataset-request') setImmediate(() => channel.answer(event.requestId, { message: reason, text: notReady }));
    });
    const host = new EngineHost(hello, undefined, new LessonRunner((name) => channel.get(name)));
    const renderer = peer();
    const error = renderer.next('error');
    host.handle(renderer, { type: 'lesson-run', requestId: 9, step: 'data' });
    expect(await error).toMatchObject({
      requestId: 9,
      message: `lesson step data: the lesson runs on MNIST, which could not be loaded (${reason}); download it on the Data tab`,
      text: engineText('lesson.noMnist', { step: 'data', message: notReady }),
    });
  });
});
