import { describe, expect, it } from 'vitest';
import type { DatasetSamples } from '../../../../common/dataset-api';
import { realDigits } from './real-digits';

describe('realDigits', () => {
  it('sorts the images by class, in order, at most perClass each, as 0…1', () => {
    const pixels = Uint8Array.from([0, 255, 1, 2, 10, 20, 255, 0, 3, 4]); // five 1×2 images
    const samples: DatasetSamples = {
      dataset: 'mnist', split: 'train', total: 5, height: 1, width: 2, classes: ['0', '1', '2'], indices: [0, 1, 2, 3, 4],
      labels: [1, 0, 1, 1, 2], pixels: btoa(String.fromCharCode(...pixels)), histogram: [1, 3, 1],
    };
    const real = realDigits(samples, 2);
    expect(real.classes).toEqual(['0', '1', '2']);
    const levels = real.byClass.map((group) => group.map((g) => Array.from(g.data, (v) => Math.round(v * 255))));
    expect(levels).toEqual([[[1, 2]], [[0, 255], [10, 20]], [[3, 4]]]);
    expect(real.byClass[1][0]).toMatchObject({ width: 2, height: 1 });
  });
});
