/**
 * `npx tsx scripts/bench-augment.ts [--batch 64] [--runs 60]`: what training-time augmentation (#15.2) costs per
 * batch, beside one LeNet-5 training step on the wasm backend (single thread) at the same batch size. Images are
 * MNIST's first training images where ../shared/data/mnist exists, else random ones (the cost does not depend on
 * the pixels). Prints the median and the 95th percentile in ms. A log, not a test: a busy machine only makes the
 * numbers larger.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mulberry32 } from '../common/split';
import { resolveAugment } from '../common/model-spec/augment';
import { getPreset } from '../common/model-spec/presets';
import type { AugmentSpec } from '../common/model-spec/types';
import { setBackend } from '../engine/backend/backend';
import { trainingStep } from '../engine/backend/choose';
import { augmentBatch } from '../engine/data/augment';
import { pixelsToFloat32 } from '../engine/data/transforms';
import { registerNodeBackends } from '../engine/node/backends';
import { buildModel, makeLoss, makeOptimizer, prepareInput } from '../engine/model-spec/build';
import { Tensor } from '../engine/tensor';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const BATCH = option('--batch', 64);
const RUNS = option('--runs', 60);

function images(): { pixels: Uint8Array; source: string } {
  const file = resolve(import.meta.dirname, '../../shared/data/mnist/train-images-idx3-ubyte.gz');
  if (existsSync(file)) return { pixels: gunzipSync(readFileSync(file)).subarray(16, 16 + BATCH * 784), source: `MNIST (${join('..', 'shared/data/mnist')})` };
  const random = mulberry32(1);
  return { pixels: Uint8Array.from({ length: BATCH * 784 }, () => Math.floor(random() * 256)), source: 'random pixels' };
}

function time(fn: (i: number) => void): { median: number; p95: number } {
  for (let i = 0; i < 5; i++) fn(i); // warm the JIT
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], p95: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))] };
}

const { pixels, source } = images();
const x = new Tensor(pixelsToFloat32(pixels, 'mnist'), [BATCH, 1, 28, 28]);
const cases: [string, AugmentSpec][] = [
  ['RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1))', { randomAffine: { degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] } }],
  ['ElasticTransform(alpha=34.0, sigma=4.0)', { elastic: { alpha: 34, sigma: 4 } }],
  ['ElasticTransform(alpha=50.0, sigma=5.0) (torchvision\'s defaults)', { elastic: {} }],
  ['both (affine + elastic σ=4, one sampling)', { randomAffine: { degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } }],
];
console.log(`augmentation of a batch of ${BATCH} 28×28 images (${source}), ${RUNS} runs each, ms per batch:`);
for (const [name, augment] of cases) {
  const resolved = resolveAugment({ augment })!;
  const t = time((i) => augmentBatch(x, resolved, { seed: 0, step: i, normalize: 'mnist' }));
  console.log(`  ${name.padEnd(66)} median ${t.median.toFixed(2)}  p95 ${t.p95.toFixed(2)}`);
}

const backends = await registerNodeBackends({ threads: false });
setBackend(backends.names.includes('wasm') ? 'wasm' : 'cpu');
const spec = getPreset('LeNet-5')!;
const model = buildModel(spec);
model.train();
const step = trainingStep(model, makeLoss(spec), makeOptimizer(spec, model.parameters()), prepareInput(spec, x),
  new Tensor(Int32Array.from({ length: BATCH }, (_, i) => i % 10), [BATCH]));
const t = time(() => step());
console.log(`one LeNet-5 training step on ${backends.names.includes('wasm') ? 'wasm (1 thread)' : 'cpu'}, same batch: median ${t.median.toFixed(2)}  p95 ${t.p95.toFixed(2)}`);
backends.dispose();
