import { describe, expect, it } from 'vitest';
import { Random } from './random';

describe('Random', () => {
  it('repeats its stream for the same seed and differs for another', () => {
    const a = new Random(42), b = new Random(42), c = new Random(43);
    const draws = (r: Random) => Array.from({ length: 5 }, () => r.next());
    const first = draws(a);
    expect(draws(b)).toEqual(first);
    expect(draws(c)).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws normals with mean ≈ 0 and std ≈ 1', () => {
    const r = new Random(7);
    const n = 20000;
    let sum = 0, sumSq = 0;
    for (let i = 0; i < n; i++) { const x = r.normal(); sum += x; sumSq += x * x; }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(sumSq / n - mean * mean) - 1)).toBeLessThan(0.03);
  });

  it('permutes every index exactly once', () => {
    const p = Array.from(new Random(1).permutation(100));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
