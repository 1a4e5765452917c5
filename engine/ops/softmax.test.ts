import { describe, expect, it } from 'vitest';
import { gradcheck, randn64 } from '../test/gradcheck';
import { tensor, type Tensor } from '../tensor';
import { div, exp, logSoftmax, max, softmax, sub, sum, log } from './index';

const composedSoftmax = (x: Tensor, dim: number) => {
  const e = exp(sub(x, max(x, dim, true)));
  return div(e, sum(e, dim, true));
};

describe('softmax / logSoftmax', () => {
  it('rows sum to 1 and match the composed form', () => {
    const x = randn64([3, 5], 2);
    const s = softmax(x, 1);
    sum(s, 1).toArray().forEach((v) => expect(v).toBeCloseTo(1, 12));
    s.toArray().forEach((v, i) => expect(v).toBeCloseTo(composedSoftmax(x, 1).toArray()[i], 12));
    logSoftmax(x, 0).toArray().forEach((v, i) => expect(v).toBeCloseTo(log(composedSoftmax(x, 0)).toArray()[i], 12));
  });

  it('is stable for huge logits', () => {
    const s = softmax(tensor([1000, 1000, -1000]), 0).toArray();
    expect(s[0]).toBeCloseTo(0.5);
    expect(s[2]).toBe(0);
    const l = logSoftmax(tensor([1000, 0]), 0).toArray();
    expect(l[0]).toBeCloseTo(0);
    expect(l[1]).toBeCloseTo(-1000);
  });

  it('propagates NaN within the row only', () => {
    const s = softmax(tensor([[1, NaN], [1, 1]]), 1).toNested() as number[][];
    expect(s[0].every(Number.isNaN)).toBe(true);
    expect(s[1]).toEqual([0.5, 0.5]);
  });

  it('accepts negative dims and rejects bad ones', () => {
    const x = randn64([2, 3, 4]);
    expect(softmax(x, -1).toArray()).toEqual(softmax(x, 2).toArray());
    expect(() => softmax(x, 3)).toThrow('softmax: dim 3 is out of range for a tensor with 3 dims');
  });

  it('pass gradcheck over every dim', () => {
    for (const dim of [0, 1, 2]) {
      gradcheck((x) => softmax(x, dim), [randn64([2, 3, 4], dim + 1)]);
      gradcheck((x) => logSoftmax(x, dim), [randn64([2, 3, 4], dim + 5)]);
    }
  });

  it('fused gradients equal the composed form\'s', () => {
    const a = randn64([3, 4], 9);
    const b = randn64([3, 4], 9);
    const w = randn64([3, 4], 10);
    sum(softmax(a, 1).mul(w)).backward();
    sum(composedSoftmax(b, 1).mul(w)).backward();
    a.grad!.toArray().forEach((v, i) => expect(v).toBeCloseTo(b.grad!.toArray()[i], 12));
  });
});
