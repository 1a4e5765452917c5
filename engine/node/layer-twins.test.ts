/**
 * Every layer #18 added, in a small model, end to end: the spec validates and its shapes infer, the engine builds it,
 * and its exported PyTorch twin is valid PyTorch that loads the engine's initial weights by their state-dict names
 * (strict load_state_dict) and computes the engine's test loss with them. The PyTorch half needs a Python with torch
 * (CI has none: it skips and says why in the test's name).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chainSpec, inferShapes, toPyTorch, validateSpec, type ModelSpec, type OpName, type Params } from '../../common/model-spec/index';
import { DataLoader } from '../data/dataloader';
import { saveSafetensors } from '../io/index';
import { manualSeed } from '../random';
import { buildModel, evaluate, specImageDataset, makeLoss } from '../model-spec/index';
import { readMnist } from './mnist-files';
import { PYTHON, whyNoTorch, writeIdxFolder } from './test-support/twin-python';

const why = whyNoTorch();
const skipped = why ? ` (skipped: ${why})` : '';
if (why) console.log(`layer-twins.test.ts: the PyTorch half skipped, ${why}`);
const dir = mkdtempSync(join(tmpdir(), 'layerlab-layer-twins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = (name: string, inputShape: number[], layers: [OpName, Params?][]): ModelSpec =>
  chainSpec({ name, description: `a model with ${name}`, inputShape, layers, optimizer: { type: 'SGD', params: { lr: 0.1 } } });

/** Each new layer in a model, and the shape inference gives the node named. */
const CASES: { model: ModelSpec; node: string; shape: (string | number)[] }[] = [
  {
    model: spec('LayerNorm', [1, 28, 28], [
      ['LayerNorm', { normalizedShape: [28, 28] }], ['Flatten'], ['Linear', { inFeatures: 784, outFeatures: 32 }],
      ['LayerNorm', { normalizedShape: [32], eps: 1e-3 }], ['ReLU'], ['Linear', { inFeatures: 32, outFeatures: 10 }],
    ]),
    node: 'ln2', shape: ['N', 32],
  },
  {
    model: spec('GroupNorm', [1, 28, 28], [
      ['Conv2d', { inChannels: 1, outChannels: 6, kernelSize: 5, stride: 2 }], ['GroupNorm', { numGroups: 3, numChannels: 6 }], ['ReLU'],
      ['Flatten'], ['Linear', { inFeatures: 864, outFeatures: 10 }],
    ]),
    node: 'gn1', shape: ['N', 6, 12, 12],
  },
  {
    // MNIST rows as a sequence: 28 channels (the rows) along 28 steps.
    model: spec('Conv1d', [28, 28], [
      ['Conv1d', { inChannels: 28, outChannels: 8, kernelSize: 5, stride: 2, padding: 2, paddingMode: 'reflect' }], ['ReLU'],
      ['Conv1d', { inChannels: 8, outChannels: 4, kernelSize: 3, dilation: 2, groups: 2 }], ['Flatten'],
      ['Linear', { inFeatures: 40, outFeatures: 10 }],
    ]),
    node: 'conv2', shape: ['N', 4, 10],
  },
  {
    // Flat pixels back into images for a Conv2d.
    model: spec('Unflatten', [784], [
      ['Unflatten', { dim: 1, unflattenedSize: [1, 28, 28] }], ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 7, stride: 3 }],
      ['Flatten'], ['Linear', { inFeatures: 256, outFeatures: 10 }],
    ]),
    node: 'unflatten1', shape: ['N', 1, 28, 28],
  },
  {
    // Identity in eval, so the twin's evaluation and the engine's agree exactly.
    model: spec('Dropout2d', [1, 28, 28], [
      ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 5, stride: 3 }], ['Dropout2d', { p: 0.3 }], ['ReLU'],
      ['Flatten'], ['Linear', { inFeatures: 256, outFeatures: 10 }],
    ]),
    node: 'dropout2d1', shape: ['N', 4, 8, 8],
  },
  {
    // Padding words and modes (#18 follow-up): an even kernel's 'same' pads one more after than before, reflect and
    // circular copy the input into the padding, and a Conv1d reads the image's rows of pixels as one sequence.
    model: spec('Conv2d', [1, 28, 28], [
      ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 4, padding: 'same', paddingMode: 'reflect' }], ['ReLU'],
      ['Conv2d', { inChannels: 4, outChannels: 4, kernelSize: 3, stride: 3, padding: [1, 2], paddingMode: 'circular' }],
      ['Conv2d', { inChannels: 4, outChannels: 2, kernelSize: [3, 2], padding: 'valid', paddingMode: 'replicate' }],
      ['Flatten', { startDim: 2 }],
      ['Conv1d', { inChannels: 2, outChannels: 2, kernelSize: 4, dilation: 2, padding: 'same', paddingMode: 'circular' }],
      ['Conv1d', { inChannels: 2, outChannels: 2, kernelSize: 3, padding: 'same', paddingMode: 'replicate' }],
      ['Flatten'], ['Linear', { inFeatures: 144, outFeatures: 10 }],
    ]),
    node: 'conv3', shape: ['N', 2, 8, 9],
  },
];

describe('each new layer in a model: spec, engine and PyTorch twin agree', () => {
  const data = writeIdxFolder(join(dir, 'data'), { train: 64, test: 64 }, 5);

  for (const { model, node, shape } of CASES) {
    it(`${model.name}: validates, infers ${node} as [${shape}], builds and exports`, () => {
      expect(validateSpec(model)).toEqual([]);
      const inferred = inferShapes(model);
      expect(inferred.error).toBeNull();
      expect(inferred.nodes[node].shape).toEqual(shape);
      expect(toPyTorch(model)).toContain(`nn.${model.name}(`);
    });

    it.skipIf(why !== '')(`${model.name}: the twin loads the engine's weights and computes its test loss${skipped}`, () => {
      manualSeed(18);
      const engineModel = buildModel(model);
      // Away from the initial 1s and 0s, so that a norm layer's scale and shift count in the loss both sides compute.
      for (const p of engineModel.parameters()) p.data.forEach((v, i, all) => { all[i] = v + 0.2 * Math.sin(3 * i + 1); });
      const init = join(dir, `${model.name}.safetensors`), script = join(dir, `${model.name}.py`);
      writeFileSync(init, saveSafetensors(engineModel.stateDict(), { metadata: { format: 'pt' } }));
      writeFileSync(script, toPyTorch(model));
      const args = [script, '--data', data, '--init', init, '--epochs', '0', '--val-size', '0', '--log-batches'];
      const run = spawnSync(PYTHON, args, { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
      expect(run.status, `${PYTHON} ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
      const twin = JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('{"testLoss"'))!) as { testLoss: number; testAcc: number };

      const mnist = readMnist(data);
      const test = new DataLoader(specImageDataset(model, mnist.testImages!, mnist.testLabels!), { batchSize: 64 });
      const ours = evaluate(engineModel, makeLoss(model), test);
      console.log(`${model.name}: test loss engine ${ours.loss.toFixed(7)}, PyTorch ${twin.testLoss.toFixed(7)}`);
      expect(Math.abs(ours.loss - twin.testLoss)).toBeLessThanOrEqual(1e-5 * (1 + twin.testLoss));
      expect(ours.accuracy).toBe(twin.testAcc);
    }, 180_000);
  }
});
