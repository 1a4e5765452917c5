/**
 * PyTorch parity of the nn layers, from fixtures/layers.json: each layer is built with torch's arguments, loads
 * torch's state dict (so the weights are identical), and is run in train mode and in eval mode, each from that
 * same state: output, input gradient, every parameter's gradient (under torch's names), and in train mode the
 * buffers afterwards (BatchNorm's running stats and num_batches_tracked). Dropout's train mode is checked by
 * property in dropout.test.ts (torch's mask cannot be reproduced).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../nn/index';
import type { Tensor } from '../tensor';
import { expectClose, F32, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface ModeResult {
  out: TensorJSON;
  grad_out: TensorJSON;
  grads: Record<string, TensorJSON>;
  state_after?: Record<string, TensorJSON>;
}

interface LayerSpec {
  layer: string;
  args: any[];
  kwargs: Record<string, any>;
}

interface LayerCase extends LayerSpec {
  name: string;
  repr: string;
  children?: LayerSpec[];
  state: Record<string, TensorJSON>;
  input: TensorJSON;
  train?: ModeResult;
  eval?: ModeResult;
}

/** torch's constructor arguments (kwargs camelCased) → the engine's constructor. */
const factories: Record<string, (args: any[], kw: Record<string, any>, spec: LayerSpec) => nn.Module> = {
  Linear: ([i, o], kw) => new nn.Linear(i, o, kw),
  Conv2d: ([i, o, k], kw) => new nn.Conv2d(i, o, k, kw),
  MaxPool2d: ([k], kw) => new nn.MaxPool2d(k, kw),
  AvgPool2d: ([k], kw) => new nn.AvgPool2d(k, kw),
  AdaptiveAvgPool2d: ([size]) => new nn.AdaptiveAvgPool2d(size),
  BatchNorm1d: ([n], kw) => new nn.BatchNorm1d(n, kw),
  BatchNorm2d: ([n], kw) => new nn.BatchNorm2d(n, kw),
  Flatten: (_, kw) => new nn.Flatten(kw.startDim, kw.endDim),
  ReLU: () => new nn.ReLU(),
  LeakyReLU: ([slope], kw) => new nn.LeakyReLU(slope ?? kw.negativeSlope),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  GELU: (_, kw) => new nn.GELU(kw.approximate),
  ELU: (_, kw) => new nn.ELU(kw.alpha),
  SiLU: () => new nn.SiLU(),
  Softplus: (_, kw) => new nn.Softplus(kw.beta, kw.threshold),
  Softmax: (_, kw) => new nn.Softmax(kw.dim),
  LogSoftmax: (_, kw) => new nn.LogSoftmax(kw.dim),
  Identity: () => new nn.Identity(),
  Dropout: ([p]) => new nn.Dropout(p),
  Sequential: (_, __, spec) => new nn.Sequential(...(spec as LayerCase).children!.map(build)),
};

function build(spec: LayerSpec): nn.Module {
  return factories[spec.layer](spec.args, spec.kwargs, spec);
}

function run(c: LayerCase, mode: 'train' | 'eval', want: ModeResult): void {
  const layer = build(c);
  expect(Object.keys(layer.stateDict()).sort(), 'state dict keys (torch names)').toEqual(Object.keys(c.state).sort());
  layer.loadStateDict(c.state);
  if (mode === 'train') layer.train();
  else layer.eval();
  const x = toTensor(c.input, { requiresGrad: true });
  const out = layer.forward(x) as Tensor;
  expectClose(out, want.out, `${c.name} ${mode} forward`, F32);
  out.backward(toTensor(want.grad_out));
  expectClose(x.grad, want.grads.input, `${c.name} ${mode} grad of input`, F32);
  const params = Object.fromEntries(layer.namedParameters());
  const { input: _input, ...paramGrads } = want.grads;
  expect(Object.keys(params).sort(), 'parameter names').toEqual(Object.keys(paramGrads).sort());
  for (const [name, g] of Object.entries(paramGrads)) expectClose(params[name].grad, g, `${c.name} ${mode} grad of ${name}`, F32);
  if (want.state_after) {
    const state = layer.stateDict();
    for (const [name, v] of Object.entries(want.state_after)) expectClose(state[name], v, `${c.name} ${mode} ${name} after`, F32);
  }
}

const fixture = loadFixture<LayerCase>('layers.json');

describe(`nn layers match PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    describe.skipIf(!(c.layer in factories))(c.name, () => {
      if (c.train) it('train', () => run(c, 'train', c.train!));
      if (c.eval) it('eval', () => run(c, 'eval', c.eval!));
      it('prints as torch does', () => expect(build(c).toString()).toBe(c.repr));
    });
  }
});
