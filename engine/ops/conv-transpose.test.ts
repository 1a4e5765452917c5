import { describe, expect, it } from 'vitest';
import { Random } from '../random';
import { arange, ones, randn, tensor } from '../tensor';
import { conv2d } from './conv';
import { convTranspose2d } from './conv-transpose';
import { mul, sum } from './index';
import { gradcheck, randn64 } from '../test/gradcheck';

describe('convTranspose2d op', () => {
  it('spreads each input pixel over the kernel: stride 2 with a 2×2 kernel tiles the output, plus the bias', () => {
    // torch 1.13: F.conv_transpose2d(arange(1., 5).view(1,1,2,2), arange(1., 5).view(1,1,2,2), tensor([0.5]), stride=2)
    const y = convTranspose2d(arange(1, 5).reshape([1, 1, 2, 2]), arange(1, 5).reshape([1, 1, 2, 2]), tensor([0.5]), { stride: 2 });
    expect([...y.shape]).toEqual([1, 1, 4, 4]);
    expect(y.toArray()).toEqual([1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16].map((v) => v + 0.5));
  });

  it('overlapping taps add up (stride 1): a 1×1 image of 1 gives the kernel; 2×2 ones give the overlap counts', () => {
    expect(convTranspose2d(ones([1, 1, 1, 1]), arange(1, 10).reshape([1, 1, 3, 3])).toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(convTranspose2d(ones([1, 1, 2, 2]), ones([1, 1, 2, 2])).toArray()).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  it('is the adjoint of conv2d with the same weight: <conv2d(y), x> = <y, convTranspose2d(x)>', () => {
    const w = randn64([3, 4, 3, 3], 1); // conv2d: 4 → 3 channels; transposed: 3 → 4
    const y = randn64([2, 4, 9, 8], 2);
    const opts = { stride: 2, padding: 1 };
    const x = randn64([2, 3, 5, 4], 3);
    const t = convTranspose2d(x, w, null, { ...opts, outputPadding: [0, 1] });
    expect([...t.shape]).toEqual([2, 4, 9, 8]);
    const left = sum(mul(conv2d(y, w, null, opts), x)).item(), right = sum(mul(y, t)).item();
    expect(Math.abs(left - right)).toBeLessThan(1e-10 * Math.max(1, Math.abs(left)));
  });

  it('takes unbatched [C, H, W] input, as torch', () => {
    const x = randn([2, 3, 3], new Random(4)), w = randn([2, 3, 2, 2], new Random(5));
    const y = convTranspose2d(x, w, null, { stride: 2 });
    expect([...y.shape]).toEqual([3, 6, 6]);
    expect(y.toArray()).toEqual(convTranspose2d(x.reshape([1, 2, 3, 3]), w, null, { stride: 2 }).toArray());
  });

  it('names the op and the shapes in its errors', () => {
    const x = ones([1, 2, 3, 3]);
    expect(() => convTranspose2d(x, ones([3, 2, 3, 3]))).toThrow(/conv_transpose2d: input \[1,2,3,3\] has 2 channels but weight \[3,2,3,3\] expects 3/);
    expect(() => convTranspose2d(x, ones([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(/output_padding \(2, 2\) must be smaller than stride \(2, 2\)/);
    expect(() => convTranspose2d(x, ones([2, 2, 3, 3]), ones([3]))).toThrow(/bias must be \[2\]/);
    expect(() => convTranspose2d(x, ones([2, 2, 1, 1]), null, { padding: 2 })).toThrow(/empty output/);
    expect(() => convTranspose2d(x, ones([2, 2, 3, 3]), null, { paddingMode: 'zeros' } as never)).toThrow(/paddingMode/);
  });

  const cases: [string, number[], number[], Parameters<typeof convTranspose2d>[3]][] = [
    ['stride 2, padding 1, output_padding 1', [2, 2, 3, 3], [2, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
    ['groups 2, non-square kernel, stride [2, 1]', [1, 4, 3, 3], [4, 1, 3, 2], { groups: 2, stride: [2, 1] }],
    ['dilation 2', [1, 2, 3, 4], [2, 2, 2, 3], { dilation: 2, padding: 1 }],
  ];
  for (const [name, xShape, wShape, opts] of cases) {
    it(`gradcheck (float64): ${name}`, () => {
      const cout = wShape[1] * (opts?.groups ?? 1);
      expect(gradcheck((x, w, b) => convTranspose2d(x, w, b, opts), [randn64(xShape, 1), randn64(wShape, 2), randn64([cout], 3)])).toBe(true);
    });
  }
});
