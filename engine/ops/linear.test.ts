import { describe, expect, it } from 'vitest';
import { gradcheck, randn64 } from '../test/gradcheck';
import { tensor } from '../tensor';
import { add, linear, matmul, sum, transpose } from './index';

/** The composed form linear replaces: the oracle. */
const composed = (x: Parameters<typeof linear>[0], w: Parameters<typeof linear>[1], b: Parameters<typeof linear>[2] = null) => {
  const y = matmul(x, transpose(w, 0, 1));
  return b ? add(y, b) : y;
};

describe('linear', () => {
  it('computes x·Wᵀ + b by hand', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const w = tensor([[1, 0], [0, 1], [1, 1]]);
    const b = tensor([10, 20, 30]);
    expect(linear(x, w, b).toNested()).toEqual([[11, 22, 33], [13, 24, 37]]);
    expect(linear(x, w).toNested()).toEqual([[1, 2, 3], [3, 4, 7]]);
  });

  it('matches the composed form, forward and gradients, with leading dims', () => {
    for (const withBias of [true, false]) {
      const x = randn64([2, 3, 5], 1).requiresGrad_();
      const w = randn64([4, 5], 2).requiresGrad_();
      const b = withBias ? randn64([4], 3).requiresGrad_() : null;
      const y = linear(x, w, b);
      expect(y.shape).toEqual([2, 3, 4]);
      const ref = composed(x, w, b);
      const yd = Array.from(y.data), rd = Array.from(ref.data);
      yd.forEach((v, i) => expect(v).toBeCloseTo(rd[i], 12));
      sum(y).backward();
      const grads = [x, w, ...(b ? [b] : [])].map((t) => Array.from(t.grad!.data));
      [x, w, ...(b ? [b] : [])].forEach((t) => (t.grad = null));
      sum(ref).backward();
      [x, w, ...(b ? [b] : [])].forEach((t, k) => Array.from(t.grad!.data).forEach((v, i) => expect(v).toBeCloseTo(grads[k][i], 12)));
    }
  });

  it('passes a float64 gradient check', () => {
    expect(gradcheck((x, w, b) => linear(x, w, b), [randn64([3, 4], 4), randn64([2, 4], 5), randn64([2], 6)])).toBe(true);
    expect(gradcheck((x, w) => linear(x, w), [randn64([1, 4], 7), randn64([3, 4], 8)])).toBe(true);
  });

  it('takes an empty batch', () => {
    expect(linear(tensor([], [0, 3]), randn64([2, 3]), randn64([2])).shape).toEqual([0, 2]);
  });

  it('names the shapes when they do not fit', () => {
    expect(() => linear(randn64([2, 3]), randn64([4, 5]))).toThrow(/linear: input shape \[2,3\] does not end in in_features=5/);
    expect(() => linear(randn64([2, 5]), randn64([4, 5]), randn64([3]))).toThrow(/linear: bias shape \[3\] does not match out_features=4/);
  });
});
