import { describe, expect, it } from 'vitest';
import { Random, manualSeed } from '../random';
import { ones, randn, tensor } from '../tensor';
import { dropout } from './dropout';
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
