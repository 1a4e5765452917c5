import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../../common/training-protocol';
import { cellShade, className, decodeBase64, diagonal, GALLERY_PAGE, galleryRequest, pageExamples, splitImages, testSetLock, total } from './evaluate-logic';

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

describe('testSetLock', () => {
  const status = (state: RunStatus['state'], extra: Partial<RunStatus> = {}): RunStatus => ({
    id: '20261204-220000-abcd', name: 'MLP', state, reason: null, epoch: 1, epochs: 3, batch: 0, batches: 10, step: 10,
    lr: 0.1, split: { seed: 7, train: 54_545, validation: 455 }, testEvaluations: 0, ...extra,
  });

  it('opens only once the run has ended: completed, early-stopped, stopped or diverged', () => {
    for (const state of ['loading', 'running', 'paused', 'failed'] as const) expect(testSetLock(status(state)).open, state).toBe(false);
    for (const state of ['completed', 'early-stopped', 'stopped', 'diverged'] as const) expect(testSetLock(status(state)).open, state).toBe(true);
    expect(testSetLock(null).open).toBe(false);
  });

  it('counts the looks as the engine reports them, in words that fit the count', () => {
    expect(testSetLock(status('stopped')).looksKey).toBe('eval.looks.none');
    expect(testSetLock(status('stopped', { testEvaluations: 1 }))).toMatchObject({ looks: 1, looksKey: 'eval.looks.one' });
    expect(testSetLock(status('stopped', { testEvaluations: 4 }))).toMatchObject({ looks: 4, looksKey: 'eval.looks.many' });
  });

  it('explains with the run\'s own split: its seed and sizes, the default split, or none known yet', () => {
    expect(testSetLock(status('paused')).why).toEqual({ key: 'eval.why.split', params: { seed: 7, train: '54,545', validation: '455' } });
    expect(testSetLock(status('paused', { split: { seed: null, train: 55_000, validation: 5_000 } })).why)
      .toEqual({ key: 'eval.why.splitDefault', params: { train: '55,000', validation: '5,000' } });
    expect(testSetLock(status('loading', { split: null })).why).toEqual({ key: 'eval.why.generic', params: {} });
  });
});

describe('className', () => {
  const fashion = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

  it("names a class as the dataset does, and by its index while the names are not known", () => {
    expect(className(fashion, 7)).toBe('Sneaker');
    expect(className(['0', '1', '2'], 2)).toBe('2');
    expect(className([], 7)).toBe('7');
    expect(className(fashion, 12)).toBe('12');
  });
});
