import { describe, expect, it } from 'vitest';
import { arange, tensor } from '../tensor';
import { interpolate } from './upsample';
import { gradcheck, randn64 } from '../test/gradcheck';

describe('interpolate op (nn.Upsample)', () => {
  it("'nearest' repeats each pixel scale×scale times", () => {
    const y = interpolate(arange(1, 5).reshape([1, 1, 2, 2]), { scaleFactor: 2 });
    expect([...y.shape]).toEqual([1, 1, 4, 4]);
    expect(y.toArray()).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it("'bilinear' blends neighbours; align_corners keeps the corner values (torch 1.13's numbers)", () => {
    // F.interpolate(tensor([[[[0., 1.]]]]), size=(1, 4), mode='bilinear', align_corners=False / True)
    const x = tensor([0, 1]).reshape([1, 1, 1, 2]);
    expect(interpolate(x, { size: [1, 4], mode: 'bilinear' }).toArray()).toEqual([0, 0.25, 0.75, 1]);
    const aligned = interpolate(x, { size: [1, 4], mode: 'bilinear', alignCorners: true }).toArray();
    [0, 1 / 3, 2 / 3, 1].forEach((v, i) => expect(aligned[i]).toBeCloseTo(v, 6));
  });

  it("'nearest' copies values exactly, Inf and NaN included; the gradient sums over the copies", () => {
    const x = tensor([Infinity, 1, NaN, -2]).reshape([1, 1, 2, 2]).requiresGrad_(true);
    const y = interpolate(x, { scaleFactor: [1, 2] });
    expect(y.toArray()).toEqual([Infinity, Infinity, 1, 1, NaN, NaN, -2, -2]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 2, 2, 2]);
  });

  it('refuses what torch refuses, and the modes LayerLab lacks', () => {
    const x = arange(4).reshape([1, 1, 2, 2]);
    expect(() => interpolate(x, {})).toThrow(/either size or scale_factor should be defined/);
    expect(() => interpolate(x, { size: 3, scaleFactor: 2 })).toThrow(/only one of size or scale_factor should be defined/);
    expect(() => interpolate(x, { scaleFactor: 2, alignCorners: false })).toThrow(/align_corners option can only be set/);
    expect(() => interpolate(x, { scaleFactor: 2, mode: 'area' as never })).toThrow(/mode 'area' is not supported; LayerLab has 'nearest' and 'bilinear'/);
    expect(() => interpolate(x, { scaleFactor: 0.1 })).toThrow(/makes the 2x2 input empty/);
    expect(() => interpolate(arange(4), { scaleFactor: 2 })).toThrow(/input must be \[N, C, H, W\] or \[C, H, W\]/);
  });

  const cases: [string, Parameters<typeof interpolate>[1]][] = [
    ['nearest ×2', { scaleFactor: 2 }],
    ['nearest to a size that is not a multiple', { size: [5, 7] }],
    ['bilinear ×2', { scaleFactor: 2, mode: 'bilinear' }],
    ['bilinear, align_corners, to a size', { size: [4, 9], mode: 'bilinear', alignCorners: true }],
    ['bilinear down', { size: [2, 2], mode: 'bilinear' }],
  ];
  for (const [name, opts] of cases) {
    it(`gradcheck (float64): ${name}`, () => {
      expect(gradcheck((x) => interpolate(x, opts), [randn64([2, 2, 3, 4], 1)])).toBe(true);
    });
  }
});
