/**
 * The PyTorch twin loads the weights a run writes: scripts/twin-weights-fixture.ts ran each preset's twin under real
 * PyTorch with `--init <the checkpoint file> --epochs 0` and kept the file's digest and the twin's test loss and
 * accuracy. Here, without PyTorch: the file the engine writes today is byte for byte the one PyTorch loaded, and the
 * engine's loss and accuracy with it are the twin's. A change to the checkpoint format, the
 * state-dict names or a layer's math fails this until the fixture is regenerated under PyTorch.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../common/model-spec/presets';
import { twinWeightsCase } from './twin-weights';

interface Fixture {
  python: string;
  cases: { preset: string; weightsSha256: string; twinTestLoss: number; twinTestAccuracy: number | null }[];
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../common/model-spec/fixtures/twin-weights.json'), 'utf8')) as Fixture;

describe(`the twin loads a run's checkpoint (${fixture.python})`, () => {
  it('covers every preset, the Autoencoder (an image target, no accuracy) included', () => {
    expect(fixture.cases.map((c) => c.preset)).toEqual(PRESET_NAMES);
  });

  for (const expected of fixture.cases) {
    it(`${expected.preset}: the same file, the same test loss${expected.twinTestAccuracy === null ? ' (an image target: no accuracy)' : ' and accuracy'}`, () => {
      const c = twinWeightsCase(expected.preset);
      expect(createHash('sha256').update(c.weights).digest('hex')).toBe(expected.weightsSha256);
      // The twin's loss in full (float32 in both, batched differently): within 1e-5 relative. Accuracy is exact.
      expect(Math.abs(c.loss - expected.twinTestLoss)).toBeLessThanOrEqual(1e-5 * (1 + expected.twinTestLoss));
      expect(c.accuracy).toBe(expected.twinTestAccuracy);
    });
  }
});
