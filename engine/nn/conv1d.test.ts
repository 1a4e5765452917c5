/**
 * Conv1d by hand and by a float64 gradient check of conv1d (conv2d through two views); torch-cases.test.ts holds it to
 * PyTorch 1.13's numbers, state-dict names and padding modes (fixtures/gen_nn_fixtures.py).
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../tensor';
import { conv1d } from '../ops/index';
import { gradcheck, randn64 } from '../test/gradcheck';
import { Conv1d } from './index';

describe('Conv1d', () => {
  it('slides each filter along the length: a difference filter, stride 2, padding 1', () => {
    // x = [1, 2, 4, 7], padded [0, 1, 2, 4, 7, 0]; w = [-1, 1] at positions 0, 2, 4: 1 − 0, 4 − 2, 0 − 7; bias 0.5.
    const y = conv1d(tensor([[[1, 2, 4, 7]]]), tensor([[[-1, 1]]]), tensor([0.5]), { stride: 2, padding: 1 });
    expect([...y.shape]).toEqual([1, 1, 3]);
    expect(y.toArray()).toEqual([1.5, 2.5, -6.5]);
  });

  it('passes the float64 gradient check for input, weight and bias (stride, dilation, groups, unbatched)', () => {
    gradcheck((x, w, b) => conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [randn64([2, 4, 9], 1), randn64([6, 2, 3], 2), randn64([6], 3)]);
    gradcheck((x, w) => conv1d(x, w, null, { padding: 'same' }), [randn64([3, 6], 4), randn64([2, 3, 4], 5)]);
  });

  it('reads (N, C, L) with weight (out, in/groups, k), torch repr, and clear refusals', () => {
    const conv = new Conv1d(28, 8, 5, { padding: 2, paddingMode: 'reflect' });
    expect(Object.fromEntries([...conv.namedParameters()].map(([k, t]) => [k, [...t.shape]]))).toEqual({ weight: [8, 28, 5], bias: [8] });
    expect([...conv.forward(randn64([2, 28, 28])).shape]).toEqual([2, 8, 28]);
    expect(conv.toString()).toBe('Conv1d(28, 8, kernel_size=(5,), stride=(1,), padding=(2,), padding_mode=reflect)');
    expect(() => conv.forward(randn64([2, 1, 28, 28]))).toThrow('Conv1d: expected input (N, 28, L), got shape [2,1,28,28]; Conv1d reads sequences');
    expect(() => new Conv1d(4, 6, 3, { groups: 4 })).toThrow('Conv1d: out_channels 6 must be divisible by groups 4');
    expect(() => new Conv1d(1, 1, 3, { paddingMode: 'mirror' as never })).toThrow("Conv1d: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'");
    expect(() => new Conv1d(1, 1, 3, { stride: 2, padding: 'same' })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new Conv1d(1, 1, 3, { device: 'cuda' } as never)).toThrow("Conv1d: unknown option 'device'");
  });
});
