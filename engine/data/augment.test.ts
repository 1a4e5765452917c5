/**
 * Batch augmentation: exact on transforms whose answer is known by hand (identity, whole-pixel shifts, quarter
 * turns, scaling about the centre), black fill in every normalisation, elastic fields as torchvision makes them, and
 * draws that depend on the run's seed and step only. The same sampling against PyTorch's F.grid_sample is
 * common/model-spec/twin-augment.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { affineTheta, augmentImages, augmentSeed, blurMatrix, drawAugment, fieldFactor, gaussianKernel, gridSampleInto, symmetricEigen, type AugmentDraw } from '../../common/augment';
import type { ResolvedAugment } from '../../common/model-spec/augment';
import { mulberry32 } from '../../common/split';
import { defaultGenerator, manualSeed } from '../random';
import { Tensor } from '../tensor';
import { augmentBatch, blackLevel } from './augment';

const H = 5;
const W = 5;
/** Distinct values, so any misplaced pixel shows. */
const image = Float32Array.from({ length: H * W }, (_, i) => i + 1);
const at = (data: ArrayLike<number>, y: number, x: number) => data[y * W + x];

function sample(params: { angle?: number; tx?: number; ty?: number; scale?: number }, fill = 0): Float32Array {
  const theta = affineTheta({ angle: 0, tx: 0, ty: 0, scale: 1, ...params }, H, W);
  const out = new Float32Array(H * W);
  gridSampleInto(image, out, 1, H, W, { thetas: Float64Array.from(theta), displacement: null }, fill);
  return out;
}

describe('affine sampling (F.affine_grid + F.grid_sample, bilinear, align_corners=False)', () => {
  it('the identity gives the image back', () => {
    const out = sample({});
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(image[i], 5);
  });

  it('a shift of one pixel right and two down moves every pixel, and black comes in behind', () => {
    const out = sample({ tx: 1, ty: 2 });
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const expected = x >= 1 && y >= 2 ? at(image, y - 2, x - 1) : 0;
        expect(at(out, y, x)).toBeCloseTo(expected, 5);
      }
    }
  });

  it('a positive angle turns counter-clockwise: at 90° the top-right pixel lands top-left', () => {
    const out = sample({ angle: 90 });
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(at(out, y, x)).toBeCloseTo(at(image, x, W - 1 - y), 5);
    expect(at(out, 0, 0)).toBeCloseTo(at(image, 0, W - 1), 5);
  });

  it('scale 2 magnifies about the centre: the centre stays, a pixel one step out reads half a step out', () => {
    const out = sample({ scale: 2 });
    expect(at(out, 2, 2)).toBeCloseTo(at(image, 2, 2), 5);
    expect(at(out, 2, 3)).toBeCloseTo((at(image, 2, 2) + at(image, 2, 3)) / 2, 5);
  });

  it('what comes from outside is black in each normalisation, not zero after normalising', () => {
    expect(blackLevel('none')).toBe(0);
    expect(blackLevel('scale')).toBe(0);
    expect(blackLevel('mnist')).toBeCloseTo(-0.1307 / 0.3081, 6);
    const fill = blackLevel('mnist');
    const out = sample({ tx: 2 }, fill);
    expect(at(out, 0, 0)).toBeCloseTo(fill, 6);
    expect(at(out, 0, 1)).toBeCloseTo(fill, 6);
    expect(at(out, 0, 2)).toBeCloseTo(at(image, 0, 0), 5);
  });
});

describe('elastic displacement (torchvision ElasticTransform)', () => {
  it('blurs with torchvision\'s kernel: int(8σ + 1) taps, made odd, summing to 1, widest in the middle', () => {
    const k = gaussianKernel(1);
    expect(k.length).toBe(9);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[4] / k[3]).toBeCloseTo(Math.exp(0.5), 12);
  });

  it('draws fields with the covariance of torchvision\'s blurred noise: F·Fᵀ is B·Bᵀ, from few frequencies', () => {
    for (const sigma of [4, 5, 1]) {
      const b = blurMatrix(sigma, 28);
      const { r, f } = fieldFactor(sigma, 28);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < 28; i++) {
        for (let j = 0; j < 28; j++) {
          let bb = 0;
          let ff = 0;
          for (let k = 0; k < 28; k++) bb += b[i * 28 + k] * b[j * 28 + k];
          for (let k = 0; k < r; k++) ff += f[i * r + k] * f[j * r + k];
          worst = Math.max(worst, Math.abs(bb - ff));
          scale = Math.max(scale, Math.abs(bb));
        }
      }
      expect(worst / scale).toBeLessThan(1e-7);
      if (sigma === 4) expect(r).toBe(10);
    }
  });

  it('the blur matrix is the kernel, reflect-padded: each row sums to 1, and a row near the edge folds back', () => {
    const b = blurMatrix(1, 28);
    const k = gaussianKernel(1);
    for (let i = 0; i < 28; i++) expect(b.subarray(i * 28, i * 28 + 28).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(b[10 * 28 + 10]).toBeCloseTo(k[4], 12);
    expect(b[0 * 28 + 1]).toBeCloseTo(k[5] + k[3], 12); // pixel 1 is reached at offset +1 and, reflected, at -1
  });

  it('symmetricEigen takes a symmetric matrix apart: Q·Λ·Qᵀ gives it back', () => {
    const n = 6;
    const m = Float64Array.from({ length: n * n }, (_, i) => 1 / (1 + Math.floor(i / n) + (i % n)));
    const { values, vectors } = symmetricEigen(m, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += vectors[i * n + k] * values[k] * vectors[j * n + k];
        expect(acc).toBeCloseTo(m[i * n + j], 10);
      }
    }
  });

  it('alpha 0 moves nothing; a larger alpha moves more, smoothly', () => {
    const still = drawAugment(mulberry32(1), { affine: null, elastic: { alpha: 0, sigma: 4 } }, 1, 28, 28);
    expect(still.displacement!.every((d) => d === 0)).toBe(true);
    const moved = drawAugment(mulberry32(1), { affine: null, elastic: { alpha: 34, sigma: 4 } }, 1, 28, 28).displacement!;
    const x = Array.from({ length: 28 * 28 }, (_, i) => moved[2 * i]);
    const rms = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
    expect(rms).toBeGreaterThan(0.005);
    // Smooth: neighbours move almost together (unblurred noise would have a correlation near 0).
    let same = 0;
    for (let i = 0; i < x.length - 1; i++) if ((i + 1) % 28) same += x[i] * x[i + 1];
    expect(same / ((x.length - 28) * rms * rms)).toBeGreaterThan(0.9);
  });

  it('a sigma too wide for the image is refused, as torch\'s reflect padding would', () => {
    expect(() => drawAugment(mulberry32(1), { affine: null, elastic: { alpha: 34, sigma: 4 } }, 1, 8, 8)).toThrow(/33-tap blur, wider than the 8×8 image/);
  });
});

describe('augmentBatch', () => {
  const augment: ResolvedAugment = { affine: { degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } };
  const batch = () => new Tensor(Float32Array.from({ length: 3 * 28 * 28 }, (_, i) => (i % 29) / 29), [3, 1, 28, 28]);

  it('keeps the shape, and depends on the seed and the step only', () => {
    const a = augmentBatch(batch(), augment, { seed: 3, step: 10, normalize: 'scale' });
    expect(a.shape).toEqual([3, 1, 28, 28]);
    expect(augmentBatch(batch(), augment, { seed: 3, step: 10, normalize: 'scale' }).data).toEqual(a.data);
    expect(augmentBatch(batch(), augment, { seed: 3, step: 11, normalize: 'scale' }).data).not.toEqual(a.data);
    expect(augmentBatch(batch(), augment, { seed: 4, step: 10, normalize: 'scale' }).data).not.toEqual(a.data);
  });

  it('is common/augment\'s augmentImages on a stream seeded augmentSeed(seed, step), black for the normalisation', () => {
    const expected = new Float32Array(3 * 784);
    augmentImages(batch().data as Float32Array, expected, 3, 28, 28, augment, mulberry32(augmentSeed(3, 10)), blackLevel('mnist'));
    expect(augmentBatch(batch(), augment, { seed: 3, step: 10, normalize: 'mnist' }).data).toEqual(expected);
  });

  it('draws a different transform for each image of the batch', () => {
    const same = new Tensor(new Float32Array(3 * 28 * 28).fill(0).map((_, i) => ((i % 784) % 28) / 28), [3, 1, 28, 28]);
    const out = augmentBatch(same, augment, { seed: 0, step: 0, normalize: 'scale' }).data;
    expect(out.subarray(0, 784)).not.toEqual(out.subarray(784, 1568));
  });

  it('leaves the global generator (dropout, init) where it was', () => {
    manualSeed(5);
    const expected = defaultGenerator().next();
    manualSeed(5);
    augmentBatch(batch(), augment, { seed: 5, step: 0, normalize: 'scale' });
    expect(defaultGenerator().next()).toBe(expected);
  });

  it('refuses what is not a batch of single-channel images', () => {
    expect(() => augmentBatch(new Tensor(new Float32Array(2 * 784), [2, 784]), augment, { seed: 0, step: 0, normalize: 'scale' }))
      .toThrow('augmentBatch: expected single-channel images [N, 1, H, W] or [N, H, W], got [2, 784]');
  });

  it('draws the affine numbers first, so the elastic part does not move them', () => {
    const draw = (a: ResolvedAugment): AugmentDraw => drawAugment(mulberry32(9), a, 4, 28, 28);
    expect(draw(augment).thetas).toEqual(draw({ ...augment, elastic: null }).thetas);
  });
});
