import { describe, expect, it } from 'vitest';
import { noGrad } from '../autograd';
import { Random } from '../random';
import { arange, ones, randn, tensor } from '../tensor';
import { conv2d } from './conv';
import { sum } from './index';
import { gradcheck, randn64 } from '../test/gradcheck';

describe('conv2d op', () => {
  it('computes a padded 3x3 convolution with bias', () => {
    // ones 3x3 kernel, padding 1: each output is the sum of the 3x3 neighbourhood, + 0.5
    const x = arange(1, 10).reshape([1, 1, 3, 3]);
    const y = conv2d(x, ones([1, 1, 3, 3]), tensor([0.5]), { padding: 1 });
    expect([...y.shape]).toEqual([1, 1, 3, 3]);
    expect(y.toArray()).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28].map((v) => v + 0.5));
  });

  it("padding='same' keeps H and W, padding the extra row/col of an even kernel at the bottom/right (torch)", () => {
    const y = conv2d(arange(16).reshape([1, 1, 4, 4]), arange(1, 5).reshape([1, 1, 2, 2]), null, { padding: 'same' });
    expect([...y.shape]).toEqual([1, 1, 4, 4]);
    // torch 1.13: F.conv2d(arange(16.).view(1,1,4,4), arange(1.,5).view(1,1,2,2), padding='same')
    expect(y.toArray()).toEqual([34, 44, 54, 24, 74, 84, 94, 40, 114, 124, 134, 56, 38, 41, 44, 15]);
    expect([...conv2d(arange(16).reshape([1, 1, 4, 4]), ones([1, 1, 3, 3]), undefined, { padding: 'valid' }).shape]).toEqual([1, 1, 2, 2]);
  });

  it('takes stride/padding/dilation as a number or an [h, w] pair', () => {
    const x = randn([2, 3, 9, 8], new Random(1));
    const w = randn([4, 3, 3, 2], new Random(2));
    expect([...conv2d(x, w, null, { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }).shape]).toEqual([2, 4, 5, 6]);
    expect([...conv2d(x, randn([6, 1, 3, 3], new Random(3)), null, { groups: 3, stride: 2 }).shape]).toEqual([2, 6, 4, 3]);
  });

  it('reports bad arguments with the op name and shapes', () => {
    const x = ones([1, 2, 5, 5]);
    expect(() => conv2d(x, ones([3, 2, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(/conv2d: padding='same'.*strided/);
    expect(() => conv2d(x, ones([3, 2, 3, 3]), ones([2]))).toThrow(/conv2d: bias must be \[3\]/);
    expect(() => conv2d(x, ones([3, 3, 3, 3]))).toThrow(/conv2d: .*\[1,2,5,5\].*\[3,3,3,3\]/);
    expect(() => conv2d(ones([5, 5]), ones([3, 2, 3, 3]))).toThrow(/conv2d: input must be \[N, C, H, W\] or \[C, H, W\], got \[5,5\]/);
    expect(() => conv2d(x, ones([3, 2, 3, 3]), null, { stride: 0 })).toThrow(/conv2d: stride/);
    expect(() => conv2d(x, ones([3, 2, 3, 3]), null, { padding: -1 })).toThrow(/conv2d: padding/);
  });

  it('accepts unbatched [C, H, W] input, as torch', () => {
    const x = randn([2, 5, 5], new Random(8), { dtype: 'float64' });
    const w = randn([3, 2, 3, 3], new Random(9), { dtype: 'float64' });
    const y = conv2d(x, w, null, { padding: 1 });
    expect([...y.shape]).toEqual([3, 5, 5]);
    expect(y.toArray()).toEqual(conv2d(x.reshape([1, 2, 5, 5]), w, null, { padding: 1 }).toArray());
    expect(gradcheck((t) => conv2d(t, w, null, { stride: 2 }), [randn64([2, 5, 4], 10)])).toBe(true);
  });

  it('promotes float32 with float64 to float64, and gives each leaf a grad of its own dtype', () => {
    const x = randn([1, 1, 4, 4], new Random(4), { requiresGrad: true });
    const w = randn([2, 1, 3, 3], new Random(5), { dtype: 'float64', requiresGrad: true });
    const y = conv2d(x, w);
    expect(y.dtype).toBe('float64');
    sum(y).backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(w.grad!.dtype).toBe('float64');
  });

  it('records nothing under noGrad and computes only the grads that are needed', () => {
    const x = randn([1, 1, 4, 4], new Random(6));
    const w = randn([1, 1, 2, 2], new Random(7), { requiresGrad: true });
    expect(noGrad(() => conv2d(x, w)).gradFn).toBeNull();
    sum(conv2d(x, w)).backward();
    expect(x.grad).toBeNull();
    // d Σy / dw[a,b] = Σ of the 3x3 block of x starting at (a, b)
    const xs = x.toArray();
    const block = (a: number, b: number) => [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => xs[(a + i) * 4 + b + j])).reduce((s, v) => s + v, 0);
    w.grad!.toArray().forEach((v, k) => expect(v).toBeCloseTo(block(k >> 1, k & 1), 5));
  });

  const cases: [string, number[], number[], Parameters<typeof conv2d>[3]][] = [
    ['stride 2, padding 1, bias', [2, 2, 5, 5], [3, 2, 3, 3], { stride: 2, padding: 1 }],
    ['non-square kernel, stride [2,1], dilation [1,2]', [1, 3, 6, 7], [2, 3, 2, 3], { stride: [2, 1], dilation: [1, 2], padding: [1, 2] }],
    ['groups 2', [2, 4, 4, 4], [4, 2, 3, 3], { groups: 2 }],
    ["padding 'same' with an even kernel", [1, 2, 5, 4], [2, 2, 2, 4], { padding: 'same' }],
  ];
  for (const [name, xShape, wShape, opts] of cases) {
    it(`gradcheck: ${name}`, () => {
      expect(gradcheck((x, w, b) => conv2d(x, w, b, opts), [randn64(xShape, 1), randn64(wShape, 2), randn64([wShape[0]], 3)])).toBe(true);
    });
  }
  it('gradcheck: no bias', () => {
    expect(gradcheck((x, w) => conv2d(x, w, null, { padding: 1 }), [randn64([1, 2, 4, 3], 4), randn64([3, 2, 3, 3], 5)])).toBe(true);
  });
});
