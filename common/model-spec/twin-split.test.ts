/**
 * The PyTorch twin and the app hold out the same validation images and visit the rest in the same order, given the
 * run's seed. The fixture was written by the twin itself under a real Python with PyTorch (`--save-split`, see
 * scripts/twin-split-fixture.ts), so this runs in CI without either.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { epochOrder, stratifiedSplit } from '../split';
import { getPreset } from './presets';
import { TWIN_SPLIT_CODE, toPyTorch } from './pytorch';

interface Case {
  seed: number;
  valSize: number;
  shuffle: boolean;
  epochs: number[][];
  train: number[];
  validation: number[];
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/twin-split.json'), 'utf8')) as {
  twinSplitCodeSha256: string;
  labels: number[];
  cases: Case[];
  mnist: { seed: number; valSize: number; shuffle: boolean; train: number; validation: number; validationSha256: string; firstEpochSha256: string } | null;
};

const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
const digest = (values: ArrayLike<number>) => sha256(new Uint8Array(Int32Array.from(values).buffer));

describe('the twin split, against what the twin wrote', () => {
  it('was written by the split code the twin has now (else run scripts/twin-split-fixture.ts)', () => {
    expect(sha256(TWIN_SPLIT_CODE.join('\n'))).toBe(fixture.twinSplitCodeSha256);
    expect(toPyTorch(getPreset('MLP')!)).toContain(TWIN_SPLIT_CODE.join('\n'));
  });

  it.each(fixture.cases.map((c) => [`seed ${c.seed}, val_size ${c.valSize}, shuffle ${c.shuffle}`, c] as const))('%s: same indices and batch order', (_, c) => {
    const split = stratifiedSplit(fixture.labels, { validation: c.valSize, seed: c.seed });
    expect(Array.from(split.validation)).toEqual(c.validation);
    expect(Array.from(split.train)).toEqual(c.train);
    c.epochs.forEach((order, k) => expect(Array.from(epochOrder(split.train.length, c.seed, k + 1, c.shuffle))).toEqual(order));
  });

  it('the cases cover what could differ: a seed at 2³² − 1, no validation, no shuffle, a second epoch', () => {
    expect(fixture.cases.map((c) => c.seed)).toContain(4_294_967_295);
    expect(fixture.cases.some((c) => c.valSize === 0 && c.validation.length === 0)).toBe(true);
    expect(fixture.cases.some((c) => !c.shuffle && c.epochs[0].every((v, i) => v === i))).toBe(true);
    expect(fixture.cases.some((c) => c.epochs.length > 1 && c.epochs[0].join() !== c.epochs[1].join())).toBe(true);
  });

  const labelsFile = resolve(import.meta.dirname, '../../../shared/data/mnist/train-labels-idx1-ubyte.gz');
  const why = !fixture.mnist ? 'the fixture has no MNIST case' : !existsSync(labelsFile) ? `${labelsFile} is absent` : '';
  it.skipIf(why !== '')(`on MNIST's 60,000 training labels${why ? ` (skipped: ${why})` : ''}`, () => {
    const m = fixture.mnist!;
    const labels = gunzipSync(readFileSync(labelsFile)).subarray(8);
    const split = stratifiedSplit(labels, { validation: m.valSize, seed: m.seed });
    expect([split.train.length, split.validation.length]).toEqual([m.train, m.validation]);
    expect(digest(split.validation)).toBe(m.validationSha256);
    expect(digest(epochOrder(split.train.length, m.seed, 1, m.shuffle))).toBe(m.firstEpochSha256);
  });
});
