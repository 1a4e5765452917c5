/**
 * A fingerprint of what buildModel, makeLoss, makeOptimizer and makeScheduler make from a spec: parameter names and
 * shapes, a forward pass, every loss, one step of every optimizer and six epochs of every scheduler. The registry
 * refactor (#18) was checked against a snapshot of it taken before (fixtures/build-snapshot.json, written by
 * `npx tsx scripts/build-snapshot-fixture.ts`, which adds a new spec's and keeps the others), so the same specs still
 * build the same models.
 */
import {
  LOSSES, lossTakesImages, measuresAccuracy, OPTIMIZERS, PRESETS, type LossName, type ModelSpec, type OptimizerName, type Params, type SchedulerName,
} from '../../common/model-spec/index';
import type { Module } from '../nn/index';
import { manualSeed, Random } from '../random';
import { rand, randn, tensor, type Tensor } from '../tensor';
import { buildModel, makeLoss, makeOptimizer, makeScheduler, makeTargetsOf, prepareInput } from './build';

const base = (name: string, shape: number[], layers: Array<[ModelSpec['nodes'][number]['op'], Params]>): ModelSpec => {
  const nodes: ModelSpec['nodes'] = [{ id: 'input', op: 'Input', params: { shape } }];
  layers.forEach(([op, params], i) => nodes.push({ id: `n${i}`, op, params }));
  return {
    version: 1, name, nodes, edges: nodes.slice(1).map((n, i) => ({ from: nodes[i].id, to: n.id })),
    loss: { type: 'CrossEntropyLoss', params: {} }, optimizer: { type: 'SGD', params: {} },
    data: { dataset: 'mnist', batchSize: 4, shuffle: false, validationSize: 0, normalize: 'scale' },
  };
};

/**
 * Every preset, and every layer the catalogue had before the refactor in two chains. The classifiers' snapshots are
 * from before the refactor; the Autoencoder's (an image target) was taken when it came, to hold it from then on.
 */
export const SNAPSHOT_SPECS: Record<string, ModelSpec> = {
  ...PRESETS,
  'every-image-layer': base('every-image-layer', [1, 28, 28], [
    ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: [3, 5], stride: 2, padding: 1, dilation: 1 }],
    ['BatchNorm2d', { numFeatures: 4 }], ['LeakyReLU', { negativeSlope: 0.1 }], ['MaxPool2d', { kernelSize: 2, stride: 1 }],
    ['AvgPool2d', { kernelSize: 2 }], ['AdaptiveAvgPool2d', { outputSize: 3 }], ['Flatten', {}], ['BatchNorm1d', { numFeatures: 36 }],
    ['GELU', { approximate: 'tanh' }], ['ELU', { alpha: 0.5 }], ['SiLU', {}], ['Softplus', { beta: 2 }], ['Tanh', {}], ['Sigmoid', {}],
    ['Identity', {}], ['Dropout', { p: 0.3 }], ['ReLU', {}], ['Linear', { inFeatures: 36, outFeatures: 10 }], ['Softmax', { dim: 1 }],
  ]),
  'every-recurrent-layer': base('every-recurrent-layer', [28, 28], [
    ['RNN', { inputSize: 28, hiddenSize: 8, nonlinearity: 'relu', batchFirst: true, output: 'sequence' }],
    ['GRU', { inputSize: 8, hiddenSize: 8, batchFirst: true, output: 'sequence' }],
    ['LSTM', { inputSize: 8, hiddenSize: 6, numLayers: 2, batchFirst: true, output: 'last', bias: false }],
    ['Linear', { inFeatures: 6, outFeatures: 10 }], ['LogSoftmax', { dim: 1 }],
  ]),
};

const round = (x: number) => Number(x.toPrecision(7));
const sum = (t: Tensor) => { let s = 0; for (let i = 0; i < t.size; i++) s += t.data[i]; return round(s); };

function optimizerParams(type: OptimizerName): Params {
  return type === 'SGD' ? { lr: 0.1, momentum: 0.9, nesterov: true } : type === 'RMSprop' ? { momentum: 0.5 } : {};
}
// The schedulers the registry refactor had; one added since is held to torch's own numbers by its fixtures instead.
const SCHEDULER_PARAMS: Partial<Record<SchedulerName, Params>> = {
  StepLR: { stepSize: 2, gamma: 0.5 }, MultiStepLR: { milestones: [2, 5, 5], gamma: 0.5 }, ExponentialLR: { gamma: 0.9 },
  CosineAnnealingLR: { tMax: 4, etaMin: 0.01 },
};

export interface BuildSnapshot {
  params: Record<string, number[]>;
  output: number[];
  losses: Record<string, number>;
  steps: Record<string, number>;
  schedules: Record<string, number[]>;
}

export function snapshot(spec: ModelSpec): BuildSnapshot {
  manualSeed(0);
  const model: Module = buildModel(spec);
  const params = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape, sum(t)]]));
  // An image target's input is pixels in [0, 1] (normalize 'scale'), so that it is a fair target for BCELoss too.
  const image = !measuresAccuracy(spec);
  const x = prepareInput(spec, (image ? rand : randn)([3, 1, 28, 28], new Random(7)));
  const labels = tensor(new Int32Array([1, 4, 9]), [3], { dtype: 'int32' });
  // What the loss compares with: the labels, or for an image target the input image (the Trainer's targetsOf).
  const targets = makeTargetsOf(spec)?.(x, labels) ?? labels;
  model.eval();
  const out = model.forward(x) as Tensor;
  const losses: Record<string, number> = {};
  for (const type of LOSSES as readonly LossName[]) {
    if (image && !lossTakesImages(type)) continue; // class-index losses have no image to compare
    // BCELoss needs probabilities; the others take the output as it is.
    const lossSpec = { ...spec, loss: { type, params: (type === 'SmoothL1Loss' ? { beta: 0.5 } : {}) as Params } };
    const input = type === 'BCELoss' ? tensor(Float32Array.from(out.data, (v) => 1 / (1 + Math.exp(-v))), out.shape) : out;
    losses[type] = round(makeLoss(lossSpec)(input, targets).data[0]);
  }
  const steps: Record<string, number> = {};
  const schedules: Record<string, number[]> = {};
  for (const type of OPTIMIZERS as readonly OptimizerName[]) {
    manualSeed(0);
    const m = buildModel(spec);
    const optSpec = { ...spec, optimizer: { type, params: optimizerParams(type) } };
    const optimizer = makeOptimizer(optSpec, m.parameters());
    for (let i = 0; i < 2; i++) {
      optimizer.zeroGrad();
      makeLoss(spec)(m.forward(x) as Tensor, targets).backward();
      optimizer.step();
    }
    steps[type] = round([...m.parameters()].reduce((a, p) => a + sum(p), 0));
  }
  for (const [type, params] of Object.entries(SCHEDULER_PARAMS) as [SchedulerName, Params][]) {
    const optimizer = makeOptimizer(spec, [tensor(new Float32Array(1), [1])]);
    const scheduler = makeScheduler({ ...spec, scheduler: { type, params } }, optimizer)!;
    const lrs = [optimizer.paramGroups[0].lr];
    for (let epoch = 0; epoch < 6; epoch++) { scheduler.step(); lrs.push(round(optimizer.paramGroups[0].lr)); }
    schedules[type] = lrs;
  }
  return { params, output: Array.from(out.data, round), losses, steps, schedules };
}
