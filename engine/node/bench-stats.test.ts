/**
 * `npm run bench -- --stats`, kept small: the layer statistics' cost on one preset and one round, JSON out. What is
 * checked is the report's shape and its arithmetic, not a speed: the figure itself belongs to the bench.
 */
import { describe, expect, it } from 'vitest';
import { main } from './bench-cli';

describe('npm run bench -- --stats', () => {
  it('reports a sample\'s cost amortised over the schedule, and the same run with and without samples', async () => {
    const lines: string[] = [];
    const code = await main(['--presets', 'Mnist_Logistic', '--backends', 'wasm', '--batches', '2', '--stats', '1', '--json'], (line) => lines.push(line));
    expect(code).toBe(0);
    const [s] = JSON.parse(lines.join('\n')).layerStats;
    expect(s).toMatchObject({ preset: 'Mnist_Logistic', backend: 'wasm', base: 50 });
    expect(s.every).toBeGreaterThanOrEqual(50);
    expect(s.amortisedPct).toBeCloseTo((100 * s.sampleMs) / (s.every * s.stepMs), 9);
    expect(s.amortisedCpuPct).toBeCloseTo((100 * s.sampleCpuMs) / (s.every * s.stepCpuMs), 9);
    for (const key of ['withBlocksMs', 'withoutBlocksMs', 'withBlocksCpuMs', 'withoutBlocksCpuMs']) expect(s[key]).toHaveLength(1);
    expect(s.sameRunRatio).toBeCloseTo(s.withBlocksMs[0] / s.withoutBlocksMs[0], 9);
    expect(s.sameRunCpuRatio).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a round count that is not a whole number', async () => {
    const lines: string[] = [];
    expect(await main(['--stats', 'x'], (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toMatch(/--stats takes a whole number of rounds/);
  });
});
