import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../common/idx';
import { LOOP_PHASES, type LessonResult, type LoopPhase } from '../../common/lesson-protocol';
import { TorchNnTutorial, tutorialData } from './torch-nn-tutorial';

const value = (result: LessonResult, id: string): number => {
  const print = result.prints.find((p) => p.id === id);
  if (!print) throw new Error(`${result.step} printed no ${id}: ${result.prints.map((p) => p.id).join(', ')}`);
  return print.values[print.values.length - 1];
};

/**
 * A small MNIST-shaped fixture that is learnable: image i is class i % 10, drawn as a bright band of rows where
 * the class says plus seeded noise. 512 images to train (8 batches of 64), 128 to validate.
 */
function syntheticDigits(count = 640): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784), labels = new Uint8Array(count);
  let state = 12345;
  const noise = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) / 4;
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      images[i * 784 + p] = row >= label * 2 + 4 && row < label * 2 + 6 ? 255 : noise();
    }
  }
  return { images, labels };
}

describe('the torch.nn lesson on a synthetic fixture', () => {
  const { images, labels } = syntheticDigits();
  const data = () => tutorialData(images, labels, 640, 512);

  it('splits as the tutorial: the first images train, the rest validate, pixels in [0, 1]', async () => {
    const result = await new TorchNnTutorial(data()).run('data');
    expect(result.prints.find((p) => p.id === 'x-train-shape')?.values).toEqual([512, 784]);
    expect(result.prints.find((p) => p.id === 'x-valid-shape')?.values).toEqual([128, 784]);
    expect(result.prints.find((p) => p.id === 'y-train-range')?.values).toEqual([0, 9]);
    expect(result.samples?.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(result.samples?.images[3]).toEqual(Array.from(images.subarray(3 * 784, 4 * 784)));
  });

  it('step 2: before training the loss is about ln 10, since every class gets about 1/10', async () => {
    const result = await new TorchNnTutorial(data()).run('from-scratch');
    expect(value(result, 'ln-10')).toBeCloseTo(Math.log(10), 12);
    expect(Math.abs(value(result, 'loss-before') - Math.log(10))).toBeLessThan(0.15);
    expect(result.prints.find((p) => p.id === 'preds-shape')?.values).toEqual([64, 10]);
    // log-probabilities: each row of preds exponentiates to a distribution
    const row = result.prints.find((p) => p.id === 'preds-0')!.values;
    expect(row.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 5);
  });

  it('steps 3 and 4: the loop by hand learns, and F.cross_entropy gives the same loss on the same weights', async () => {
    const notebook = new TorchNnTutorial(data());
    const phases: LoopPhase[] = [];
    const loop = await notebook.run('training-loop', { onPhase: (phase) => phases.push(phase) });
    expect(loop.ranFirst).toEqual(['from-scratch']);
    expect(value(loop, 'loss-after')).toBeLessThan(0.5);
    expect(value(loop, 'accuracy-after')).toBe(1);
    // 2 epochs of 8 batches (the first step's forward and loss come first), in the tutorial's order
    expect(phases.slice(3, 9)).toEqual([...LOOP_PHASES]);
    expect(phases.filter((p) => p === 'backward')).toHaveLength(16);

    const ce = await notebook.run('cross-entropy');
    expect(ce.ranFirst).toEqual([]);
    expect(value(ce, 'loss-after').toFixed(4)).toBe(value(loop, 'loss-after').toFixed(4));
    expect(Math.abs(value(ce, 'loss-after') - value(loop, 'loss-after'))).toBeLessThan(1e-6);
    expect(value(ce, 'loss-by-hand')).toBe(value(loop, 'loss-after'));
    expect(value(ce, 'accuracy-after')).toBe(value(loop, 'accuracy-after'));
  });

  it('step 4 alone runs steps 2 and 3 first, and says so', async () => {
    const result = await new TorchNnTutorial(data()).run('cross-entropy');
    expect(result.ranFirst).toEqual(['from-scratch', 'training-loop']);
  });

  it('steps 5–7: nn.Module, nn.Linear, optim.SGD and the DataLoader all train; validation loss falls', async () => {
    const notebook = new TorchNnTutorial(data());
    const module = await notebook.run('nn-module');
    for (const name of ['parameter', 'linear']) expect(value(module, `${name}-loss-after`)).toBeLessThan(value(module, `${name}-loss-before`) / 3);
    const optim = await notebook.run('optim');
    // optim.SGD does what the hand-written update did: same seed, same batches, same numbers as nn.Linear's fit()
    expect(value(optim, 'loss-before')).toBe(value(module, 'linear-loss-before'));
    expect(value(optim, 'loss-after')).toBeCloseTo(value(module, 'linear-loss-after'), 5);
    const loader = await notebook.run('data-loader');
    expect(value(loader, 'logistic-valid-1')).toBeLessThan(value(loader, 'logistic-valid-0'));
    expect(value(loader, 'logistic-valid-accuracy-1')).toBeGreaterThan(0.9);
  });

  it('step 8: Mnist_CNN and its nn.Sequential twin train to the same numbers from the same seed', async () => {
    const result = await new TorchNnTutorial(data()).run('cnn', {}, { maxBatches: 3, epochs: 1 });
    expect(result.maxBatches).toBe(3);
    // a step without a loop is not cut short, whatever the option says; step 4 is as cut as step 3's weights
    const notebook = new TorchNnTutorial(data());
    expect((await notebook.run('from-scratch', {}, { maxBatches: 3 })).maxBatches).toBeNull();
    await notebook.run('training-loop', {}, { maxBatches: 2 });
    expect((await notebook.run('cross-entropy')).maxBatches).toBe(2);
    expect(value(result, 'sequential-valid-0')).toBe(value(result, 'cnn-valid-0'));
    expect(Number.isFinite(value(result, 'cnn-valid-0'))).toBe(true);
  });

  it('a stopped loop ends after the batch in hand and says so; its step is not counted as done', async () => {
    const notebook = new TorchNnTutorial(data());
    let batches = 0;
    const result = await notebook.run('training-loop', { afterBatch: async () => void batches++, stopRequested: () => batches >= 3 });
    expect(result.stopped).toBe(true);
    expect(batches).toBe(3);
    expect((await notebook.run('cross-entropy')).ranFirst).toEqual(['training-loop']);
  });

  it('maxBatches cuts each epoch short (tests use it; the learner gets the whole epoch)', async () => {
    let backward = 0;
    await new TorchNnTutorial(data()).run('optim', { onPhase: (p) => void (p === 'backward' && backward++) }, { maxBatches: 2 });
    expect(backward).toBe(4);
  });
});

const MNIST = join(__dirname, '../../../shared/data/mnist');
const noMnist = existsSync(join(MNIST, 'train-images-idx3-ubyte.gz'))
  ? null
  : `MNIST's training files are not at ${MNIST} (they live outside the repository, in ../shared/data/mnist)`;
if (noMnist) console.log(`the torch.nn lesson on real MNIST skipped: ${noMnist}`);

describe.skipIf(noMnist)('the torch.nn lesson on real MNIST', () => {
  it('x_train is (50000, 784); before training the loss is ln 10 ± 0.1 and the accuracy 10 ± 3%', async () => {
    const idx = (name: string) => parseIdx(new Uint8Array(gunzipSync(readFileSync(join(MNIST, `${name}.gz`))))).data as Uint8Array;
    const notebook = new TorchNnTutorial(tutorialData(idx('train-images-idx3-ubyte'), idx('train-labels-idx1-ubyte'), 60_000));
    const data = await notebook.run('data');
    expect(data.prints.find((p) => p.id === 'x-train-shape')?.values).toEqual([50_000, 784]);
    const scratch = await notebook.run('from-scratch');
    expect(Math.abs(value(scratch, 'loss-before') - Math.log(10))).toBeLessThan(0.1);
    expect(Math.abs(value(scratch, 'accuracy-before') - 0.1)).toBeLessThanOrEqual(0.03);
    const loop = await notebook.run('training-loop', {}, { maxBatches: 100 });
    const ce = await notebook.run('cross-entropy');
    expect(value(loop, 'loss-after')).toBeLessThan(1);
    expect(Math.abs(value(ce, 'loss-after') - value(loop, 'loss-after'))).toBeLessThan(1e-6);
  }, 60_000);

  it("after the tutorial's two epochs, the last batch's loss is PyTorch's in size, and F.cross_entropy repeats it", async () => {
    // What the same code printed under PyTorch 1.13 with torch.manual_seed(0) (scripts/torch_nn_tutorial_reference.py)
    const torch = JSON.parse(readFileSync(join(__dirname, '../../src-renderer/src/features/learn/pytorch-reference.json'), 'utf8'));
    const idx = (name: string) => parseIdx(new Uint8Array(gunzipSync(readFileSync(join(MNIST, `${name}.gz`))))).data as Uint8Array;
    const notebook = new TorchNnTutorial(tutorialData(idx('train-images-idx3-ubyte'), idx('train-labels-idx1-ubyte'), 60_000));
    const loop = await notebook.run('training-loop');
    expect(Math.abs(value(loop, 'loss-after') - torch['training-loop']['loss-after'])).toBeLessThan(0.03);
    expect(value(loop, 'accuracy-after')).toBe(torch['training-loop']['accuracy-after']);
    const ce = await notebook.run('cross-entropy');
    // PyTorch's own two losses differ in the last float32 bits too
    expect(Math.abs(torch['cross-entropy']['loss-after'] - torch['training-loop']['loss-after'])).toBeLessThan(1e-6);
    expect(Math.abs(value(ce, 'loss-after') - value(loop, 'loss-after'))).toBeLessThan(1e-6);
  }, 120_000);
});
