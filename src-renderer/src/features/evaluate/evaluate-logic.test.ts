import { describe, expect, it } from 'vitest';
import { cellExamples, cellShade, decodeBase64, diagonal, misclassified, splitImages, total, type Example } from './evaluate-logic';

const ex = (index: number, label: number, predicted: number, confidence: number): Example => ({
  index, label, predicted, confidence, pixels: new Uint8Array(0), probabilities: [],
});

describe('evaluate logic', () => {
  it('decodes base64 images and splits them', () => {
    const bytes = decodeBase64(btoa(String.fromCharCode(0, 1, 2, 255, 4, 5)));
    expect(Array.from(bytes)).toEqual([0, 1, 2, 255, 4, 5]);
    expect(splitImages(bytes, 2, 3).map((b) => Array.from(b))).toEqual([[0, 1, 2], [255, 4, 5]]);
  });

  it('lists a cell most confident first, and the wrong answers', () => {
    const all = [ex(0, 3, 5, 0.6), ex(1, 3, 5, 0.9), ex(2, 3, 3, 0.99), ex(3, 1, 7, 0.95)];
    expect(cellExamples(all, 3, 5).map((e) => e.index)).toEqual([1, 0]);
    expect(misclassified(all).map((e) => e.index)).toEqual([3, 1, 0]);
  });

  it('reads the matrix: diagonal, total, shade by row', () => {
    const m = [[8, 2], [1, 9]];
    expect(diagonal(m)).toBe(17);
    expect(total(m)).toBe(20);
    expect(cellShade(m, 0, 1)).toBe(0.2);
    expect(cellShade([[0, 0], [0, 0]], 0, 0)).toBe(0);
  });
});
