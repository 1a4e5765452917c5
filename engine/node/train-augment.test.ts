/** `npm run train` refuses a spec with data.augment rather than train without it (#15.2). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../common/model-spec/index';
import { runTrain } from './train';

describe('npm run train with data.augment', () => {
  it('says it does not augment and exits 2, before reading any data', () => {
    const spec = structuredClone(getPreset('MLP')!);
    spec.data.augment = { randomAffine: { degrees: 10 } };
    const file = join(mkdtempSync(join(tmpdir(), 'layerlab-augment-')), 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const err: string[] = [];
    const code = runTrain(['--spec', file, '--data', '/nonexistent'], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.at(-1)).toBe('train: the spec sets data.augment, which the app and its PyTorch twin apply but this CLI does not: train it in the app or with the twin, or remove data.augment');
  });
});
