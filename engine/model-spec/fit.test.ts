import { describe, expect, it } from 'vitest';
import { getPreset } from '../../common/model-spec/index';
import { registerBackend, setBackend } from '../backend/backend';
import { createWasmBackend } from '../backend/wasm/index';
import { DataLoader } from '../data/dataloader';
import { TensorDataset } from '../data/dataset';
import { manualSeed, Random } from '../random';
import { tensor, type Tensor } from '../tensor';
import { cat } from '../ops/index';
import { batchTargets, buildModel, makeLoss, makeOptimizer, makeTargetsOf } from './build';
import { evaluate, fit, NaNLossError, trainEpoch } from './fit';

/** 200 synthetic "images": class k lights up pixel block k, plus noise. Separable, so loss must fall fast. */
function toyData(n = 200): TensorDataset<[Tensor, Tensor]> {
  const rng = new Random(3);
  const x = new Float32Array(n * 784), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10;
    for (let j = 0; j < 784; j++) x[i * 784 + j] = 0.1 * rng.normal() + (Math.floor(j / 78) === y[i] ? 1 : 0);
  }
  return new TensorDataset(tensor(x, [n, 784]), tensor(y, [n], { dtype: 'int32' }));
}

// The wasm backend copies a batch into its memory per kernel call: a reused array must read as the new batch there too.
registerBackend(createWasmBackend({ name: 'wasm-fit-test' }));

describe('fit', () => {
  it('lowers the loss on a separable problem and reports each epoch', () => {
    manualSeed(0);
    const spec = getPreset('Mnist_Logistic')!;
    const model = buildModel(spec);
    const data = toyData();
    let clock = 0;
    const seen: number[] = [];
    const history = fit({
      model, lossFn: makeLoss(spec), optimizer: makeOptimizer(spec, model.parameters(), { lr: 0.1 }),
      train: new DataLoader(data, { batchSize: 20, shuffle: true, generator: new Random(1) }),
      validation: new DataLoader(data, { batchSize: 100 }),
      epochs: 3, clock: () => (clock += 500), onEpoch: (s) => seen.push(s.epoch),
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(history[2].trainLoss).toBeLessThan(history[0].trainLoss);
    expect(history[2].valAcc).toBeGreaterThan(0.9);
    expect(history[0].seconds).toBeGreaterThan(0);
    expect(history[0].samplesPerSec).toBeGreaterThan(0);
  });

  it.each(['cpu', 'wasm-fit-test'])('reuses each finished batch\'s arrays for the next, and trains exactly as on fresh batches (%s)', (backend) => {
    const spec = getPreset('Mnist_Logistic')!;
    const run = (fresh: boolean) => {
      setBackend(backend);
      manualSeed(0);
      const model = buildModel(spec);
      const train = new DataLoader(toyData(), { batchSize: 20, shuffle: true, generator: new Random(1) });
      const validation = new DataLoader(toyData(), { batchSize: 64 });
      const arrays = new Set<unknown>();
      const gather = (loader: DataLoader<[Tensor, Tensor]>) => {
        const iterate = loader[Symbol.iterator].bind(loader);
        loader[Symbol.iterator] = function* () {
          const batches = iterate();
          for (let next = batches.next(); !next.done; next = batches.next()) {
            arrays.add(next.value[0].data);
            yield next.value;
          }
        };
        if (fresh) loader.release = () => {}; // the loader as before: a new array per batch
      };
      gather(train);
      gather(validation);
      const optimizer = makeOptimizer(spec, model.parameters(), { lr: 0.1 });
      const epochs = [1, 2].map((epoch) => trainEpoch(model, makeLoss(spec), optimizer, train, { epoch }));
      const val = evaluate(model, makeLoss(spec), validation);
      const weights = [...model.parameters()[0].data];
      setBackend('cpu');
      return { epochs, val, weights, arrays: arrays.size };
    };
    const reused = run(false), fresh = run(true);
    expect(reused.epochs).toEqual(fresh.epochs);
    expect(reused.val).toEqual(fresh.val);
    expect(reused.weights).toEqual(fresh.weights);
    // 10 training batches an epoch, 4 validation batches (the last a shorter tail): fresh, every one is new.
    expect(fresh.arrays).toBe(2 * 10 + 4);
    // Reused: one array of 20 images for all training batches, one of 64 and one for the 8-image tail in validation.
    // The wasm backend pins a released array in its memory (trainer.ts releaseBatch): the first training batch and
    // the first validation batch are JS arrays, every later one of their size is gathered into the pinned copy.
    expect(reused.arrays).toBe(backend === 'cpu' ? 3 : 5);
  });

  it('stops with NaNLossError when the loss is not finite', () => {
    const spec = getPreset('Mnist_Logistic')!;
    const model = buildModel(spec);
    const data = new DataLoader(toyData(40), { batchSize: 10 });
    let calls = 0;
    const lossFn = (out: Tensor, y: Tensor) => (++calls === 3 ? makeLoss(spec)(out, y).mul(NaN) : makeLoss(spec)(out, y));
    expect(() => trainEpoch(model, lossFn, makeOptimizer(spec, model.parameters()), data, { epoch: 2 }))
      .toThrow(new NaNLossError(2, 3, NaN));
    expect(new NaNLossError(2, 3, NaN).message).toMatch(/loss became NaN at epoch 2, batch 3: .*lower the learning rate/);
  });

  it('evaluate runs in eval mode without gradients and restores training mode', () => {
    const spec = getPreset('Mnist_Logistic')!;
    const model = buildModel(spec).train();
    const result = evaluate(model, makeLoss(spec), new DataLoader(toyData(30), { batchSize: 7 }));
    expect(result.samples).toBe(30);
    expect(model.training).toBe(true);
    expect(model.parameters()[0].grad).toBeNull();
  });
});

describe("an image target (data.target 'image', the Autoencoder preset)", () => {
  /** 64 "images" of 784 pixels: a bright square at one of four places, as data.normalize 'scale' gives them. */
  function squares(n = 64): TensorDataset<[Tensor, Tensor]> {
    const x = new Float32Array(n * 784), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 4;
      const [top, left] = [4 + 12 * Math.floor(y[i] / 2), 4 + 12 * (y[i] % 2)];
      for (let r = top; r < top + 8; r++) for (let c = left; c < left + 8; c++) x[i * 784 + r * 28 + c] = 1;
    }
    return new TensorDataset(tensor(x, [n, 1, 28, 28]), tensor(y, [n], { dtype: 'int32' }));
  }

  it('compares the output with the input image in [0, 1], whatever the normalization (batchTargets)', () => {
    const pixels = tensor([[0, 51, 255, 102]]);
    const spec = getPreset('Autoencoder')!;
    const image = (normalize: 'none' | 'scale' | 'standardize', input: Tensor) =>
      batchTargets({ ...spec, data: { ...spec.data, normalize } }, cat(Array(196).fill(input.reshape([1, 4])), 1), pixels);
    const expected = [0, 0.2, 1, 0.4];
    for (const [normalize, input] of [
      ['none', pixels], ['scale', pixels.div(255)], ['standardize', pixels.div(255).sub(0.1307).div(0.3081)],
    ] as const) {
      const target = image(normalize, input);
      expect([...target.shape]).toEqual([1, 1, 28, 28]);
      target.toArray().slice(0, 4).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    }
  });

  it('trains to reconstruct its input with MSELoss and reports no accuracy', () => {
    manualSeed(0);
    const spec = getPreset('Autoencoder')!;
    const model = buildModel(spec);
    const lossFn = makeLoss(spec), targetsOf = makeTargetsOf(spec);
    const data = new DataLoader(squares(), { batchSize: 16 });
    const optimizer = makeOptimizer(spec, model.parameters(), { lr: 0.01 });
    const before = evaluate(model, lossFn, data, { accuracy: false, targetsOf });
    const history = fit({ model, lossFn, optimizer, train: data, validation: data, epochs: 4, accuracy: false, targetsOf });
    expect(history.every((s) => Number.isNaN(s.trainAcc) && Number.isNaN(s.valAcc!))).toBe(true);
    // From a flat 0.5 everywhere (≈ 0.23 against mostly-black squares) to a picture of the squares.
    expect(before.loss).toBeGreaterThan(0.15);
    expect(history[3].valLoss!).toBeLessThan(before.loss / 2);
    // The loss is MSE against the image itself: recomputed by hand from the model's output.
    const [x] = squares(16).getBatch(Int32Array.from({ length: 16 }, (_, i) => i));
    const out = model.eval().forward(x) as Tensor;
    const byHand = out.sub(x).pow(2).mean().item();
    expect(evaluate(model, lossFn, [[x, tensor(new Int32Array(16), [16], { dtype: 'int32' })]], { accuracy: false, targetsOf }).loss).toBeCloseTo(byHand, 6);
  });
});
