import { describe, expect, it } from 'vitest';
import { Random, manualSeed } from '../random';
import { Dropout2d } from '../nn/index';
import { ones, randn, tensor } from '../tensor';
import { dropout, dropout2d } from './dropout';
import { sum } from './index';
import { gradcheck, randn64 } from '../test/gradcheck';

describe('dropout op', () => {
  it('is the identity (the same tensor) in eval mode and for p = 0', () => {
    const x = tensor([1, -2, 3]);
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0, true)).toBe(x);
  });

  it('zeros or scales each element by 1/(1-p), keeping float64', () => {
    const x = randn([400], new Random(1), { dtype: 'float64' });
    const y = dropout(x, 0.25, true, new Random(2));
    expect(y.dtype).toBe('float64');
    let kept = 0;
    y.toArray().forEach((v, i) => {
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(x.data[i] / 0.75, 12);
      }
    });
    expect(kept).toBeGreaterThan(250);
    expect(kept).toBeLessThan(350);
  });

  it('p = 1 gives zeros and a zero gradient (no 0/0)', () => {
    const x = ones([10], { requiresGrad: true });
    const y = dropout(x, 1, true, new Random(3));
    expect(y.toArray()).toEqual(new Array(10).fill(0));
    sum(y).backward();
    expect(x.grad!.toArray()).toEqual(new Array(10).fill(0));
  });

  it('draws from the global generator by default, so manualSeed makes it reproducible', () => {
    manualSeed(5);
    const a = dropout(ones([64]), 0.5).toArray();
    manualSeed(5);
    expect(dropout(ones([64]), 0.5).toArray()).toEqual(a);
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => dropout(ones([2]), 1.5)).toThrow(/dropout: probability p must be between 0 and 1, got 1.5/);
    expect(() => dropout(ones([2]), -0.1)).toThrow(/dropout/);
    expect(() => dropout(ones([2]), NaN)).toThrow(/dropout/);
  });

  it('gradcheck (float64, the same seeded mask on every evaluation)', () => {
    expect(gradcheck((x) => dropout(x, 0.4, true, new Random(8)), [randn64([3, 7], 6)])).toBe(true);
  });
});

describe('dropout2d op (channel-wise, nn.Dropout2d)', () => {
  it('zeroes whole channels of each sample, about p of them, and scales the rest by 1/(1-p)', () => {
    const [n, c, hw] = [20, 50, 9];
    const x = randn([n, c, 3, 3], new Random(1), { dtype: 'float64' });
    const y = dropout2d(x, 0.3, true, new Random(2));
    let dropped = 0;
    for (let map = 0; map < n * c; map++) {
      const values = Array.from({ length: hw }, (_, k) => y.data[map * hw + k]);
      const zero = values.every((v) => v === 0);
      if (zero) dropped++;
      else values.forEach((v, k) => expect(v).toBeCloseTo(x.data[map * hw + k] / 0.7, 12));
    }
    // 1000 channels at p = 0.3: the count is Binomial(1000, 0.3), mean 300, sd 14.5; 5 sd either side.
    expect(dropped).toBeGreaterThan(227);
    expect(dropped).toBeLessThan(373);
  });

  it('is the identity (the same tensor) in eval mode and for p = 0; Dropout2d passes through in eval', () => {
    const x = randn([2, 3, 4, 4], new Random(3));
    expect(dropout2d(x, 0.5, false)).toBe(x);
    expect(dropout2d(x, 0, true)).toBe(x);
    const layer = new Dropout2d(0.9);
    layer.eval();
    expect(layer.forward(x)).toBe(x);
    layer.train();
    expect(layer.forward(x).toArray()).not.toEqual(x.toArray());
    expect(layer.toString()).toBe('Dropout2d(p=0.9, inplace=False)');
  });

  it('reads [N, C, L] as torch 1.13 does (per channel), and refuses other ranks and p outside [0, 1]', () => {
    const y = dropout2d(ones([4, 6, 5]), 0.5, true, new Random(4));
    for (let map = 0; map < 24; map++) expect(new Set(y.toArray().slice(map * 5, map * 5 + 5)).size).toBe(1);
    expect(() => dropout2d(ones([4, 6]), 0.5)).toThrow('dropout2d: expects input [N, C, H, W] or [N, C, L], got [4,6]; use dropout for other shapes');
    expect(() => dropout2d(ones([1, 2, 3]), 1.5)).toThrow('dropout2d: probability p must be between 0 and 1, got 1.5');
    expect(() => new Dropout2d(-1)).toThrow('Dropout2d: probability p must be between 0 and 1, got -1');
  });

  it('backward sends g through the same channel mask (gradcheck in float64, p = 1 gives zeros)', () => {
    expect(gradcheck((x) => dropout2d(x, 0.5, true, new Random(8)), [randn64([3, 4, 2, 2], 6)])).toBe(true);
    const x = ones([2, 2, 2], { requiresGrad: true });
    sum(dropout2d(x, 1, true, new Random(9))).backward();
    expect(x.grad!.toArray()).toEqual(new Array(8).fill(0));
  });
});
