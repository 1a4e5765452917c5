import { describe, expect, it } from 'vitest';
import { Random } from '../random';
import { batchCount, batchIndices } from './sampler';

const arrays = (batches: Int32Array[]) => batches.map((b) => [...b]);

describe('batchIndices', () => {
  it('batches in order, keeping or dropping the tail', () => {
    expect(arrays(batchIndices(5, { batchSize: 2 }))).toEqual([[0, 1], [2, 3], [4]]);
    expect(arrays(batchIndices(5, { batchSize: 2, dropLast: true }))).toEqual([[0, 1], [2, 3]]);
    expect(arrays(batchIndices(4, { batchSize: 2, dropLast: true }))).toEqual([[0, 1], [2, 3]]);
    expect(arrays(batchIndices(3, { batchSize: 10 }))).toEqual([[0, 1, 2]]);
    expect(batchIndices(3, { batchSize: 10, dropLast: true })).toEqual([]);
    expect(batchIndices(0, { batchSize: 4 })).toEqual([]);
    expect(batchCount(60000, 64)).toBe(938);
    expect(batchCount(60000, 64, true)).toBe(937);
  });

  it('shuffles as a seeded permutation, different each epoch, reproducible from the seed', () => {
    const g = new Random(42);
    const epoch1 = arrays(batchIndices(10, { batchSize: 3, shuffle: true, generator: g })).flat();
    const epoch2 = arrays(batchIndices(10, { batchSize: 3, shuffle: true, generator: g })).flat();
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch2);
    const again = arrays(batchIndices(10, { batchSize: 3, shuffle: true, generator: new Random(42) })).flat();
    expect(again).toEqual(epoch1);
  });

  it('rejects bad batch sizes and a shuffle with no generator', () => {
    expect(() => batchIndices(4, { batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0');
    expect(() => batchIndices(4, { batchSize: 1.5 })).toThrow('batchSize');
    expect(() => batchIndices(4, { batchSize: 2, shuffle: true })).toThrow('needs a generator');
  });
});
