/**
 * PyTorch parity of the nn layers, from fixtures/layers.json: each layer is built with torch's arguments, loads
 * torch's state dict (so the weights are identical), and is run in train mode and in eval mode, each from that
 * same state: output, input gradient, every parameter's gradient (under torch's names), and in train mode the
 * buffers afterwards (BatchNorm's running stats and num_batches_tracked). Dropout's train mode is checked by
 * property in dropout.test.ts (torch's mask cannot be reproduced).
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor';
import { build, canBuild, type LayerSpec } from './build';
import { expectClose, F32, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface ModeResult {
  out: TensorJSON;
  grad_out: TensorJSON;
  grads: Record<string, TensorJSON>;
  state_after?: Record<string, TensorJSON>;
  /** MaxPool2d with returnIndices: torch's int64 indices, compared exactly. */
  indices?: TensorJSON;
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

function run(c: LayerCase, mode: 'train' | 'eval', want: ModeResult): void {
  const layer = build(c);
  expect(Object.keys(layer.stateDict()), "state dict keys (torch's names, in torch's order)").toEqual(Object.keys(c.state));
  layer.loadStateDict(c.state);
  if (mode === 'train') layer.train();
  else layer.eval();
  const x = toTensor(c.input, { requiresGrad: true });
  const result = layer.forward(x) as Tensor | [Tensor, Tensor];
  const out = Array.isArray(result) ? result[0] : result;
  expectClose(out, want.out, `${c.name} ${mode} forward`, F32);
  expect(Array.isArray(result), 'returns [output, indices] exactly when torch does').toBe(want.indices !== undefined);
  if (want.indices) {
    const indices = (result as [Tensor, Tensor])[1];
    expect(indices.dtype, 'indices dtype').toBe('int32');
    expect([...indices.shape], 'indices shape').toEqual(want.indices.shape);
    expect(Array.from(indices.data), `${c.name} ${mode} indices`).toEqual(want.indices.data);
  }
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
    describe.skipIf(!canBuild(c.layer))(c.name, () => {
      if (c.train) it('train', () => run(c, 'train', c.train!));
      if (c.eval) it('eval', () => run(c, 'eval', c.eval!));
      it('prints as torch does', () => expect(build(c).toString()).toBe(c.repr));
    });
  }
});
