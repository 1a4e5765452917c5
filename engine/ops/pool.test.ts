import { describe, expect, it } from 'vitest';
import { Random } from '../random';
import { type Tensor, arange, tensor } from '../tensor';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from './pool';
import { gradcheck, randn64 } from '../test/gradcheck';

/** Distinct values ≥ 0.01 apart, so a ±1e-6 nudge never changes which element is a window's max. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const order = new Random(seed).permutation(n);
  return tensor(Float64Array.from(order, (v) => v * 0.01 - n * 0.005), shape);
}

describe('maxPool2d op', () => {
  it('halves H and W with kernelSize 2 (stride defaults to the kernel) and routes the gradient to each max', () => {
    const x = tensor([[1, 5, 2, 0], [3, 4, 8, 8], [0, 0, 1, 1], [9, 0, 1, 7]], [1, 1, 4, 4], { requiresGrad: true });
    const y = maxPool2d(x, { kernelSize: 2 });
    expect([...y.shape]).toEqual([1, 1, 2, 2]);
    expect(y.toArray()).toEqual([5, 8, 9, 7]);
    y.backward(tensor([1, 2, 3, 4], [1, 1, 2, 2]));
    // the tie between the two 8s goes to the first, as in torch
    expect(x.grad!.toArray()).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4]);
  });

  it('accepts [C, H, W] input, pairs, padding and ceilMode', () => {
    const x = arange(1, 26).reshape([1, 5, 5]);
    expect(maxPool2d(x, { kernelSize: 2, ceilMode: true }).toArray()).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
    expect([...maxPool2d(x, { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1] }).shape]).toEqual([1, 6, 3]);
    expect(() => maxPool2d(arange(4).reshape([2, 2]), { kernelSize: 2 })).toThrow(/maxPool2d: .*\[2,2\]/);
    expect(() => maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(/maxPool2d: padding 2/);
  });

  it('gradcheck: overlapping 3x3 windows, stride 2, padding 1, dilation', () => {
    expect(gradcheck((x) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [distinct([2, 2, 5, 6], 1)])).toBe(true);
    expect(gradcheck((x) => maxPool2d(x, { kernelSize: 2, stride: 1, dilation: 2 }), [distinct([1, 2, 5, 5], 2)])).toBe(true);
  });
});

describe('avgPool2d op', () => {
  it('averages windows, counting padding by default (torch)', () => {
    const x = tensor([[1, 2], [3, 4]], [1, 1, 2, 2]);
    expect(avgPool2d(x, { kernelSize: 2 }).toArray()).toEqual([2.5]);
    expect(avgPool2d(x, { kernelSize: 2, stride: 1, padding: 1 }).toArray()).toEqual([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
    expect(avgPool2d(x, { kernelSize: 2, stride: 1, padding: 1, countIncludePad: false }).toArray()).toEqual([1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
    expect(avgPool2d(x, { kernelSize: 2, divisorOverride: 1 }).toArray()).toEqual([10]);
  });

  it('gradcheck: padding with and without countIncludePad, ceilMode, rectangular kernel', () => {
    const x = randn64([2, 3, 5, 6], 3);
    expect(gradcheck((t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1 }), [x])).toBe(true);
    expect(gradcheck((t) => avgPool2d(t, { kernelSize: [2, 3], stride: [2, 1], padding: [1, 1], countIncludePad: false, ceilMode: true }), [x])).toBe(true);
  });
});

describe('adaptiveAvgPool2d op', () => {
  it('averages torch bins, with a number, a pair or null (keep that dim)', () => {
    const x = arange(1, 6).reshape([1, 1, 1, 5]);
    expect(adaptiveAvgPool2d(x, [1, 3]).toArray()).toEqual([1.5, 3, 4.5]);
    expect(adaptiveAvgPool2d(x, [1, null]).toArray()).toEqual([1, 2, 3, 4, 5]);
    expect(adaptiveAvgPool2d(arange(1, 5).reshape([1, 2, 2]), 1).toArray()).toEqual([2.5]);
    expect(() => adaptiveAvgPool2d(x, [1, 2, 3])).toThrow(/adaptiveAvgPool2d: outputSize/);
  });

  it('gradcheck: uneven bins (7x5 -> 3x2) and upsampling (2x3 -> 4x4)', () => {
    expect(gradcheck((t) => adaptiveAvgPool2d(t, [3, 2]), [randn64([2, 2, 7, 5], 4)])).toBe(true);
    expect(gradcheck((t) => adaptiveAvgPool2d(t, 4), [randn64([1, 2, 2, 3], 5)])).toBe(true);
  });
});
