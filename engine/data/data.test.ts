import { describe, expect, it } from 'vitest';
import { writeIdx, parseIdx } from '../../common/idx';
import { Random } from '../random';
import { tensor, type Tensor } from '../tensor';
import {
  DataLoader, Dataset, batchesOf, Subset, TensorDataset, imageDataset, imagesToTensor, labelsToTensor, pixelsToFloat32,
  randomSplit, trainValidationSplit, MNIST_MEAN, MNIST_STD,
} from './index';

/** 10 samples: x[i] = [i, 10+i] (float32), y[i] = i % 3 (int32). */
function toy(): TensorDataset {
  const x = new Float32Array(20);
  for (let i = 0; i < 10; i++) x.set([i, 10 + i], 2 * i);
  const y = Int32Array.from({ length: 10 }, (_, i) => i % 3);
  return new TensorDataset(tensor(x, [10, 2], { dtype: 'float32' }), tensor(y, [10], { dtype: 'int32' }));
}

/** A dataset with no getBatch, to exercise the per-sample collate path. */
class Squares extends Dataset {
  get length() { return 5; }
  getItem(i: number): [Tensor, Tensor] {
    return [tensor(new Float32Array([i, i * i]), [2], { dtype: 'float32' }), tensor(new Int32Array([i]), [], { dtype: 'int32' })];
  }
}

describe('TensorDataset', () => {
  it('indexes samples and gathers batches', () => {
    const ds = toy();
    expect(ds.length).toBe(10);
    const [x, y] = ds.getItem(3);
    expect([...x.shape]).toEqual([2]);
    expect([...x.data]).toEqual([3, 13]);
    expect([...y.shape]).toEqual([]);
    expect(y.item()).toBe(0);
    const [bx, by] = ds.getBatch([7, 1]);
    expect([...bx.shape]).toEqual([2, 2]);
    expect([...bx.data]).toEqual([7, 17, 1, 11]);
    expect(by.dtype).toBe('int32');
    expect([...by.data]).toEqual([1, 1]);
  });

  it('rejects mismatched tensors and bad indices', () => {
    const a = tensor(new Float32Array(6), [3, 2], { dtype: 'float32' });
    const b = tensor(new Int32Array(4), [4], { dtype: 'int32' });
    expect(() => new TensorDataset(a, b)).toThrow('size mismatch');
    expect(() => toy().getItem(10)).toThrow('index 10 out of range for length 10');
    expect(() => toy().getBatch([0, -1])).toThrow('out of range');
  });
});

describe('DataLoader', () => {
  it('yields [x, y] batches in order, with the tail or without', () => {
    const loader = new DataLoader(toy(), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x]) => [...x.shape])).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect([...batches[2][0].data]).toEqual([8, 18, 9, 19]);
    expect([...new DataLoader(toy(), { batchSize: 4, dropLast: true })].length).toBe(2);
  });

  it('shuffles with a seeded generator: every sample once per epoch, new order each epoch, reproducible', () => {
    const epoch = (loader: DataLoader) => [...loader].flatMap(([x]) => [...x.data].filter((_, k) => k % 2 === 0));
    const loader = new DataLoader(toy(), { batchSize: 3, shuffle: true, generator: new Random(5) });
    const e1 = epoch(loader);
    const e2 = epoch(loader);
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    expect(epoch(new DataLoader(toy(), { batchSize: 3, shuffle: true, generator: new Random(5) }))).toEqual(e1);
  });

  it('gathers the next batch into a released batch\'s arrays, and only then', () => {
    const loader = new DataLoader(new Subset(toy(), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]), { batchSize: 4 });
    const kept = [...loader]; // none released: every batch has its own arrays, as torch's
    expect(new Set(kept.map(([x]) => x.data)).size).toBe(3);
    const seen: Array<{ x: Tensor; y: Tensor; values: number[] }> = [];
    for (const batch of loader) {
      seen.push({ x: batch[0], y: batch[1], values: [...batch[0].data] });
      loader.release(batch);
    }
    // The second batch was gathered into the first's arrays, with its own values; the 2-sample tail does not fit
    // them, so it gets new arrays.
    expect(seen[1].x.data).toBe(seen[0].x.data);
    expect(seen[1].y.data).toBe(seen[0].y.data);
    expect(seen[2].x.data).not.toBe(seen[1].x.data);
    expect(seen.map((b) => b.values)).toEqual(kept.map(([x]) => [...x.data]));
    expect([...seen[1].y.data]).toEqual([...kept[1][1].data]);
    // A release is used once: the batch after the one that took it gets new arrays unless it is released too.
    const it = loader[Symbol.iterator]();
    const first = it.next().value as [Tensor, Tensor];
    loader.release(first);
    const second = it.next().value as [Tensor, Tensor];
    expect(second[0].data).toBe(first[0].data);
    expect(it.next().value![0].data).not.toBe(second[0].data);
  });

  it('collates per-sample datasets and Subsets of them', () => {
    const [x, y] = [...new DataLoader(new Squares(), { batchSize: 5 })][0];
    expect([...x.shape]).toEqual([5, 2]);
    expect([...x.data]).toEqual([0, 0, 1, 1, 2, 4, 3, 9, 4, 16]);
    expect([...y.shape]).toEqual([5]);
    const [sx] = [...new DataLoader(new Subset(new Squares(), [4, 2]), { batchSize: 2 })][0];
    expect([...sx.data]).toEqual([4, 16, 2, 4]);
  });

  it('validates batchSize', () => {
    expect(() => new DataLoader(toy(), { batchSize: 0 })).toThrow('batchSize must be a positive integer');
  });
});

describe('splits', () => {
  it('randomSplit by counts and fractions, disjoint and seeded', () => {
    const [a, b] = randomSplit(toy(), [7, 3], new Random(1));
    expect([a.length, b.length]).toEqual([7, 3]);
    expect(new Set([...a.indices, ...b.indices]).size).toBe(10);
    const [c] = randomSplit(toy(), [7, 3], new Random(1));
    expect(c.indices).toEqual(a.indices);
    expect(randomSplit(toy(), [0.25, 0.75], new Random(1)).map((s) => s.length)).toEqual([3, 7]);
    expect(() => randomSplit(toy(), [5, 6])).toThrow('must be counts summing to 10');
    // Subset of a TensorDataset keeps the gather fast path.
    const [bx] = b.getBatch([0, 1]);
    expect([...bx.data]).toEqual([b.indices[0], 10 + b.indices[0], b.indices[1], 10 + b.indices[1]]);
  });

  it('trainValidationSplit is stratified and takes a labels tensor', () => {
    const labels = Int32Array.from({ length: 120 }, (_, i) => i % 4);
    const x = tensor(new Float32Array(120), [120, 1], { dtype: 'float32' });
    const y = tensor(labels, [120], { dtype: 'int32' });
    const { train, validation } = trainValidationSplit(new TensorDataset(x, y), y);
    expect([train.length, validation.length]).toEqual([110, 10]);
    expect(() => trainValidationSplit(new TensorDataset(x, y), [1, 2])).toThrow('2 labels for a dataset of 120');
  });

  it('matches engine Random: common/split mulberry32 is the same stream', async () => {
    const { mulberry32 } = await import('../../common/split');
    const a = mulberry32(123);
    const b = new Random(123);
    for (let i = 0; i < 5; i++) expect(a()).toBe(b.next());
  });

  it('epochOrder is Random.permutation seeded by epochShuffleSeed, and the identity without shuffle', async () => {
    const { epochOrder, epochShuffleSeed } = await import('../../common/split');
    expect(epochOrder(50, 3, 2, true)).toEqual(new Random(epochShuffleSeed(3, 2)).permutation(50));
    expect(epochOrder(50, 3, 2, true)).not.toEqual(epochOrder(50, 3, 3, true));
    expect([...epochOrder(4, 3, 2, false)]).toEqual([0, 1, 2, 3]);
    // Seeds past 2³² / 7919 wrap modulo 2³², as the twin's `& 0xFFFFFFFF` does.
    expect(epochShuffleSeed(4_294_967_295, 1)).toBe((4_294_967_295 * 7919 + 1) % 2 ** 32);
  });

  it('batchesOf cuts an order into batches, the last one short unless dropped', () => {
    const order = Int32Array.from([4, 2, 0, 1, 3]);
    expect(batchesOf(order, 2).map((b) => [...b])).toEqual([[4, 2], [0, 1], [3]]);
    expect(batchesOf(order, 2, true).map((b) => [...b])).toEqual([[4, 2], [0, 1]]);
    expect(() => batchesOf(order, 0)).toThrow('batchSize must be a positive integer, got 0');
  });
});

describe('transforms', () => {
  const images = parseIdx(writeIdx({ shape: [2, 2, 2], data: new Uint8Array([0, 255, 51, 102, 0, 0, 0, 255]) }));
  const labels = parseIdx(writeIdx({ shape: [2], data: new Uint8Array([7, 1]) }));

  it('scales by 255 and normalises with the MNIST mean and std', () => {
    expect([...pixelsToFloat32([0, 255, 51])]).toEqual([0, 1, Math.fround(0.2)]);
    expect([...pixelsToFloat32([3], 'none')]).toEqual([3]);
    const [z, one] = pixelsToFloat32([0, 255], 'mnist');
    expect(z).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 6);
    expect(one).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 6);
    expect(() => pixelsToFloat32([1], { mean: 0, std: 0 })).toThrow('std must be positive');
  });

  it('builds [N,1,H,W] or [N,H·W] float32 images and int32 labels', () => {
    const x = imagesToTensor(images);
    expect(x.dtype).toBe('float32');
    expect([...x.shape]).toEqual([2, 1, 2, 2]);
    expect([...imagesToTensor(images, { layout: 'flat', normalize: 'none' }).shape]).toEqual([2, 4]);
    const y = labelsToTensor(labels);
    expect(y.dtype).toBe('int32');
    expect([...y.data]).toEqual([7, 1]);
    const ds = imageDataset(images, labels, { normalize: 'mnist' });
    expect(ds.length).toBe(2);
    expect(() => imagesToTensor(labels)).toThrow('expected images of shape [N,H,W]');
    expect(() => imageDataset(images, parseIdx(writeIdx({ shape: [3], data: new Uint8Array(3) })))).toThrow('2 images but 3 labels');
  });
});

describe('datasetsFromImageSets', async () => {
  const { datasetsFromImageSets } = await import('./index');
  const set = (n: number) => ({
    images: Uint8Array.from({ length: n * 4 }, (_, i) => i % 256), labels: Uint8Array.from({ length: n }, (_, i) => i % 3),
    count: n, height: 2, width: 2,
  });

  it('builds train/validation views over one transformed tensor and keeps test apart', () => {
    const d = datasetsFromImageSets({ train: set(24), test: set(6) }, { normalize: 'scale', layout: 'flat' });
    expect([d.train.length, d.validation.length, d.test?.length]).toEqual([22, 2, 6]);
    const [x, y] = d.validation.getBatch([0, 1]);
    expect([...x.shape]).toEqual([2, 4]);
    expect(y.dtype).toBe('int32');
    const given = datasetsFromImageSets({ train: set(24), test: null, split: { train: [0, 1, 2], validation: [3] } });
    expect([given.train.length, given.validation.length, given.test]).toEqual([3, 1, null]);
    expect([given.full.length, ...given.full.sampleShape]).toEqual([24, 1, 2, 2]);
    expect(() => datasetsFromImageSets({ train: { ...set(3), count: 4 }, test: null })).toThrow('4 samples of 2×2 need 16 pixels');
  });
});
