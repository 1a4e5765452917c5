import { describe, expect, it } from 'vitest';
import { resolveAugment } from '../../../../common/model-spec/augment';
import { previewImages, type GreyImages } from './augment-preview';

/** Two 28×28 images: a bar and a dot, on black. */
const images: GreyImages = {
  count: 2, height: 28, width: 28,
  pixels: Uint8Array.from({ length: 2 * 784 }, (_, i) => {
    const [img, y, x] = [Math.floor(i / 784), Math.floor((i % 784) / 28), i % 28];
    return img === 0 ? (x >= 12 && x <= 15 && y >= 4 && y <= 23 ? 255 : 0) : Math.hypot(x - 14, y - 14) < 5 ? 200 : 0;
  }),
};
const ink = (g: Uint8Array) => g.reduce((a, b) => a + b, 0);

describe('previewImages', () => {
  it('shows the images unchanged when nothing augments them', () => {
    const draws = previewImages(images, null, 3, 1);
    expect(draws).toHaveLength(2);
    for (const d of draws[0]) expect(d).toEqual(images.pixels.subarray(0, 784));
  });

  it('turns a vertical bar by up to ±degrees: each draw differs, the ink is kept, and a new seed draws anew', () => {
    const augment = resolveAugment({ augment: { randomAffine: { degrees: 30 } } });
    const [bar] = previewImages(images, augment, 4, 1);
    const original = images.pixels.subarray(0, 784);
    for (const d of bar) {
      expect(d).not.toEqual(original);
      expect(Math.abs(ink(d) - ink(original)) / ink(original)).toBeLessThan(0.1); // rotation keeps the area
    }
    expect(bar[0]).not.toEqual(bar[1]);
    expect(previewImages(images, augment, 4, 1)[0]).toEqual(bar);
    expect(previewImages(images, augment, 4, 2)[0]).not.toEqual(bar);
  });

  it('scale below 1 shrinks the dot: less ink, all of it still inside', () => {
    const [, dot] = previewImages(images, resolveAugment({ augment: { randomAffine: { scale: [0.5, 0.5] } } }), 2, 1);
    const original = ink(images.pixels.subarray(784));
    for (const d of dot) expect(ink(d) / original).toBeCloseTo(0.25, 1);
  });
});
