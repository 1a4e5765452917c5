import { describe, expect, it } from 'vitest';
import { gradcheck, randn64 } from '../test/gradcheck';
import { arange, tensor } from '../tensor';
import { cat, expand, flatten, gather, pad, permute, reshape, slice, squeeze, transpose, unsqueeze, view } from './index';

const x = () => arange(24).reshape([2, 3, 4]);

describe('reshape family', () => {
  it('reshape/view with -1 share storage', () => {
    const t = arange(6);
    const r = reshape(t, [2, -1]);
    expect(r.shape).toEqual([2, 3]);
    r.data[0] = 42;
    expect(t.toArray()[0]).toBe(42);
    expect(view(t, [-1, 2]).shape).toEqual([3, 2]);
    expect(reshape(tensor([], [0, 2]), [2, 0]).shape).toEqual([2, 0]);
  });

  it('reshape errors name the shapes', () => {
    expect(() => reshape(arange(6), [4, -1])).toThrow('reshape: cannot view shape [6] (6 elements) as [4,-1]');
    expect(() => reshape(arange(6), [-1, -1])).toThrow(/reshape/);
  });

  it('flatten, unsqueeze, squeeze', () => {
    expect(flatten(x()).shape).toEqual([24]);
    expect(flatten(x(), 1).shape).toEqual([2, 12]);
    expect(flatten(x(), 0, 1).shape).toEqual([6, 4]);
    expect(flatten(tensor(5)).shape).toEqual([1]);
    expect(unsqueeze(x(), 0).shape).toEqual([1, 2, 3, 4]);
    expect(unsqueeze(x(), -1).shape).toEqual([2, 3, 4, 1]);
    expect(squeeze(tensor([[[1], [2]]])).shape).toEqual([2]);
    expect(squeeze(tensor([[1, 2]]), 1).shape).toEqual([1, 2]); // not size 1: no-op
    expect(squeeze(tensor([[1, 2]]), 0).shape).toEqual([2]);
    expect(unsqueeze(x(), 3).shape).toEqual([2, 3, 4, 1]);
    expect(() => unsqueeze(x(), 4)).toThrow(/unsqueeze: dim 4/);
  });

  it('gradients', () => {
    gradcheck((t) => reshape(t, [4, -1]), [randn64([2, 6])]);
    gradcheck((t) => flatten(t, 1), [randn64([2, 3, 2])]);
    gradcheck((t) => squeeze(unsqueeze(t, 1)), [randn64([3, 2])]);
  });
});

describe('permute / transpose / expand', () => {
  it('permute moves dims', () => {
    const p = permute(x(), [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.toNested()).toEqual([
      [[0, 4, 8], [12, 16, 20]], [[1, 5, 9], [13, 17, 21]], [[2, 6, 10], [14, 18, 22]], [[3, 7, 11], [15, 19, 23]],
    ]);
    expect(() => permute(x(), [0, 0, 1])).toThrow(/repeat/);
    expect(() => permute(x(), [0, 1])).toThrow('permute: dims [0,1] do not match a tensor of shape [2,3,4]');
  });

  it('transpose and t()', () => {
    expect(transpose(tensor([[1, 2, 3]]), 0, 1).toNested()).toEqual([[1], [2], [3]]);
    expect(tensor([[1, 2], [3, 4]]).t().toNested()).toEqual([[1, 3], [2, 4]]);
    expect(transpose(x(), -1, 0).shape).toEqual([4, 3, 2]);
  });

  it('expand broadcasts, with -1 and new leading dims', () => {
    const e = expand(tensor([[1], [2]]), [3, -1, 2]);
    expect(e.shape).toEqual([3, 2, 2]);
    expect(e.toArray()).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
    expect(() => expand(tensor([1, 2]), [3])).toThrow('expand: cannot expand shape [2] to [3]');
    expect(() => expand(tensor([1, 2]), [-1, 2])).toThrow(/expand/);
  });

  it('gradients', () => {
    gradcheck((t) => permute(t, [1, 2, 0]), [randn64([2, 3, 4])]);
    gradcheck((t) => transpose(t, 0, 2), [randn64([2, 3, 4])]);
    gradcheck((t) => expand(t, [2, 3, 4]), [randn64([3, 1])]);
  });
});

describe('cat / slice / gather', () => {
  it('cat along dims, with mixed sizes and empty parts', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    expect(cat([a, b]).toNested()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(cat([b, b], 1).toNested()).toEqual([[3, 4, 3, 4], [5, 6, 5, 6]]);
    expect(cat([a, tensor([], [0, 2])], 0).toNested()).toEqual([[1, 2]]);
    expect(() => cat([a, tensor([[1, 2, 3]])], 0)).toThrow('cat: shapes [1,2], [1,3] differ outside dim 0');
    expect(cat([tensor([1], { dtype: 'int32' }), tensor([2], { dtype: 'int32' })]).dtype).toBe('int32');
  });

  it('slice with steps and negative/out-of-range bounds', () => {
    const t = arange(10);
    expect(slice(t, 0, 2, 8, 3).toArray()).toEqual([2, 5]);
    expect(slice(t, 0, -3).toArray()).toEqual([7, 8, 9]);
    expect(slice(t, 0, 0, -8).toArray()).toEqual([0, 1]);
    expect(slice(t, 0, 5, 100).toArray()).toEqual([5, 6, 7, 8, 9]);
    expect(slice(t, 0, 8, 2).toArray()).toEqual([]);
    expect(slice(x(), 1, 1, 2).toNested()).toEqual([[[4, 5, 6, 7]], [[16, 17, 18, 19]]]);
    expect(x().slice(-1, 0, undefined, 2).shape).toEqual([2, 3, 2]);
    expect(() => slice(t, 0, 0, 5, 0)).toThrow('slice: step must be a positive integer, got 0');
  });

  it('gather picks along dim, like torch.gather', () => {
    const t = tensor([[1, 2], [3, 4]]);
    const idx = tensor([[0, 0], [1, 0]], { dtype: 'int32' });
    expect(gather(t, 1, idx).toNested()).toEqual([[1, 1], [4, 3]]);
    expect(gather(t, 0, idx).toNested()).toEqual([[1, 2], [3, 2]]);
    // picking each row's label, as cross-entropy does
    expect(gather(t, 1, tensor([[1], [0]], { dtype: 'int32' })).toArray()).toEqual([2, 3]);
    expect(() => gather(t, 1, tensor([[2]], { dtype: 'int32' }))).toThrow('gather: index 2 is out of bounds for dim 1 of size 2');
    expect(() => gather(t, 1, tensor([[0]]))).toThrow('gather: index must be int32, got float32');
  });

  it('gradients (gather scatter-adds repeated indices)', () => {
    gradcheck((a, b) => cat([a, b], 1), [randn64([2, 3], 1), randn64([2, 2], 2)]);
    gradcheck((t) => slice(t, 1, 1, 10, 2), [randn64([2, 5])]);
    gradcheck((t) => slice(t, 0, -2), [randn64([4, 2])]);
    const idx = tensor([[0, 2, 2], [1, 1, 0]], { dtype: 'int32' });
    gradcheck((t) => gather(t, 1, idx), [randn64([2, 3])]);
    gradcheck((t) => gather(t, 0, tensor([[1, 0]], { dtype: 'int32' })), [randn64([2, 3])]);
    const g = tensor([[1, 2, 3]], { requiresGrad: true });
    gather(g, 1, tensor([[2, 2]], { dtype: 'int32' })).sum().backward();
    expect(g.grad!.toNested()).toEqual([[0, 0, 2]]);
  });
});

describe('pad (F.pad)', () => {
  const row = () => tensor([1, 2, 3, 4]);
  it('each mode on one dim, torch pairs last dim first', () => {
    expect(pad(row(), [2, 1]).toArray()).toEqual([0, 0, 1, 2, 3, 4, 0]);
    expect(pad(row(), [1, 1], 'constant', -1).toArray()).toEqual([-1, 1, 2, 3, 4, -1]);
    expect(pad(row(), [2, 3], 'reflect').toArray()).toEqual([3, 2, 1, 2, 3, 4, 3, 2, 1]);
    expect(pad(row(), [2, 1], 'replicate').toArray()).toEqual([1, 1, 1, 2, 3, 4, 4]);
    expect(pad(row(), [3, 4], 'circular').toArray()).toEqual([2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    const m = tensor([[1, 2], [3, 4]]);
    const padded = pad(m, [0, 1, 1, 0], 'replicate');
    expect(padded.shape).toEqual([3, 3]);
    expect(padded.toArray()).toEqual([1, 2, 2, 1, 2, 2, 3, 4, 4]);
  });

  it('refuses what torch refuses, naming the mode and the sizes', () => {
    expect(() => pad(row(), [4, 0], 'reflect')).toThrow('pad: reflect padding (4, 0) of dim 0 with size 4 must be less than the size');
    expect(() => pad(row(), [0, 5], 'circular')).toThrow(/wrap around more than once/);
    expect(() => pad(row(), [1], 'reflect')).toThrow(/pairs/);
    expect(() => pad(row(), [-1, 0])).toThrow(/non-negative/);
    expect(() => pad(row(), [1, 1], 'mirror' as never)).toThrow("pad: unknown mode 'mirror'");
  });

  it('gradcheck in float64: every padded cell sends its gradient back to the cell it copies', () => {
    for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
      gradcheck((t) => pad(t, [2, 1, 1, 2], mode), [randn64([2, 3, 4])]);
    }
  });
});
