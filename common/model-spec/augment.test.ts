/** data.augment: the validator's rules (the same ones the Data settings' fields use) and the resolved defaults. */
import { describe, expect, it } from 'vitest';
import { AUGMENT_CATALOGUE, elasticKernelSize, resolveAugment } from './augment';
import { getPreset } from './presets';
import type { AugmentSpec, ModelSpec } from './types';
import { validateSpec } from './validate';

function withAugment(augment: unknown): ModelSpec {
  const spec = structuredClone(getPreset('LeNet-5')!);
  (spec.data as { augment?: unknown }).augment = augment;
  return spec;
}

const problems = (augment: unknown) => validateSpec(withAugment(augment)).map((e) => `${e.path}: ${e.message}`);

describe('data.augment in validateSpec', () => {
  it('accepts torchvision\'s RandomAffine and ElasticTransform, either off, and the defaults', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ randomAffine: null, elastic: null })).toEqual([]);
    expect(problems({ randomAffine: { degrees: 15, translate: [0.1, 0.2], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } })).toEqual([]);
    expect(problems({ randomAffine: { degrees: 0, translate: null, scale: null }, elastic: {} })).toEqual([]);
  });

  it('names each invalid value: NaN, negative, out of range, the wrong shape, min above max', () => {
    expect(problems({ randomAffine: { degrees: Number.NaN } })).toEqual([
      'data.augment.randomAffine.degrees: data.augment RandomAffine: degrees must be a number ≥ 0 and ≤ 180, got NaN',
    ]);
    expect(problems({ randomAffine: { degrees: -5 } })[0]).toContain('degrees must be a number ≥ 0 and ≤ 180, got -5');
    expect(problems({ randomAffine: { translate: [0.1, 1.5] } })[0]).toContain('translate must be a pair of numbers ≥ 0 and ≤ 1');
    expect(problems({ randomAffine: { translate: 0.1 } })[0]).toContain('translate must be a pair of numbers ≥ 0 and ≤ 1');
    expect(problems({ randomAffine: { scale: [0, 1] } })[0]).toContain('scale must be a pair of numbers > 0 and ≤ 4');
    expect(problems({ randomAffine: { scale: [1.2, 0.8] } })).toEqual([
      'data.augment.randomAffine.scale: data.augment RandomAffine: scale is (min, max), so min must not exceed max, got [1.2,0.8]',
    ]);
    expect(problems({ elastic: { alpha: -1 } })[0]).toContain('alpha must be a number ≥ 0 and ≤ 1000, got -1');
    expect(problems({ elastic: { sigma: 0 } })[0]).toContain('sigma must be a number > 0 and ≤ 6, got 0');
    expect(problems({ elastic: { sigma: 7 } })[0]).toContain('sigma must be a number > 0 and ≤ 6, got 7');
    expect(problems({ randomAffine: { shear: 10 } })[0]).toContain("unknown param 'shear' (known: degrees, translate, scale)");
    expect(problems({ cutout: {} })[0]).toContain("data.augment: unknown param 'cutout' (known: randomAffine, elastic)");
    expect(problems(true)[0]).toBe('data.augment: data: augment must be an object {randomAffine, elastic}, got true');
  });

  it('sigma\'s ceiling keeps torchvision\'s reflect padding inside a 28-pixel image', () => {
    const max = AUGMENT_CATALOGUE.elastic.params[1].max;
    expect((elasticKernelSize(max) - 1) / 2).toBeLessThan(28);
    expect([elasticKernelSize(5), elasticKernelSize(4), elasticKernelSize(0.5)]).toEqual([41, 33, 5]);
  });
});

describe('resolveAugment', () => {
  const data = (augment?: AugmentSpec) => ({ augment });
  it('is null when nothing would change an image', () => {
    expect(resolveAugment(data())).toBeNull();
    expect(resolveAugment(data({ randomAffine: null, elastic: null }))).toBeNull();
    expect(resolveAugment(data({ randomAffine: { degrees: 0 } }))).toBeNull();
  });
  it('fills in the defaults: no translate or scale, ElasticTransform(alpha=50.0, sigma=5.0)', () => {
    expect(resolveAugment(data({ randomAffine: { degrees: 10 } }))).toEqual({ affine: { degrees: 10, translate: null, scale: null }, elastic: null });
    expect(resolveAugment(data({ elastic: {} }))).toEqual({ affine: null, elastic: { alpha: 50, sigma: 5 } });
  });
});
