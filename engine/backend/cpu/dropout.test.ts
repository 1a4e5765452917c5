/**
 * The dropout mask's hash (./dropout.ts) as a source of Bernoulli draws: the keep rate, no correlation between
 * neighbours or between the masks of two seeds, no short period in the index, and exactness (all values are
 * integers below 2^24, so float32 arithmetic gives the same mask: checked on gpu.js in gpujs/kernels.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { dropoutMask, MASK_P1, MASK_P2 } from './dropout';

const N = 1 << 20;
const bits = (keep: number, seedA: number, seedB: number) => Array.from(dropoutMask(N, { keep, seedA, seedB, dtype: 'float64' }), (v) => (v > 0 ? 1 : 0));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Pearson correlation of xs[i] and ys[i + lag]. */
function correlation(xs: number[], ys: number[], lag = 0): number {
  const a = xs.slice(0, xs.length - lag), b = ys.slice(lag);
  const ma = mean(a), mb = mean(b);
  let num = 0, va = 0, vb = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(va * vb);
}

describe('the dropout mask hash', () => {
  it.each([0.1, 0.5, 0.75, 0.9])('keeps a fraction %s of 2^20 elements, within 4 standard deviations', (keep) => {
    const kept = mean(bits(keep, 1234, 567));
    expect(Math.abs(kept - keep)).toBeLessThan(4 * Math.sqrt((keep * (1 - keep)) / N));
  });

  it('has no correlation between neighbours, rows of a 9216-wide layer, or the period P1 of its low coordinate', () => {
    const m = bits(0.5, 77, 3001);
    for (const lag of [1, 2, 3, 64, 128, MASK_P1, MASK_P2, 9216]) expect(Math.abs(correlation(m, m, lag))).toBeLessThan(0.01);
  });

  it('gives independent masks for different seeds, and the same mask for the same seeds', () => {
    const a = bits(0.5, 10, 20);
    expect(Math.abs(correlation(a, bits(0.5, 11, 20)))).toBeLessThan(0.01);
    expect(Math.abs(correlation(a, bits(0.5, 10, 21)))).toBeLessThan(0.01);
    expect(bits(0.5, 10, 20)).toEqual(a);
  });

  it('keeps nothing at keep 0 and everything at keep 1, scaled by 1/keep', () => {
    expect(Array.from(dropoutMask(64, { keep: 0, seedA: 1, seedB: 2, dtype: 'float32' })).every((v) => v === 0)).toBe(true);
    expect(Array.from(dropoutMask(64, { keep: 1, seedA: 1, seedB: 2, dtype: 'float32' })).every((v) => v === 1)).toBe(true);
    const m = dropoutMask(64, { keep: 0.8, seedA: 1, seedB: 2, dtype: 'float32' });
    expect(Array.from(m).every((v) => v === 0 || v === Math.fround(1.25))).toBe(true);
  });
});
