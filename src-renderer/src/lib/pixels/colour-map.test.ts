import { describe, expect, it } from 'vitest';
import { GREY_BYTES, GREY_UNIT, peak, planeOf, rgba } from './colour-map';

describe('grey colour maps for pixel images', () => {
  it('draws a stored byte image as exactly those grey levels', () => {
    const bytes = Array.from({ length: 256 }, (_, i) => i);
    const out = rgba(bytes, GREY_BYTES);
    bytes.forEach((b, i) => expect([out[i * 4], out[i * 4 + 1], out[i * 4 + 2], out[i * 4 + 3]]).toEqual([b, b, b, 255]));
  });

  it('draws 0…1 intensities black to white, clipping above 1', () => {
    expect(Array.from(rgba([0, 0.5, 1, 1.7], GREY_UNIT).filter((_, i) => i % 4 === 0))).toEqual([0, 128, 255, 255]);
  });

  it('takes a raster as a plane, and finds its largest value', () => {
    const data = Float32Array.from([0.2, 0.9, 0.4]);
    expect(planeOf({ width: 3, height: 1, data })).toEqual({ width: 3, height: 1, values: data });
    expect(peak(data)).toBeCloseTo(0.9, 6);
    expect(peak([])).toBe(-Infinity);
  });
});
