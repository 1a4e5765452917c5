/**
 * Default initialisation against PyTorch (fixtures/init.json). torch's random stream can't be reproduced, so each
 * state tensor of a fresh layer is compared by its statistics: every value inside torch's observed support, and
 * the mean and spread matching. A wrong bound (fan-in of a grouped conv, 1/√H for recurrent layers, the bias
 * bound) shifts the std by 10–100 %, far outside these sampling tolerances:
 * - support: within torch's [min, max] widened by 8·range/n (the gap between a uniform sample's max and the
 *   bound is ~Exp(range/n), so torch's own max falls short of that by chance with probability e^-8);
 * - std within 3/√n relative, mean within 6·std/√n (over four standard errors each).
 * Constant initialisations (BatchNorm's weight, bias and running stats) must match exactly.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../random';
import { build, type LayerSpec } from './build';
import { loadFixture } from './fixtures';

interface Stats {
  n: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

interface InitCase extends LayerSpec {
  name: string;
  stats: Record<string, Stats>;
}

function stats(values: ArrayLike<number>): Stats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
    sum += values[i];
  }
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { n: values.length, min, max, mean, std: Math.sqrt(sq / values.length) };
}

const fixture = loadFixture<InitCase>('init.json');

describe(`default initialisation matches PyTorch ${fixture.torch} in distribution`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const layer = build({ ...c, kwargs: { ...c.kwargs, rng: new Random(1234) } });
      const state = layer.stateDict();
      expect(Object.keys(state).sort()).toEqual(Object.keys(c.stats).sort());
      for (const [name, want] of Object.entries(c.stats)) {
        const got = stats(state[name].data);
        const label = `${c.name} ${name}: engine ${JSON.stringify(got)}, torch ${JSON.stringify(want)}`;
        expect(got.n, label).toBe(want.n);
        if (want.std === 0) {
          expect([got.min, got.max], label).toEqual([want.min, want.max]);
          continue;
        }
        const slack = ((want.max - want.min) * 8) / want.n;
        expect(got.min, `${label} (min)`).toBeGreaterThanOrEqual(want.min - slack);
        expect(got.max, `${label} (max)`).toBeLessThanOrEqual(want.max + slack);
        expect(Math.abs(got.std - want.std), `${label} (std)`).toBeLessThanOrEqual((want.std * 3) / Math.sqrt(want.n));
        expect(Math.abs(got.mean - want.mean), `${label} (mean)`).toBeLessThanOrEqual((want.std * 6) / Math.sqrt(want.n));
      }
    });
  }
});
