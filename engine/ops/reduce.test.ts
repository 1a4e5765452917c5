import { describe, expect, it } from 'vitest';
import { gradcheck, randn64, t64 } from '../test/gradcheck';
import { tensor } from '../tensor';
import { argmax, max, mean, min, sum } from './index';

describe('sum / mean', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);

  it('reduce all, one dim, several dims, keepdim, negative dims', () => {
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).item()).toBe(21);
    expect(sum(x, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(x, 1, true).shape).toEqual([2, 1]);
    expect(sum(x, -1).toArray()).toEqual([6, 15]);
    expect(sum(x, [0, 1]).item()).toBe(21);
    expect(mean(x).item()).toBe(3.5);
    expect(mean(x, 0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(x.mean(1, true).toNested()).toEqual([[2], [5]]);
    expect(sum(tensor(3)).item()).toBe(3);
  });

  it('empty reductions give 0 (sum) and NaN (mean), like torch', () => {
    const e = tensor([], [0, 3]);
    expect(sum(e).item()).toBe(0);
    expect(sum(e, 0).toArray()).toEqual([0, 0, 0]);
    expect(sum(e, 1).shape).toEqual([0]);
    expect(mean(e).item()).toBeNaN();
  });

  it('sums int32 into float32', () => {
    expect(sum(tensor([1, 2], { dtype: 'int32' })).dtype).toBe('float32');
  });

  it('reject bad dims with the op name', () => {
    expect(() => sum(x, 2)).toThrow('sum: dim 2 is out of range for a tensor with 2 dims');
    expect(() => sum(x, [1, -1])).toThrow(/repeats/);
  });

  it('propagate NaN', () => {
    expect(sum(tensor([1, NaN])).item()).toBeNaN();
  });

  it('pass gradcheck', () => {
    const a = randn64([2, 3, 4]);
    gradcheck((t) => sum(t), [a]);
    gradcheck((t) => sum(t, 1), [a]);
    gradcheck((t) => sum(t, [0, 2], true), [a]);
    gradcheck((t) => mean(t), [a]);
    gradcheck((t) => mean(t, -1, true), [a]);
    gradcheck((t) => mean(t, [0, 1]), [a]);
  });
});

describe('max / min / argmax', () => {
  const x = tensor([[1, 5, 5], [7, 2, 7]]);

  it('values, keepdim and negative dims', () => {
    expect(max(x).item()).toBe(7);
    expect(max(x, 1).toArray()).toEqual([5, 7]);
    expect(max(x, 0, true).toNested()).toEqual([[7, 5, 7]]);
    expect(min(x, -1).toArray()).toEqual([1, 2]);
    expect(min(x).item()).toBe(1);
  });

  it('argmax takes the first index on ties and is int32', () => {
    const a = argmax(x, 1);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([1, 0]);
    expect(argmax(x).toArray()).toEqual([3]);
    expect(argmax(x, 0, true).shape).toEqual([1, 3]);
    expect(x.argmax(-1).toArray()).toEqual([1, 0]);
  });

  it('NaN wins (torch)', () => {
    const n = tensor([[1, NaN, 3, NaN]]);
    expect(max(n, 1).toArray()).toEqual([NaN]);
    expect(argmax(n, 1).toArray()).toEqual([1]);
    expect(max(n).item()).toBeNaN();
  });

  it('max over dim sends the gradient to the first argmax', () => {
    const t = tensor([[1, 5, 5], [7, 2, 7]], { requiresGrad: true });
    max(t, 1).sum().backward();
    expect(t.grad!.toNested()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });

  it('full max splits the gradient evenly among ties (torch)', () => {
    const t = tensor([1, 7, 7], { requiresGrad: true });
    max(t).backward();
    expect(t.grad!.toArray()).toEqual([0, 0.5, 0.5]);
  });

  it('errors on empty input', () => {
    expect(() => max(tensor([]))).toThrow(/max: cannot reduce an empty tensor/);
    expect(() => argmax(tensor([], [2, 0]), 1)).toThrow(/argmax/);
  });

  it('pass gradcheck (distinct values)', () => {
    const a = randn64([3, 4, 2], 4);
    gradcheck((t) => max(t, 1), [a]);
    gradcheck((t) => max(t, -1, true), [a]);
    gradcheck((t) => max(t), [a]);
    gradcheck((t) => min(t, 0), [a]);
    gradcheck((t) => min(t), [t64([3, -1, 2])]);
  });
});
