import { describe, expect, it } from 'vitest';
import { Random } from './random';
import { arange, full, ones, onesLike, rand, randn, tensor, Tensor, zeros, zerosLike } from './tensor';

describe('Tensor', () => {
  it('infers shape from nesting and defaults to float32', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.ndim).toBe(2);
    expect(t.size).toBe(6);
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toNested()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('accepts scalars, flat values with a shape, typed arrays and options', () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor(3).item()).toBe(3);
    expect(tensor([1, 2, 3, 4], [2, 2]).shape).toEqual([2, 2]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tensor([1.7, -1.7], { dtype: 'int32' }).toArray()).toEqual([1, -1]);
    expect(tensor([1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(tensor([], [0, 3]).shape).toEqual([0, 3]);
    const src = new Float32Array([1, 2]);
    const copy = tensor(src);
    src[0] = 9;
    expect(copy.toArray()).toEqual([1, 2]);
  });

  it('rejects ragged arrays and mismatched shapes', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/not rectangular/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('Tensor: shape [2,2] needs 4 elements, got 3');
    expect(() => new Tensor(new Float32Array(2), [-2])).toThrow(/invalid shape/);
  });

  it('refuses requiresGrad on int32', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/only float tensors/);
  });

  it('item needs one element', () => {
    expect(tensor([[5]]).item()).toBe(5);
    expect(() => tensor([1, 2]).item()).toThrow('item: only one-element tensors can be converted, got shape [2]');
  });

  it('creation helpers', () => {
    expect(zeros([2, 2]).toArray()).toEqual([0, 0, 0, 0]);
    expect(ones([2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(zerosLike(tensor([1, 2], { dtype: 'int32' })).dtype).toBe('int32');
    expect(onesLike(tensor([[1, 2]])).shape).toEqual([1, 2]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(arange(0).size).toBe(0);
  });

  it('random creation is reproducible from a generator', () => {
    expect(randn([5], new Random(3)).toArray()).toEqual(randn([5], new Random(3)).toArray());
    const u = rand([100], new Random(1)).toArray();
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(randn([2], undefined, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('detach shares storage, clone copies', () => {
    const t = tensor([1, 2]);
    t.detach().data[0] = 5;
    expect(t.toArray()).toEqual([5, 2]);
    const c = t.clone();
    c.data[0] = 0;
    expect(t.toArray()).toEqual([5, 2]);
  });

  it('prints like torch', () => {
    expect(String(tensor([[1, 2.5]]))).toBe('tensor([[1, 2.5000]], shape=[1,2], dtype=float32)');
    expect(String(tensor([1], { requiresGrad: true }).mul(2))).toContain('gradFn=mul');
  });

  it('has method forms that match the functions', () => {
    const t = tensor([[1, -2], [3, -4]]);
    expect(t.abs().sum().item()).toBe(10);
    expect(t.relu().max().item()).toBe(3);
    expect(t.matmul(t).toNested()).toEqual([[-5, 6], [-9, 10]]);
    expect(t.reshape([4]).flatten().unsqueeze(0).squeeze().shape).toEqual([4]);
    expect(t.softmax(1).sum(1).toArray().map((v) => Math.round(v))).toEqual([1, 1]);
  });
});
