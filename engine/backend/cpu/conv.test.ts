import { describe, expect, it } from 'vitest';
import { Random } from '../../random';
import { arange, dot, expectClose, numericGrad, ones } from '../../test/array-checks';
import { type Conv2dAttrs, conv2dBackward, conv2dForward, conv2dGeometry } from './conv';

const attrs = (o: Partial<Conv2dAttrs> = {}): Conv2dAttrs => ({
  strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1, ...o,
});
const pad = (p: number) => ({ padTop: p, padBottom: p, padLeft: p, padRight: p });
const randomArray = (n: number, rng: Random) => Float64Array.from({ length: n }, () => rng.normal());


describe('conv2dForward', () => {
  it('sums 2x2 windows of a 3x3 image with a ones kernel, plus bias', () => {
    const { y, shape } = conv2dForward(arange(9), [1, 1, 3, 3], ones(4), [1, 1, 2, 2], Float64Array.of(1), attrs());
    expect(shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y)).toEqual([13, 17, 25, 29]);
  });

  it('pads with zeros and strides', () => {
    // 3x3 ones kernel over [[1,2,3],[4,5,6],[7,8,9]] padded by 1, stride 2: windows centred on the corners.
    const { y, shape } = conv2dForward(arange(9), [1, 1, 3, 3], ones(9), [1, 1, 3, 3], null, attrs({ strideH: 2, strideW: 2, ...pad(1) }));
    expect(shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y)).toEqual([12, 16, 24, 28]);
  });

  it('handles a non-square kernel and asymmetric padding (same padding for an even kernel)', () => {
    // kernel [1, -1] along W: y = x[., j] - x[., j+1]; padRight 1 keeps width 3 (last column sees a zero).
    const { y, shape } = conv2dForward(arange(6), [1, 1, 2, 3], Float64Array.of(1, -1), [1, 1, 1, 2], null, attrs({ padRight: 1 }));
    expect(shape).toEqual([1, 1, 2, 3]);
    expect(Array.from(y)).toEqual([-1, -1, 3, -1, -1, 6]);
  });

  it('dilates the kernel', () => {
    // 5x5 image 1..25, 2x2 ones kernel with dilation 2: y[i,j] = x[i,j] + x[i,j+2] + x[i+2,j] + x[i+2,j+2].
    const { y, shape } = conv2dForward(arange(25), [1, 1, 5, 5], ones(4), [1, 1, 2, 2], null, attrs({ dilationH: 2, dilationW: 2 }));
    expect(shape).toEqual([1, 1, 3, 3]);
    expect(y[0]).toBe(1 + 3 + 11 + 13);
    expect(y[8]).toBe(13 + 15 + 23 + 25);
  });

  it('keeps groups separate (depthwise) and sums channels within a group', () => {
    // Channel 0 = 1..4, channel 1 = 5..8 (2x2 each). groups=2: out0 = 1·ch0, out1 = 10·ch1 (1x1 kernels).
    const depthwise = conv2dForward(arange(8), [1, 2, 2, 2], Float64Array.of(1, 10), [2, 1, 1, 1], null, attrs({ groups: 2 }));
    expect(Array.from(depthwise.y)).toEqual([1, 2, 3, 4, 50, 60, 70, 80]);
    // groups=1 with the weight [1, 10] mixes them: out = ch0 + 10·ch1.
    const dense = conv2dForward(arange(8), [1, 2, 2, 2], Float64Array.of(1, 10), [1, 2, 1, 1], null, attrs());
    expect(Array.from(dense.y)).toEqual([51, 62, 73, 84]);
  });

  it('runs each image of a batch independently and keeps float32 as float32', () => {
    const x = Float32Array.of(1, 2, 3, 4, 10, 20, 30, 40);
    const { y, shape } = conv2dForward(x, [2, 1, 2, 2], Float32Array.of(1, 1, 1, 1), [1, 1, 2, 2], null, attrs());
    expect(y).toBeInstanceOf(Float32Array);
    expect(shape).toEqual([2, 1, 1, 1]);
    expect(Array.from(y)).toEqual([10, 100]);
  });

  it('names the op and shapes in its errors', () => {
    expect(() => conv2dGeometry([1, 3, 5, 5], [4, 2, 3, 3], attrs())).toThrow(/conv2d: .*\[1,3,5,5\].*\[4,2,3,3\]/);
    expect(() => conv2dGeometry([1, 4, 5, 5], [3, 2, 3, 3], attrs({ groups: 2 }))).toThrow(/divisible by groups/);
    expect(() => conv2dGeometry([1, 1, 2, 2], [1, 1, 3, 3], attrs())).toThrow(/larger than the padded input/);
    expect(() => conv2dGeometry([1, 1, 5], [1, 1, 3, 3], attrs())).toThrow(/4-D/);
    expect(() => conv2dForward(arange(9), [1, 1, 3, 3], ones(4), [1, 1, 2, 2], ones(2), attrs())).toThrow(/bias/);
  });
});

describe('conv2dBackward', () => {
  it('matches hand-derived gradients for a 2x2 kernel on a 3x3 image', () => {
    // y = conv(x, ones 2x2), dy = ones: dx[i,j] counts the windows covering (i,j), dw[a,b] = Σ of the 2x2 block at (a,b).
    const { dx, dw, db } = conv2dBackward(ones(4), arange(9), [1, 1, 3, 3], ones(4), [1, 1, 2, 2], attrs());
    expect(Array.from(dx!)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    expect(Array.from(dw!)).toEqual([12, 16, 24, 28]);
    expect(Array.from(db!)).toEqual([4]);
  });

  it('returns only the gradients asked for', () => {
    const r = conv2dBackward(ones(4), arange(9), [1, 1, 3, 3], ones(4), [1, 1, 2, 2], attrs(), { input: false, weight: true, bias: false });
    expect(r.dx).toBeNull();
    expect(r.db).toBeNull();
    expect(Array.from(r.dw!)).toEqual([12, 16, 24, 28]);
  });

  const cases: [string, number[], number[], Partial<Conv2dAttrs>][] = [
    ['plain 3x3', [2, 2, 5, 5], [3, 2, 3, 3], {}],
    ['stride 2, padding 1', [2, 3, 6, 5], [2, 3, 3, 3], { strideH: 2, strideW: 2, ...pad(1) }],
    ['non-square kernel, stride (2,1), padding (1,0)', [1, 2, 5, 6], [3, 2, 2, 3], { strideH: 2, padTop: 1, padBottom: 1 }],
    ['dilation 2 with padding 2', [1, 1, 7, 7], [2, 1, 3, 3], { dilationH: 2, dilationW: 2, ...pad(2) }],
    ['groups 2', [2, 4, 4, 4], [6, 2, 3, 3], { groups: 2, ...pad(1) }],
    ['depthwise, asymmetric padding', [1, 3, 4, 5], [3, 1, 2, 2], { groups: 3, padBottom: 1, padRight: 1 }],
  ];
  for (const [name, xShape, wShape, extra] of cases) {
    it(`agrees with central differences: ${name}`, () => {
      const rng = new Random(11);
      const a = attrs(extra);
      const x = randomArray(xShape.reduce((p, d) => p * d, 1), rng);
      const w = randomArray(wShape.reduce((p, d) => p * d, 1), rng);
      const b = randomArray(wShape[0], rng);
      const probe = randomArray(conv2dForward(x, xShape, w, wShape, b, a).y.length, rng);
      const loss = () => dot(conv2dForward(x, xShape, w, wShape, b, a).y, probe);
      const { dx, dw, db } = conv2dBackward(probe, x, xShape, w, wShape, a);
      expectClose(dx, numericGrad(x, loss));
      expectClose(dw, numericGrad(w, loss));
      expectClose(db, numericGrad(b, loss));
    });
  }
});
