import { describe, expect, it } from 'vitest';
import { gradcheck, randn64, t64 } from '../test/gradcheck';
import { tensor } from '../tensor';
import { argmax, eq, max, mean, min, stepMetrics, sum } from './index';

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

describe('stepMetrics', () => {
  /** What a learner would write: (output.argmax(1) == labels).sum(). */
  const argmaxHits = (output: ReturnType<typeof tensor>, labels: ReturnType<typeof tensor>) => sum(eq(argmax(output, 1), labels)).item();

  it('is [loss, correct]: the loss as given, and the rows whose argmax along dim 1 is the label (first on ties)', () => {
    const output = tensor([[1, 5, 5], [7, 2, 7], [0, 0, 1], [3, 3, 3]]);
    const labels = tensor([2, 0, 2, 0], { dtype: 'int32' });
    const metrics = stepMetrics(tensor(0.75), output, labels);
    expect(metrics.shape).toEqual([2]);
    expect(metrics.dtype).toBe('float32');
    // Row 0 ties at 1 and 2 (argmax 1, label 2: a miss); row 1 ties at 0 and 2 (argmax 0: a hit); rows 2, 3 hit.
    expect(metrics.toArray()).toEqual([0.75, 3]);
    expect(argmaxHits(output, labels)).toBe(3);
  });

  it('counts as argmax does with NaN (a NaN wins, the first one) and over dims after the class dim', () => {
    const nan = tensor([[1, NaN, 3], [NaN, 9, NaN]]);
    expect(stepMetrics(tensor([2]), nan, tensor([1, 0], { dtype: 'int32' })).toArray()).toEqual([2, 2]);
    // [N, C, H, W] logits against [N, H, W] labels, as a per-pixel classifier's.
    const output = tensor(Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => Math.sin(i * 1.7)), [2, 3, 2, 2]);
    const labels = tensor(Int32Array.from({ length: 8 }, (_, i) => (i * 5) % 3), [2, 2, 2]);
    expect(stepMetrics(tensor(1), output, labels).toArray()[1]).toBe(argmaxHits(output, labels));
  });

  it('keeps a float64 loss in float64', () => {
    const metrics = stepMetrics(tensor(0.1, { dtype: 'float64' }), tensor([[0, 1]]), tensor([1], { dtype: 'int32' }));
    expect(metrics.dtype).toBe('float64');
    expect(metrics.toArray()).toEqual([0.1, 1]);
  });

  it('refuses a loss of more than one value, an output without a class dim, and labels of another shape or dtype', () => {
    const output = tensor([[1, 2], [3, 4]]);
    const labels = tensor([0, 1], { dtype: 'int32' });
    expect(() => stepMetrics(tensor([1, 2]), output, labels)).toThrow(/the loss must be one value, got shape \[2\]/);
    expect(() => stepMetrics(tensor(1), tensor([1, 2]), tensor([0], { dtype: 'int32' }))).toThrow(/needs a class dim 1/);
    expect(() => stepMetrics(tensor(1), output, tensor([0, 1, 1], { dtype: 'int32' }))).toThrow(/labels of shape \[3\] do not match output \[2,2\] \(expected \[2\]\)/);
    expect(() => stepMetrics(tensor(1), output, tensor([0, 1]))).toThrow(/labels must be int32 class indices, got float32/);
  });
});
