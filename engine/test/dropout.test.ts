/**
 * Dropout cannot be compared with PyTorch value by value: its mask comes from torch's RNG, which the engine's
 * seeded generator does not reproduce. So it is checked by the properties torch documents: identity in eval mode
 * and for p = 0, zeros with probability p, survivors scaled by 1/(1−p), a gradient that uses the same mask,
 * all zeros for p = 1, and the same mask for the same seed.
 */
import { describe, expect, it } from 'vitest';
import { Dropout } from '../nn/index';
import { dropout } from '../ops/index';
import { Random } from '../random';
import { ones, tensor } from '../tensor';

const N = 20_000;

function zeroFraction(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros / values.length;
}

describe('dropout (by property; torch RNG cannot be matched)', () => {
  it('is the identity in eval mode and for p = 0', () => {
    const x = tensor([0.5, -1.25, 3, 0.1, -7], [5]);
    expect(Array.from(dropout(x, 0.5, false, new Random(1)).data)).toEqual(Array.from(x.data));
    expect(Array.from(dropout(x, 0, true, new Random(1)).data)).toEqual(Array.from(x.data));
  });

  for (const p of [0.2, 0.5, 0.8]) {
    it(`p = ${p}: zeros with probability p, survivors scaled by 1/(1-p)`, () => {
      const out = dropout(ones([N]), p, true, new Random(7));
      const scale = Math.fround(1 / (1 - p));
      expect(Array.from(out.data).filter((v) => v !== 0 && v !== scale)).toEqual([]);
      // Binomial(N, p): 6 standard deviations is at most 0.017 for N = 20000, a false alarm about once in 10^9 runs.
      expect(Math.abs(zeroFraction(out.data) - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / N));
    });
  }

  it('scales values, not just ones: out = x · mask / (1 − p)', () => {
    const x = tensor(Array.from({ length: 1000 }, (_, i) => (i % 13) - 6.5), [10, 100]);
    const out = dropout(x, 0.3, true, new Random(3));
    out.data.forEach((v, i) => {
      if (v !== 0) expect(v).toBeCloseTo(x.data[i] / 0.7, 5);
    });
  });

  it('backward multiplies the upstream gradient by the same mask / (1 − p)', () => {
    const x = ones([50, 40], { requiresGrad: true });
    const out = dropout(x, 0.4, true, new Random(11));
    const g = tensor(Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 17) / 17 - 0.5), [50, 40]);
    out.backward(g);
    // with x = 1, out is exactly mask / (1 − p), so the gradient must be g · out
    x.grad!.data.forEach((v, i) => expect(v).toBeCloseTo(g.data[i] * out.data[i], 6));
  });

  it('p = 1 zeros everything, as torch does', () => {
    const out = dropout(ones([100]), 1, true, new Random(5));
    expect(zeroFraction(out.data)).toBe(1);
  });

  it('the same seed gives the same mask, another seed another mask', () => {
    const a = dropout(ones([500]), 0.5, true, new Random(42)).toArray();
    const b = dropout(ones([500]), 0.5, true, new Random(42)).toArray();
    const c = dropout(ones([500]), 0.5, true, new Random(43)).toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('nn.Dropout drops in train mode and is the identity in eval mode', () => {
    const layer = new Dropout(0.25, new Random(9));
    const x = ones([N]);
    const train = layer.forward(x);
    expect(Math.abs(zeroFraction(train.data) - 0.25)).toBeLessThan(6 * Math.sqrt((0.25 * 0.75) / N));
    expect(Array.from(train.data).filter((v) => v !== 0 && Math.abs(v - 1 / 0.75) > 1e-6)).toEqual([]);
    layer.eval();
    expect(Array.from(layer.forward(x).data)).toEqual(Array.from(x.data));
  });
});
