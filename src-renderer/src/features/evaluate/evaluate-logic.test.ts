import { describe, expect, it } from 'vitest';
import { cellShade, decodeBase64, diagonal, GALLERY_PAGE, galleryRequest, pageExamples, splitImages, total } from './evaluate-logic';

const runId = '20261126-191502-k3f9';

describe('evaluate logic', () => {
  it('decodes base64 images and splits them', () => {
    const bytes = decodeBase64(btoa(String.fromCharCode(0, 1, 2, 255, 4, 5)));
    expect(Array.from(bytes)).toEqual([0, 1, 2, 255, 4, 5]);
    expect(splitImages(bytes, 2, 3).map((b) => Array.from(b))).toEqual([[0, 1, 2], [255, 4, 5]]);
  });

  it('asks the engine for a page of a cell, or of the misclassified examples', () => {
    const at = { requestId: 7, runId, split: 'test' as const, offset: 48 };
    expect(galleryRequest({ kind: 'cell', label: 3, predicted: 5 }, at)).toEqual({
      type: 'run-examples', requestId: 7, runId, split: 'test', offset: 48, trueLabel: 3, predictedLabel: 5, limit: GALLERY_PAGE,
    });
    expect(galleryRequest({ kind: 'wrong' }, { ...at, offset: 0 })).toEqual({
      type: 'run-examples', requestId: 7, runId, split: 'test', offset: 0, misclassifiedOnly: true, limit: GALLERY_PAGE,
    });
  });

  it('turns an answer into examples with their own pixels and a probability row from the top 3', () => {
    const top = (c: number[]) => c.map((k, i) => ({ class: k, probability: [0.7, 0.2, 0.1][i] }));
    const [a, b] = pageExamples({
      type: 'run-examples', requestId: 1, runId, split: 'test', total: 9, offset: 0, height: 1, width: 2,
      examples: [
        { index: 4, label: 3, predicted: 5, confidence: 0.7, top: top([5, 3, 0]) },
        { index: 2, label: 3, predicted: 5, confidence: 0.7, top: top([5, 9, 3]) },
      ],
      pixels: btoa(String.fromCharCode(10, 20, 30, 40)),
    }, 10);
    expect(Array.from(a.pixels)).toEqual([10, 20]);
    expect(Array.from(b.pixels)).toEqual([30, 40]);
    expect([a.height, a.width, a.index]).toEqual([1, 2, 4]);
    expect(a.probabilities).toEqual([0.1, 0, 0, 0.2, 0, 0.7, 0, 0, 0, 0]);
    expect(b.probabilities[9]).toBe(0.2);
  });

  it('reads the matrix: diagonal, total, shade by row', () => {
    const m = [[8, 2], [1, 9]];
    expect(diagonal(m)).toBe(17);
    expect(total(m)).toBe(20);
    expect(cellShade(m, 0, 1)).toBe(0.2);
    expect(cellShade([[0, 0], [0, 0]], 0, 0)).toBe(0);
  });
});
