import { describe, expect, it } from 'vitest';
import { colour, greyValue, layerKind, mean, planes, rgba, scaleOf, weightPicture } from './inside-logic';

describe('layer kinds and planes', () => {
  it('draws [C, H, W] as C maps, [L, F] as one map, [F] as bars', () => {
    expect([layerKind([6, 28, 28]), layerKind([28, 64]), layerKind([10])]).toEqual(['maps', 'maps', 'bars']);
  });

  it('splits a [C, H, W] output into C views, channel by channel', () => {
    const values = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const p = planes(values, [2, 3, 4]);
    expect(p.map((x) => [x.width, x.height, x.values[0], x.values.length])).toEqual([[4, 3, 0, 12], [4, 3, 12, 12]]);
    expect(p[1].values.buffer).toBe(values.buffer); // views, not copies
  });

  it('keeps only whole channels when the values were cut short', () => {
    expect(planes(new Float32Array(30), [3, 4, 4])).toHaveLength(1);
  });
});

describe('colour scales', () => {
  it('is grey from black at 0 to white at the layer maximum when nothing is negative', () => {
    const s = scaleOf([0, 2, 4]);
    expect(s).toEqual({ kind: 'grey', max: 4 });
    expect([colour(0, s), colour(2, s), colour(4, s)]).toEqual([[0, 0, 0], [128, 128, 128], [255, 255, 255]]);
    expect(greyValue(128, s)).toBeCloseTo(2, 1);
  });

  it('diverges blue-white-red around 0, scaled by the largest |value|', () => {
    const s = scaleOf([-2, 0, 1]);
    expect(s).toEqual({ kind: 'diverging', max: 2 });
    expect([colour(-2, s), colour(0, s), colour(1, s)]).toEqual([[0, 0, 255], [255, 255, 255], [255, 128, 128]]);
  });

  it('ignores NaN and infinities for the scale and paints them magenta; an all-zero layer still has a scale', () => {
    const s = scaleOf([NaN, Infinity, -1, 0.5]);
    expect(s).toEqual({ kind: 'diverging', max: 1 });
    expect(colour(NaN, s)).toEqual([255, 0, 255]);
    expect(scaleOf([0, 0])).toEqual({ kind: 'grey', max: 1 });
  });

  it('writes opaque RGBA bytes for putImageData', () => {
    expect(Array.from(rgba([0, 1], { kind: 'grey', max: 1 }))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('means a plane', () => {
    expect(mean(Float32Array.of(1, 2, 3, 6))).toBe(3);
    expect(mean([])).toBe(0);
  });
});

describe('weight pictures', () => {
  it('shows conv filters [out, in, kh, kw] as one image per output channel, for the chosen input channel', () => {
    const values = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
    const p = weightPicture('Conv2d', [2, 3, 2, 2], values, 1);
    if (p.kind !== 'filters') throw new Error(p.kind);
    expect(p.inputs).toBe(3);
    // filter o, input 1 starts at (o·3 + 1)·4
    expect(p.planes.map((x) => Array.from(x.values))).toEqual([[4, 5, 6, 7], [16, 17, 18, 19]]);
  });

  it("shows a Linear(784, 10)'s weights for one output as a 28×28 map", () => {
    const values = Float32Array.from({ length: 10 * 784 }, (_, i) => i);
    const p = weightPicture('Linear', [10, 784], values, 3);
    if (p.kind !== 'row-map') throw new Error(p.kind);
    expect([p.plane.width, p.plane.height, p.plane.values[0], p.plane.values[783], p.outputs]).toEqual([28, 28, 3 * 784, 4 * 784 - 1, 10]);
  });

  it('shows other matrices whole, and nothing for a vector', () => {
    expect(weightPicture('Linear', [84, 120], new Float32Array(84 * 120))).toMatchObject({ kind: 'matrix', plane: { width: 120, height: 84 } });
    expect(weightPicture('Linear', [10], new Float32Array(10)).kind).toBe('none');
  });
});
