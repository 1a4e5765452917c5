import { describe, expect, it } from 'vitest';
import { Random } from '../../random';
import { arange, dot, expectClose, numericGrad, ones } from '../../test/array-checks';
import {
  type AvgPool2dAttrs, type MaxPool2dAttrs, adaptiveAvgPool2dBackward, adaptiveAvgPool2dForward, avgPool2dBackward,
  avgPool2dForward, maxPool2dBackward, maxPool2dForward,
} from './pool';

const maxAttrs = (k: number, o: Partial<MaxPool2dAttrs> = {}): MaxPool2dAttrs => ({
  kernelH: k, kernelW: k, strideH: k, strideW: k, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ceilMode: false, ...o,
});
const avgAttrs = (k: number, o: Partial<AvgPool2dAttrs> = {}): AvgPool2dAttrs => ({
  kernelH: k, kernelW: k, strideH: k, strideW: k, padH: 0, padW: 0, ceilMode: false, countIncludePad: true, divisorOverride: null, ...o,
});
const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);

/** Distinct, well-separated values so that central differences never flip which element is the max. */
function shuffledDistinct(n: number, seed: number): Float64Array {
  const order = new Random(seed).permutation(n);
  return Float64Array.from(order, (v) => v * 0.1 - n * 0.05);
}

describe('maxPool2d kernel', () => {
  it('takes the max of each 2x2 window and remembers where it was', () => {
    const { y, indices, shape } = maxPool2dForward(arange(16), [1, 1, 4, 4], maxAttrs(2));
    expect(shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y)).toEqual([6, 8, 14, 16]);
    expect(Array.from(indices)).toEqual([5, 7, 13, 15]);
  });

  it('treats padding as -Infinity', () => {
    const { y } = maxPool2dForward(Float64Array.of(-1, -2, -3, -4, -5, -6, -7, -8, -9), [1, 1, 3, 3], maxAttrs(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 }));
    expect(Array.from(y)).toEqual([-1, -2, -4, -5]);
  });

  it('ceilMode adds a partial last window (torch: 5x5, k2 s2 -> 3x3)', () => {
    const { y, indices, shape } = maxPool2dForward(arange(25), [1, 1, 5, 5], maxAttrs(2, { ceilMode: true }));
    expect(shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y)).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
    expect(Array.from(indices)).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
    expect(maxPool2dForward(arange(25), [1, 1, 5, 5], maxAttrs(2)).shape).toEqual([1, 1, 2, 2]);
  });

  it('keeps the first max on ties and lets NaN win, like torch', () => {
    expect(Array.from(maxPool2dForward(ones(4), [1, 1, 2, 2], maxAttrs(2)).indices)).toEqual([0]);
    const nan = maxPool2dForward(Float64Array.of(1, NaN, 3, NaN), [1, 1, 1, 4], maxAttrs(1, { kernelW: 4, strideW: 4 }));
    expect(nan.y[0]).toBeNaN();
    expect(nan.indices[0]).toBe(3);
  });

  it('pools non-square kernels with dilation over 3-D [C, H, W] input', () => {
    // 1x2 kernel, dilation 2 along W: max(x[j], x[j+2]); stride 1.
    const { y, shape } = maxPool2dForward(Float64Array.of(5, 1, 2, 7, 0, 9, 3, 4), [2, 1, 4], maxAttrs(1, { kernelW: 2, strideW: 1, dilationW: 2 }));
    expect(shape).toEqual([2, 1, 2]);
    expect(Array.from(y)).toEqual([5, 7, 3, 9]);
  });

  it('routes the gradient to the max, accumulating where windows overlap', () => {
    // 2x3 with the max in the middle of the top row; k2 s1 -> two windows, both pick index 1.
    const x = Float64Array.of(0, 5, 0, 0, 0, 0);
    const { indices } = maxPool2dForward(x, [1, 1, 2, 3], maxAttrs(2, { strideH: 1, strideW: 1 }));
    expect(Array.from(maxPool2dBackward(Float64Array.of(1, 2), indices, [1, 1, 2, 3]))).toEqual([0, 3, 0, 0, 0, 0]);
  });

  it('rejects padding over half the kernel and too-small inputs', () => {
    expect(() => maxPool2dForward(arange(16), [1, 1, 4, 4], maxAttrs(2, { padH: 2 }))).toThrow(/maxPool2d: padding 2/);
    expect(() => maxPool2dForward(arange(4), [1, 1, 2, 2], maxAttrs(3))).toThrow(/too small/);
    expect(() => maxPool2dForward(arange(4), [4], maxAttrs(2))).toThrow(/\[4\]/);
  });

  it('agrees with central differences (stride 2, padding 1, 3x3)', () => {
    const shape = [2, 2, 5, 5];
    const a = maxAttrs(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 });
    const x = shuffledDistinct(100, 3);
    const probe = Float64Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => Math.sin(i + 1));
    const { indices } = maxPool2dForward(x, shape, a);
    const dx = maxPool2dBackward(probe, indices, shape);
    expectClose(dx, numericGrad(x, () => dot(maxPool2dForward(x, shape, a).y, probe), 1e-4));
  });
});

describe('avgPool2d kernel', () => {
  it('averages 2x2 windows', () => {
    const { y, shape } = avgPool2dForward(arange(16), [1, 1, 4, 4], avgAttrs(2));
    expect(shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y)).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('counts padding in the divisor by default and not with countIncludePad=false', () => {
    // 2x2 ones, k2 s1 p1 -> 3x3; a corner window holds 1 real cell of 4.
    const withPad = avgPool2dForward(ones(4), [1, 1, 2, 2], avgAttrs(2, { strideH: 1, strideW: 1, padH: 1, padW: 1 }));
    expect(Array.from(withPad.y)).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
    const without = avgPool2dForward(ones(4), [1, 1, 2, 2], avgAttrs(2, { strideH: 1, strideW: 1, padH: 1, padW: 1, countIncludePad: false }));
    expect(Array.from(without.y)).toEqual(new Array(9).fill(1));
  });

  it('matches torch in ceilMode, where the last window runs past input + padding', () => {
    // torch: avg_pool2d(arange(1,10).view(1,1,3,3), 2, 2, ceil_mode=True) -> [[3, 4.5], [7.5, 9]]
    expect(Array.from(avgPool2dForward(arange(9), [1, 1, 3, 3], avgAttrs(2, { ceilMode: true })).y)).toEqual([3, 4.5, 7.5, 9]);
    // torch: kernel 3, stride 2, padding 1, ceil_mode -> [[1.3333, 1.7778], [2.6667, 3.1111]]; without pad count [[3,4],[6,7]]
    const a = avgAttrs(3, { strideH: 2, strideW: 2, padH: 1, padW: 1, ceilMode: true });
    expect(round(avgPool2dForward(arange(9), [1, 1, 3, 3], a).y)).toEqual([1.3333, 1.7778, 2.6667, 3.1111]);
    expect(round(avgPool2dForward(arange(9), [1, 1, 3, 3], { ...a, countIncludePad: false }).y)).toEqual([3, 4, 6, 7]);
  });

  it('uses divisorOverride when given', () => {
    expect(Array.from(avgPool2dForward(arange(4), [1, 1, 2, 2], avgAttrs(2, { divisorOverride: 2 })).y)).toEqual([5]);
  });

  it('spreads the gradient evenly over each window', () => {
    expect(Array.from(avgPool2dBackward(Float64Array.of(4), [1, 1, 2, 2], avgAttrs(2)))).toEqual([1, 1, 1, 1]);
  });

  for (const [name, a] of [
    ['k3 s2 p1, count pad', avgAttrs(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['k(2,3) s(1,2) p(1,1), no pad count, ceil', avgAttrs(2, { kernelW: 3, strideH: 1, strideW: 2, padH: 1, padW: 1, countIncludePad: false, ceilMode: true })],
  ] as const) {
    it(`agrees with central differences: ${name}`, () => {
      const shape = [2, 2, 5, 6];
      const rng = new Random(5);
      const x = Float64Array.from({ length: 120 }, () => rng.normal());
      const out = avgPool2dForward(x, shape, a).y;
      const probe = Float64Array.from({ length: out.length }, () => rng.normal());
      expectClose(avgPool2dBackward(probe, shape, a), numericGrad(x, () => dot(avgPool2dForward(x, shape, a).y, probe)));
    });
  }
});

describe('adaptiveAvgPool2d kernel', () => {
  it('uses torch bins floor(i*in/out) .. ceil((i+1)*in/out), which overlap when out does not divide in', () => {
    // 5 -> 3: bins [0,2), [1,4), [3,5) over 1..5 -> 1.5, 3, 4.5 (torch gives the same)
    expect(Array.from(adaptiveAvgPool2dForward(arange(5), [1, 1, 1, 5], 1, 3).y)).toEqual([1.5, 3, 4.5]);
  });

  it('is a global average for output 1x1 and identity for output = input size', () => {
    expect(Array.from(adaptiveAvgPool2dForward(arange(8), [2, 1, 2, 2], 1, 1).y)).toEqual([2.5, 6.5]);
    expect(Array.from(adaptiveAvgPool2dForward(arange(6), [1, 2, 3], 2, 3).y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('can upsample (out > in), repeating cells', () => {
    const { y, shape } = adaptiveAvgPool2dForward(Float64Array.of(1, 2), [1, 1, 1, 2], 2, 4);
    expect(shape).toEqual([1, 1, 2, 4]);
    expect(Array.from(y)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });

  it('rejects a non-positive output size', () => {
    expect(() => adaptiveAvgPool2dForward(arange(4), [1, 1, 2, 2], 0, 1)).toThrow(/adaptiveAvgPool2d/);
  });

  it('agrees with central differences (7x5 -> 3x2)', () => {
    const shape = [2, 3, 7, 5];
    const rng = new Random(9);
    const x = Float64Array.from({ length: 210 }, () => rng.normal());
    const probe = Float64Array.from({ length: 2 * 3 * 3 * 2 }, () => rng.normal());
    const dx = adaptiveAvgPool2dBackward(probe, shape, 3, 2);
    expectClose(dx, numericGrad(x, () => dot(adaptiveAvgPool2dForward(x, shape, 3, 2).y, probe)));
  });
});
