/**
 * The PyTorch twin augments as the app does (#15.2). Its augmentation code (twin-augment.ts, plain torch ops) ran
 * under PyTorch on fixed cases (scripts/twin-augment-fixture.ts wrote the fixture; the cases are
 * scripts/twin-augment-cases.ts); here the app's sampling (common/augment.ts, engine/data/augment.ts) must give
 * the same images within 1e-5: the identity, fixed affine matrices, the same with an elastic field, and a whole
 * batch drawn for (seed, step), whose angles, shifts and scales the twin draws from the app's own stream. Where
 * /usr/bin/python3 has torch, the same cases also run live against the twin code of now.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { augmentImages, augmentSeed, blurMatrix, drawAugment, gridSampleInto } from '../augment';
import { mulberry32 } from '../split';
import { getPreset } from './presets';
import { toPyTorch } from './pytorch';
import {
  AFFINE_ONLY, AUGMENT_SEED, AUGMENT_STEP, BLACK, codeDigest, displacement, ELASTIC, images, N, noise, runTwin, SIDE, thetas, torchMissing,
  type TwinAnswers,
} from '../../scripts/twin-augment-cases';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/twin-augment.json'), 'utf8')) as TwinAnswers & { codeSha256: string };

function worst(app: ArrayLike<number>, twin: readonly number[]): number {
  expect(app.length).toBe(twin.length);
  let max = 0;
  for (let i = 0; i < twin.length; i++) max = Math.max(max, Math.abs(app[i] - twin[i]));
  return max;
}

function sampled(flatThetas: number[], withElastic: boolean): Float32Array {
  const out = new Float32Array(N * SIDE * SIDE);
  gridSampleInto(images(), out, N, SIDE, SIDE, { thetas: Float64Array.from(flatThetas), displacement: withElastic ? displacement() : null }, Math.fround(BLACK));
  return out;
}

/** The app's answer to every case, beside the twin's. */
function compare(twin: TwinAnswers): void {
  const { identity, fixed } = thetas();
  expect(worst(sampled(identity, false), twin.identity)).toBeLessThan(1e-5);
  expect(worst(sampled(fixed, false), twin.fixed)).toBeLessThan(1e-5);
  expect(worst(sampled(fixed, true), twin.fixedElastic)).toBeLessThan(1e-5);
  // A whole batch as engine/data/augment's augmentBatch draws it for (seed, step) (engine/data/augment.test.ts).
  const batch = new Float32Array(N * SIDE * SIDE);
  augmentImages(images(), batch, N, SIDE, SIDE, AFFINE_ONLY, mulberry32(augmentSeed(AUGMENT_SEED, AUGMENT_STEP)), Math.fround(BLACK));
  expect(worst(batch, twin.augment)).toBeLessThan(1e-5);
  // The blur behind the elastic field: torchvision's kernel and reflect padding, B·N·Bᵀ, in float64 on both sides.
  const b = blurMatrix(ELASTIC.sigma, SIDE);
  const n = noise();
  const blurred = new Float64Array(2 * SIDE * SIDE);
  for (let f = 0; f < 2; f++) {
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let acc = 0;
        for (let i = 0; i < SIDE; i++) for (let j = 0; j < SIDE; j++) acc += b[y * SIDE + i] * n[f * 784 + i * SIDE + j] * b[x * SIDE + j];
        blurred[f * 784 + y * SIDE + x] = acc;
      }
    }
  }
  expect(worst(blurred, twin.blur)).toBeLessThan(1e-9);
}

describe('the twin\'s augmentation, against what it computed under PyTorch', () => {
  it('was computed by the code the twin has now (else run scripts/twin-augment-fixture.ts)', () => {
    expect(codeDigest()).toBe(fixture.codeSha256);
  });

  it('the same transforms give the same images within 1e-5: identity, fixed matrices, elastic, a drawn batch', () => {
    compare(fixture);
  });

  it('the transforms are not trivial: the fixed ones and the drawn batch move the images', () => {
    const original = Array.from(images());
    expect(worst(Float32Array.from(fixture.fixed), original)).toBeGreaterThan(1);
    expect(worst(Float32Array.from(fixture.augment), original)).toBeGreaterThan(1);
    expect(worst(Float32Array.from(fixture.fixedElastic), fixture.fixed)).toBeGreaterThan(0.1);
  });

  it("the app's elastic fields spread as the twin's (torchvision's way): the same std within 5%", () => {
    const draw = drawAugment(mulberry32(3), { affine: null, elastic: ELASTIC }, 500, SIDE, SIDE).displacement!;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < draw.length; i += 2) {
      sum += draw[i];
      squares += draw[i] * draw[i];
    }
    const count = draw.length / 2;
    const std = Math.sqrt(squares / count - (sum / count) ** 2);
    expect(std / fixture.elasticStd).toBeGreaterThan(0.95);
    expect(std / fixture.elasticStd).toBeLessThan(1.05);
  });

  const python = '/usr/bin/python3';
  const missing = torchMissing(python);
  if (missing) console.log(`twin augmentation under live PyTorch skipped: ${missing}`);
  it.skipIf(missing !== '')(`under live PyTorch too${missing ? ` (skipped: ${missing})` : ''}`, () => {
    compare(runTwin(python));
  }, 120_000);
});

describe('the twin\'s text', () => {
  const spec = structuredClone(getPreset('LeNet-5')!);
  it('has no augmentation when the settings have none', () => {
    const text = toPyTorch(spec);
    expect(text).not.toContain('def augment(');
    expect(text).not.toContain('import math');
  });

  it('augments the training batches only, with the settings and the run\'s step', () => {
    spec.data.augment = { randomAffine: { degrees: 12.5, scale: [0.9, 1.1] }, elastic: { sigma: 3 } };
    const text = toPyTorch(spec, { seed: 4 });
    expect(text).toContain('import math\n');
    expect(text).toContain('DEGREES = 12.5  # RandomAffine(degrees=...)\nTRANSLATE = None\nSCALE = (0.9, 1.1)\nELASTIC = (50.0, 3.0)  # ElasticTransform(alpha, sigma)\nBLACK = (0 - 0.1307) / 0.3081');
    // One call, inside the training loop, before the batch is used; evaluate() and the test set never call it.
    expect(text.match(/= augment\(/g)).toHaveLength(1);
    expect(text).toMatch(/for batch, \(xb, yb\) in enumerate\(train_dl, 1\):\n {12}xb = augment\(xb, args\.seed, epoch \* len\(train_dl\) \+ batch - 1\)/);
    expect(text).toContain('F.grid_sample(x - BLACK, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + BLACK');
    expect(text).not.toMatch(/import torchvision|from torchvision/);
  });
});
