import { describe, expect, it } from 'vitest';
import { mulberry32, stratifiedSplit } from './split';

function labelsWithCounts(counts: number[]): Int32Array {
  const labels: number[] = [];
  counts.forEach((count, c) => {
    for (let i = 0; i < count; i++) labels.push(c);
  });
  // Interleave deterministically so classes are not contiguous.
  const random = mulberry32(99);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  return Int32Array.from(labels);
}

describe('stratifiedSplit', () => {
  // MNIST's real training class counts.
  const mnistCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
  const labels = labelsWithCounts(mnistCounts);

  it('gives MNIST 55,000/5,000 with per-class proportions', () => {
    const { train, validation } = stratifiedSplit(labels, { validation: 5000, seed: 0 });
    expect(train.length).toBe(55000);
    expect(validation.length).toBe(5000);
    const perClass = new Array(10).fill(0);
    for (const i of validation) perClass[labels[i]]++;
    perClass.forEach((count, c) => expect(Math.abs(count - (mnistCounts[c] * 5000) / 60000)).toBeLessThan(1));
    const seen = new Uint8Array(60000);
    for (const i of train) seen[i]++;
    for (const i of validation) seen[i]++;
    expect(seen.every((s) => s === 1)).toBe(true);
    expect([...validation]).toEqual([...validation].sort((a, b) => a - b));
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = stratifiedSplit(labels, { validation: 5000, seed: 7 });
    const b = stratifiedSplit(labels, { validation: 5000, seed: 7 });
    const c = stratifiedSplit(labels, { validation: 5000, seed: 8 });
    expect(a.validation).toEqual(b.validation);
    expect(a.validation).not.toEqual(c.validation);
  });

  it('accepts a fraction and edge sizes', () => {
    expect(stratifiedSplit([0, 0, 1, 1, 1, 1, 2, 2, 2, 2], { validation: 0.5 }).validation.length).toBe(5);
    expect(stratifiedSplit([0, 1, 2], { validation: 0 }).train.length).toBe(3);
    expect(stratifiedSplit([0, 1, 2], { validation: 3 }).validation).toEqual(Int32Array.from([0, 1, 2]));
    expect(() => stratifiedSplit([0, 1], { validation: 3 })).toThrow('validation must be');
    expect(() => stratifiedSplit([0, 1], { validation: 1.5 })).toThrow('validation must be');
  });
});
