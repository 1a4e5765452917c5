import { describe, expect, it } from 'vitest';
import { gradcheck, randn64 } from '../test/gradcheck';
import { tensor, zeros } from '../tensor';
import { matmul, mul, sum } from './index';

describe('matmul', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([[1, 0], [0, 1], [2, 3]]);

  it('2-D × 2-D', () => {
    expect(matmul(a, b).toNested()).toEqual([[7, 11], [16, 23]]);
  });

  it('1-D cases follow torch', () => {
    expect(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])).shape).toEqual([]);
    expect(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    expect(matmul(a, tensor([1, 1, 1])).toArray()).toEqual([6, 15]);
    expect(matmul(tensor([1, 1]), a).toArray()).toEqual([5, 7, 9]);
    const batch = randn64([4, 2, 3]);
    expect(matmul(batch, randn64([3])).shape).toEqual([4, 2]);
    expect(matmul(randn64([2]), batch).shape).toEqual([4, 3]);
  });

  it('batched with broadcast batch dims', () => {
    const x = randn64([2, 1, 3, 4], 1);
    const y = randn64([5, 4, 2], 2);
    const z = matmul(x, y);
    expect(z.shape).toEqual([2, 5, 3, 2]);
    // entry [1,3] equals the plain product of x[1,0] and y[3]
    const x1 = tensor(x.data.slice(12, 24), [3, 4], { dtype: 'float64' });
    const y3 = tensor(y.data.slice(24, 32), [4, 2], { dtype: 'float64' });
    const expected = matmul(x1, y3).toArray();
    const got = Array.from(z.data.slice((1 * 5 + 3) * 6, (1 * 5 + 3) * 6 + 6));
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('names the op and shapes when they do not align', () => {
    expect(() => matmul(tensor([[1, 2, 3], [4, 5, 6]]), zeros([4, 5]))).toThrow('matmul: shapes [2,3] and [4,5] do not align');
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 1]))).toThrow('matmul: shapes [2,2,3] and [3,3,1] do not align');
    expect(() => matmul(tensor(1), zeros([1]))).toThrow(/at least 1 dim/);
  });

  it('handles empty dims', () => {
    expect(matmul(zeros([0, 3]), zeros([3, 2])).shape).toEqual([0, 2]);
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('propagates NaN and Inf through zeros (no skipping)', () => {
    expect(matmul(tensor([[0, 1]]), tensor([[NaN], [1]])).toArray()).toEqual([NaN]);
  });

  it('passes gradcheck in every case', () => {
    gradcheck(matmul, [randn64([2, 3], 1), randn64([3, 4], 2)]);
    gradcheck(matmul, [randn64([3], 1), randn64([3], 2)]);
    gradcheck(matmul, [randn64([3], 1), randn64([3, 2], 2)]);
    gradcheck(matmul, [randn64([2, 3], 1), randn64([3], 2)]);
    gradcheck(matmul, [randn64([2, 2, 3], 1), randn64([3, 2], 2)]);
    gradcheck(matmul, [randn64([2, 1, 2, 3], 1), randn64([3, 3, 2], 2)]);
    gradcheck(matmul, [randn64([3], 1), randn64([2, 3, 4], 2)]);
    gradcheck(matmul, [randn64([2, 2, 3], 1), randn64([3], 2)]);
  });

  it('computes no gradient for an input that does not require it', () => {
    const x = tensor([[1, 2]]);
    const w = tensor([[1], [1]], { requiresGrad: true });
    sum(mul(matmul(x, w), 2)).backward();
    expect(x.grad).toBeNull();
    expect(w.grad!.toNested()).toEqual([[2], [4]]);
  });
});
