/**
 * `run-examples` through the real process boundary (the engine host in a child process, as training.test.ts):
 * after an evaluation, every confusion-matrix cell lists exactly its examples, most confident first, with their
 * top-3 classes and the very pixels of those images; the misclassified list pages; unknown runs and splits not
 * evaluated yet are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import { stratifiedSplit } from '../../../common/split';
import type { EvaluatedExample, Evaluation } from '../../../common/training-protocol';
import { logisticSpec, startHarness, syntheticIdx, type Harness } from './test-support/harness';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

let h: Harness;
let runId: string;
let nextRequest = 1;

async function request<T extends EngineEvent>(message: Record<string, unknown>, type: T['type']): Promise<T> {
  const requestId = nextRequest++;
  const from = h.events.length;
  h.send({ ...message, requestId });
  const e = await h.waitFor((x) => (x.type === type || x.type === 'error') && (x as { requestId?: number }).requestId === requestId, { from });
  if (e.type === 'error') throw new Error(e.message);
  return e as T;
}

const examples = (query: Record<string, unknown>) => request<Ev<'run-examples'>>({ type: 'run-examples', runId, ...query }, 'run-examples');

/** The 784 pixels of each example of a page, cut from its base64 bytes. */
const pagePixels = (page: Ev<'run-examples'>) => {
  const bytes = Buffer.from(page.pixels, 'base64');
  return page.examples.map((_, i) => Array.from(bytes.subarray(i * 784, (i + 1) * 784)));
};

function expectSorted(list: EvaluatedExample[]): void {
  for (let i = 1; i < list.length; i++) expect(list[i - 1].confidence).toBeGreaterThanOrEqual(list[i].confidence);
  for (const e of list) {
    expect(e.top).toHaveLength(3);
    expect(e.top[0]).toEqual({ class: e.predicted, probability: e.confidence });
    expect(e.top[1].probability).toBeLessThanOrEqual(e.top[0].probability);
  }
}

beforeAll(async () => {
  h = await startHarness();
  await h.waitReady();
  const from = h.events.length;
  h.send({ type: 'run-start', spec: logisticSpec(), dataset: 'synth', options: { epochs: 1, name: 'examples' } });
  runId = (await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started', { from })).runId;
  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'completed', { from });
});
afterAll(async () => {
  await h?.close();
});

describe('run-examples', () => {
  it('refuses an unknown run and a split not evaluated yet', async () => {
    await expect(examples({ runId: '20990101-000000-none', split: 'test' })).rejects.toThrow(/there is no run 20990101-000000-none/);
    await expect(examples({ split: 'test' })).rejects.toThrow(/has no test evaluation in memory; evaluate it first/);
  });

  it('lists each confusion-matrix cell\'s test images, most confident first, with their pixels', async () => {
    const evaluation: Evaluation = (await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId, split: 'test' }, 'run-evaluation')).evaluation;
    const test = syntheticIdx('learnable', 100, 2);
    let seen = 0;
    for (const [label, row] of evaluation.confusion.entries()) {
      for (const [predicted, count] of row.entries()) {
        if (count === 0) continue;
        const page = await examples({ split: 'test', trueLabel: label, predictedLabel: predicted, limit: 100 });
        expect(page).toMatchObject({ runId, split: 'test', total: count, offset: 0, height: 28, width: 28 });
        expect(page.examples).toHaveLength(count);
        expectSorted(page.examples);
        const pixels = pagePixels(page);
        page.examples.forEach((e, i) => {
          expect([e.label, e.predicted]).toEqual([label, predicted]);
          expect(test.labels[e.index]).toBe(label);
          expect(pixels[i]).toEqual(Array.from(test.images.subarray(e.index * 784, (e.index + 1) * 784)));
        });
        seen += count;
      }
    }
    expect(seen).toBe(evaluation.samples);
  });

  it('pages through the misclassified examples; validation indices point into the training file', async () => {
    const evaluation: Evaluation = (await request<Ev<'run-evaluation'>>({ type: 'run-evaluate', runId, split: 'test' }, 'run-evaluation')).evaluation;
    const wrong = evaluation.samples - evaluation.confusion.reduce((a, row, k) => a + row[k], 0);
    expect(wrong).toBeGreaterThan(2);
    const all = await examples({ split: 'test', misclassifiedOnly: true, limit: 100 });
    expect(all.total).toBe(wrong);
    expectSorted(all.examples);
    expect(all.examples.every((e) => e.label !== e.predicted)).toBe(true);
    expect(all.examples.slice(0, evaluation.confidentlyWrong.length).map((e) => e.index)).toEqual(evaluation.confidentlyWrong.map((w) => w.index));
    const first = await examples({ split: 'test', misclassifiedOnly: true, limit: 2 });
    const second = await examples({ split: 'test', misclassifiedOnly: true, offset: 2, limit: 2 });
    expect([...first.examples, ...second.examples]).toEqual(all.examples.slice(0, 4));
    expect(pagePixels(second)).toEqual(pagePixels(all).slice(2, 4));

    // The run's end evaluated the validation split (held out of the training file).
    const train = syntheticIdx('learnable', 600, 1);
    const validation = await examples({ split: 'validation', limit: 100 });
    expect(validation.total).toBe(50);
    const pixels = pagePixels(validation);
    validation.examples.forEach((e, i) => {
      expect(train.labels[e.index]).toBe(e.label);
      expect(pixels[i]).toEqual(Array.from(train.images.subarray(e.index * 784, (e.index + 1) * 784)));
    });
    // Exactly the images common/split draws with the run's seed (0), which the PyTorch twin draws too
    // (common/model-spec/twin-split.test.ts): the app and the script validate on the same images.
    const held = validation.examples.map((e) => e.index).sort((a, b) => a - b);
    expect(held).toEqual(Array.from(stratifiedSplit(train.labels, { validation: 50, seed: 0 }).validation));
  });
});
