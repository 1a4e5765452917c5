/** Small forward/backward cases against PyTorch 1.13 (fixtures/gen_nn_fixtures.py writes the JSON). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../tensor';
import { expectCloseToFlat, type FlatTensor } from '../test/fixtures';
import { add, mul, sum } from '../ops/index';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, GRU, LSTM, Linear, Module, RNN,
  LayerNorm, GroupNorm, Conv1d, Unflatten, Dropout2d,
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss, smoothL1Loss,
} from './index';

type Flat = FlatTensor;
interface ModuleCase {
  name: string; train: boolean; state: Record<string, Flat>; input: Flat; extraInputs: Flat[]; outputs: Flat[];
  inputGrad: Flat; paramGrads: Record<string, Flat>; stateAfter: Record<string, Flat>;
}
interface LossCase {
  name: string; fn: string; options: Record<string, unknown>; input: Flat; target: Flat & { int: boolean };
  output: Flat; inputGrad: Flat;
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/torch-nn.json', import.meta.url), 'utf8')) as {
  modules: ModuleCase[]; losses: LossCase[];
};

const toTensor = (f: Flat, requiresGrad = false) => new Tensor(Float32Array.from(f.data), f.shape, requiresGrad);

/** Σ_k Σ out_k · sin(0.37·i + 0.1 + k), the same scalar the generator differentiates. */
function weightedSum(outputs: Tensor[]): Tensor {
  let total: Tensor | null = null;
  outputs.forEach((o, k) => {
    const c = new Tensor(Float32Array.from({ length: o.size }, (_, i) => Math.sin(0.37 * i + 0.1 + k)), o.shape);
    const term = sum(mul(o, c));
    total = total ? add(total, term) : term;
  });
  return total!;
}

const expectClose = (actual: Tensor | null, expected: Flat, what: string, tol = 1e-4) => expectCloseToFlat(actual, expected, what, tol);

const makers: Record<string, () => Module> = {
  linear: () => new Linear(5, 3),
  linear_nobias_3d: () => new Linear(5, 3, { bias: false }),
  conv_pad1: () => new Conv2d(2, 3, 3, { padding: 1 }),
  conv_stride2_groups2: () => new Conv2d(2, 4, 3, { stride: 2, groups: 2, bias: false }),
  bn1d_train: () => new BatchNorm1d(3),
  bn2d_train: () => new BatchNorm2d(2),
  bn2d_eval: () => new BatchNorm2d(2),
  rnn_tanh_2layers: () => new RNN(3, 4, { numLayers: 2 }),
  rnn_relu_batch_first: () => new RNN(3, 4, { nonlinearity: 'relu', batchFirst: true }),
  lstm_2layers_batch_first_h0: () => new LSTM(3, 4, { numLayers: 2, batchFirst: true }),
  lstm_nobias: () => new LSTM(3, 4, { bias: false }),
  gru: () => new GRU(3, 4),
  gru_unbatched_h0: () => new GRU(3, 4, { numLayers: 2 }),
  layernorm: () => new LayerNorm(5),
  layernorm_2d_noaffine: () => new LayerNorm([3, 4], { eps: 1e-3, elementwiseAffine: false }),
  groupnorm: () => new GroupNorm(2, 4),
  groupnorm_1d_noaffine: () => new GroupNorm(3, 6, { eps: 1e-3, affine: false }),
  conv1d_pad1: () => new Conv1d(3, 4, 3, { padding: 1 }),
  conv1d_stride2_dilation2_groups2: () => new Conv1d(4, 6, 3, { stride: 2, dilation: 2, groups: 2, bias: false }),
  conv1d_reflect: () => new Conv1d(2, 3, 4, { padding: 2, paddingMode: 'reflect' }),
  conv1d_circular_same: () => new Conv1d(2, 2, 4, { padding: 'same', paddingMode: 'circular' }),
  unflatten: () => new Unflatten(1, [2, 3]),
  unflatten_last_inferred: () => new Unflatten(-1, [2, -1]),
  dropout2d_eval: () => new Dropout2d(0.5),
  dropout2d_p0_train: () => new Dropout2d(0),
};

function flattenOutputs(out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  return (out as unknown[]).flatMap(flattenOutputs);
}

describe('modules match torch 1.13 (forward, input and parameter gradients, buffers)', () => {
  for (const c of fixtures.modules) {
    it(c.name, () => {
      const m = makers[c.name]();
      const result = m.loadStateDict(c.state);
      expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
      m.train(c.train);
      const x = toTensor(c.input, true);
      const extras = c.extraInputs.map((e) => toTensor(e));
      const out = m instanceof LSTM && extras.length ? m.forward(x, [extras[0], extras[1]]) : m.forward(x, ...extras);
      const outs = flattenOutputs(out);
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, k) => expectClose(o, c.outputs[k], `output ${k}`));
      weightedSum(outs).backward();
      expectClose(x.grad, c.inputGrad, 'input grad');
      for (const [name, p] of m.namedParameters()) expectClose(p.grad, c.paramGrads[name], `grad of ${name}`);
      for (const [name, t] of Object.entries(m.stateDict())) expectClose(t, c.stateAfter[name], `state ${name} after`);
    });
  }
});

const lossFns: Record<string, (x: Tensor, t: Tensor, o: Record<string, unknown>) => Tensor> = {
  cross_entropy: crossEntropy,
  nll_loss: nllLoss,
  mse_loss: mseLoss,
  l1_loss: l1Loss,
  smooth_l1_loss: smoothL1Loss,
  huber_loss: huberLoss,
  binary_cross_entropy: binaryCrossEntropy,
  binary_cross_entropy_with_logits: binaryCrossEntropyWithLogits,
};

const camel = (k: string) => k.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase());

describe('losses match torch 1.13 (value and input gradient)', () => {
  for (const c of fixtures.losses) {
    it(c.name, () => {
      const x = toTensor(c.input, true);
      const target = c.target.int ? new Tensor(Int32Array.from(c.target.data), c.target.shape) : toTensor(c.target);
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.options)) {
        options[camel(k)] = typeof v === 'object' && v !== null && 'shape' in v ? toTensor(v as Flat) : v;
      }
      const out = lossFns[c.fn](x, target, options);
      expectClose(out, c.output, 'loss');
      weightedSum([out]).backward();
      expectClose(x.grad, c.inputGrad, 'input grad');
    });
  }
});
