import { describe, expect, it } from 'vitest';
import type { IdxArray } from '../../common/idx';
import { getPreset } from '../../common/model-spec/index';
import { Random } from '../random';
import { specDatasets, specLoaders } from './data';

/** n fake 28×28 images whose pixels all equal the label × 25, labels 0..9 cycling. */
function arrays(n: number): { trainImages: IdxArray; trainLabels: IdxArray } {
  const images = new Uint8Array(n * 784), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    images.fill(labels[i] * 25, i * 784, (i + 1) * 784);
  }
  return { trainImages: { dtype: 'uint8', shape: [n, 28, 28], data: images }, trainLabels: { dtype: 'uint8', shape: [n], data: labels } };
}

describe('specDatasets', () => {
  it('views images as the Input node wants and normalizes as the spec says', () => {
    const logistic = getPreset('Mnist_Logistic')!; // [784], scale
    const sets = specDatasets(logistic, arrays(100), { validationSize: 0 });
    expect(sets.validation).toBeNull();
    const [x, y] = sets.train.getItem(3);
    expect(x.shape).toEqual([784]);
    expect(y.item()).toBe(3);
    expect(x.data[0]).toBeCloseTo(75 / 255);
    const lenet = getPreset('LeNet-5')!; // [1, 28, 28], standardize
    const [x2] = specDatasets(lenet, arrays(100), { validationSize: 0 }).train.getItem(0);
    expect(x2.shape).toEqual([1, 28, 28]);
    expect(x2.data[0]).toBeCloseTo(-0.1307 / 0.3081, 5);
    const lstm = getPreset('Row-LSTM')!;
    expect(specDatasets(lstm, arrays(10), { validationSize: 0 }).train.getItem(0)[0].shape).toEqual([28, 28]);
  });

  it('limits, then holds out a stratified validation set', () => {
    const spec = getPreset('MLP')!;
    const sets = specDatasets(spec, arrays(1000), { limit: 500, validationSize: 100 });
    expect(sets.train.length).toBe(400);
    expect(sets.validation!.length).toBe(100);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100; i++) counts[sets.validation!.getItem(i)[1].item()]++;
    expect(counts).toEqual(new Array(10).fill(10));
    expect(() => specDatasets(spec, arrays(50))).toThrow('data: validation size 10000 must be an integer from 0 to 49 (the training set has 50 images)');
  });

  it('makes loaders with the spec batch size', () => {
    const spec = getPreset('MLP')!;
    const loaders = specLoaders(spec, specDatasets(spec, arrays(200), { validationSize: 50 }), new Random(0));
    expect(loaders.train.batchSize).toBe(64);
    expect(loaders.train.shuffle).toBe(true);
    expect(loaders.validation!.length).toBe(1);
    expect(loaders.test).toBeNull();
  });
});
