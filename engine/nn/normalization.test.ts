/**
 * LayerNorm (and the layers beside it) by hand and by a float64 gradient check; torch-cases.test.ts holds them to
 * PyTorch 1.13's numbers and state-dict names (fixtures/gen_nn_fixtures.py).
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../tensor';
import { gradcheck, randn64 } from '../test/gradcheck';
import { GroupNorm, groupNorm, LayerNorm, layerNorm } from './index';

describe('LayerNorm', () => {
  it('standardizes each row over its last dim (biased variance), then scales and shifts', () => {
    // Row [1, 2, 3, 6]: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5.
    const y = layerNorm(tensor([[1, 2, 3, 6], [5, 5, 5, 5]]), [4], tensor([1, 2, 1, 1]), tensor([0, 0, 1, 0]));
    const s = Math.sqrt(3.5 + 1e-5); // a constant row is all mean: 0 / √eps
    [-2 / s, -2 / s, 1, 3 / s, 0, 0, 1, 0].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 5));
  });

  it('passes the float64 gradient check for its input, weight and bias, over one and two normalized dims', () => {
    gradcheck((x, w, b) => layerNorm(x, [5], w, b), [randn64([3, 5], 1), randn64([5], 2), randn64([5], 3)]);
    gradcheck((x, w) => layerNorm(x, [3, 2], w, null, 1e-3), [randn64([2, 4, 3, 2], 4), randn64([3, 2], 5)]);
  });

  it('has weight and bias of normalized_shape, the same output in eval, and torch repr', () => {
    const ln = new LayerNorm([3, 2]);
    expect(Object.fromEntries([...ln.namedParameters()].map(([k, t]) => [k, [...t.shape]]))).toEqual({ weight: [3, 2], bias: [3, 2] });
    const x = randn64([2, 3, 2]);
    const train = ln.forward(x).toArray();
    ln.eval();
    expect(ln.forward(x).toArray()).toEqual(train);
    expect(new LayerNorm(10).toString()).toBe('LayerNorm((10,), eps=1e-05, elementwise_affine=True)');
    expect([...new LayerNorm(4, { elementwiseAffine: false }).namedParameters()]).toEqual([]);
  });

  it('refuses an input whose last dims are not normalized_shape, and options torch 1.13 does not have', () => {
    expect(() => new LayerNorm(4).forward(randn64([2, 5]))).toThrow('layerNorm: given normalized_shape=[4], expected input with shape [*, 4], but got input of size [2,5]');
    expect(() => new LayerNorm(4, { bias: false } as never)).toThrow("LayerNorm: unknown option 'bias' (known: eps, elementwiseAffine, rng)");
    expect(() => new LayerNorm([])).toThrow('normalized_shape must name at least one dim');
  });
});

describe('GroupNorm', () => {
  it('normalizes each group of channels of each sample over the group and its positions, then scales per channel', () => {
    // One sample, 4 channels of 2 values, 2 groups: group 0 holds [0, 2, 4, 6] (mean 3, variance 5).
    const x = tensor([[[0, 2], [4, 6], [1, 1], [1, 1]]]);
    const y = groupNorm(x, 2, tensor([1, 1, 2, 1]), tensor([0, 0, 0, 5]));
    const s = Math.sqrt(5 + 1e-5);
    [-3 / s, -1 / s, 1 / s, 3 / s, 0, 0, 5, 5].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 5));
  });

  it('passes the float64 gradient check for its input, weight and bias, on images and sequences', () => {
    gradcheck((x, w, b) => groupNorm(x, 2, w, b), [randn64([2, 4, 2, 3], 6), randn64([4], 7), randn64([4], 8)]);
    gradcheck((x) => groupNorm(x, 3, null, null, 1e-3), [randn64([2, 6, 5], 9)]);
  });

  it('has weight and bias per channel, torch repr, and refuses channels it was not built for', () => {
    const gn = new GroupNorm(2, 6);
    expect(Object.fromEntries([...gn.namedParameters()].map(([k, t]) => [k, [...t.shape]]))).toEqual({ weight: [6], bias: [6] });
    expect(gn.toString()).toBe('GroupNorm(2, 6, eps=1e-05, affine=True)');
    expect(() => gn.forward(randn64([2, 4, 3]))).toThrow('GroupNorm: expected input (N, 6, *), got shape [2,4,3]');
    expect(() => new GroupNorm(4, 6)).toThrow('GroupNorm: num_channels 6 must be divisible by num_groups 4');
    expect(() => new GroupNorm(2, 6, { momentum: 0.1 } as never)).toThrow("GroupNorm: unknown option 'momentum'");
  });
});
