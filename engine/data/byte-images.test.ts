/**
 * ByteImageDataset: uint8 pixels normalised batch by batch give the bits of converting the whole set up front
 * (pixelsToFloat32), on the CPU reference (rows of floats converted once) and on the wasm backend (its own
 * K.GatherBytes, into the batch arrays a DataLoader hands back).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, hasOwnKernel, pinArray, registerBackend, setBackend } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { createWasmBackend } from '../backend/wasm/index';
import { Random } from '../random';
import { ByteImageDataset, imageDataset } from './byte-images';
import { DataLoader } from './dataloader';
import { Subset, TensorDataset } from './dataset';
import { Tensor } from '../tensor';
import { pixelsToFloat32, type Normalization } from './transforms';

const rng = new Random(3);
const N = 40, H = 5, W = 7;
const pixels = Uint8Array.from({ length: N * H * W }, () => Math.floor(rng.uniform() * 256));
const labels = Uint8Array.from({ length: N }, (_, i) => (i * 7) % 10);
const bits = (x: ArrayLike<number>) => Array.from(new Int32Array(Float32Array.from(x).buffer));
/** Rows `indices` of the whole set converted up front: what a float TensorDataset gathered. */
function expected(normalize: Normalization, indices: number[]): number[] {
  const all = pixelsToFloat32(pixels, normalize);
  return indices.flatMap((i) => bits(all.subarray(i * H * W, (i + 1) * H * W)));
}

const before = getBackend().name;
afterEach(() => setBackend(before));
registerBackend(createWasmBackend({ name: 'wasm-byte-images' }));

describe('ByteImageDataset', () => {
  const normalizations: Normalization[] = ['none', 'scale', 'mnist', { mean: 0.5, std: 0.25 }];
  for (const backend of ['cpu', 'wasm-byte-images']) {
    for (const normalize of normalizations) {
      it(`gives the bits of converting the whole set up front (${backend}, normalize ${JSON.stringify(normalize)})`, () => {
        setBackend(backend);
        expect(hasOwnKernel(K.GatherBytes)).toBe(backend !== 'cpu');
        const ds = new ByteImageDataset(pixels, [1, H, W], labels, normalize);
        const indices = [39, 0, 5, 5, 17];
        const [x, y] = ds.getBatch(indices);
        expect([...x.shape]).toEqual([5, 1, H, W]);
        expect(bits(x.data)).toEqual(expected(normalize, indices));
        expect(y.dtype).toBe('int32');
        expect([...y.data]).toEqual(indices.map((i) => labels[i]));
        const [one, label] = ds.getItem(17);
        expect([...one.shape]).toEqual([1, H, W]);
        expect([...label.shape]).toEqual([]);
        expect(bits(one.data)).toEqual(expected(normalize, [17]));
      });
    }
  }

  it('is gathered into the arrays of a batch handed back, pinned in wasm memory, through a shuffling DataLoader', () => {
    setBackend('wasm-byte-images');
    const ds = imageDataset({ shape: [N, H, W], data: pixels }, { shape: [N], data: labels }, { normalize: 'mnist', layout: 'flat' });
    const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Random(1) });
    const order = new Random(1).permutation(N);
    let b = 0;
    let previous: Float32Array | null = null;
    for (const batch of loader) {
      const indices = Array.from(order.subarray(b * 8, b * 8 + 8));
      expect([...batch[0].shape]).toEqual([8, H * W]);
      expect(bits(batch[0].data)).toEqual(expected('mnist', indices));
      if (previous) expect(batch[0].data).toBe(previous); // written where the last batch was
      const pinned = pinArray(batch[0].data as Float32Array);
      batch[0].moveStorageTo(pinned);
      loader.release(batch);
      previous = pinned;
      b++;
    }
    expect(b).toBe(N / 8);
  });

  it('is told the next batch by the DataLoader, through a Subset, and refuses upcoming rows out of range', () => {
    class Recording extends TensorDataset<[Tensor, Tensor]> {
      readonly calls: Array<[number[], number[] | null]> = [];
      override getBatch(indices: ArrayLike<number>, reuse?: never, upcoming?: ArrayLike<number>): [Tensor, Tensor] {
        this.calls.push([Array.from(indices), upcoming ? Array.from(upcoming) : null]);
        return super.getBatch(indices, reuse);
      }
    }
    const under = new Recording(new Tensor(new Float32Array(10), [10]), new Tensor(new Int32Array(10), [10]));
    const view = new Subset(under, [9, 8, 7, 6, 5]); // subset index i is dataset index 9 − i
    for (const _ of new DataLoader(view, { batchSize: 2 })) void _;
    expect(under.calls).toEqual([[[9, 8], [7, 6]], [[7, 6], [5]], [[5], null]]);

    setBackend('wasm-byte-images');
    const ds = new ByteImageDataset(pixels, [H * W], labels, 'scale');
    const [plain] = ds.getBatch([3, 4]);
    const [hinted] = ds.getBatch([3, 4], undefined, [39, 0]);
    expect(bits(hinted.data)).toEqual(bits(plain.data));
    expect(() => ds.getBatch([3], undefined, [N])).toThrow(`index ${N} out of range`);
  });

  it('refuses indices out of range, mismatched sizes and pixels that are not bytes', () => {
    const ds = new ByteImageDataset(pixels, [H * W], labels);
    expect(() => ds.getBatch([0, N])).toThrow(`ByteImageDataset: index ${N} out of range for length ${N}`);
    expect(() => ds.getBatch([-1])).toThrow('index -1 out of range');
    expect(() => new ByteImageDataset(pixels, [H, W + 1], labels)).toThrow(`${N} labels need ${N * H * (W + 1)} pixels of [${H}, ${W + 1}], got ${N * H * W}`);
    expect(() => imageDataset({ shape: [N, H, W], data: Float32Array.from(pixels) }, { shape: [N], data: labels })).toThrow('expected uint8 pixels');
  });
});
