/**
 * PyTorch parity of RNN, LSTM and GRU (engine/nn/rnn), from fixtures/rnn.json: torch's weights loaded by name,
 * 1 and 2 layers, time-major and batchFirst, unbatched, with and without h0 (and c0), relu and no-bias variants.
 * Checks the output, the final h (and c), and the gradients of sum(out·g) + sum(hN·gh) (+ sum(cN·gc)) with
 * respect to the input, h0/c0 and every weight: backpropagation through time end to end.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../nn/index';
import type { Tensor } from '../tensor';
import { build as buildLayer } from './build';
import { expectClose, F32, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface RnnCase {
  name: string;
  repr: string;
  layer: 'RNN' | 'LSTM' | 'GRU';
  args: [number, number];
  kwargs: Record<string, any>;
  state: Record<string, TensorJSON>;
  input: TensorJSON;
  h0?: TensorJSON;
  c0?: TensorJSON;
  out: TensorJSON;
  h_n: TensorJSON;
  c_n?: TensorJSON;
  grad_out: TensorJSON;
  grad_h_n: TensorJSON;
  grad_c_n?: TensorJSON;
  grads: Record<string, TensorJSON>;
}

function build(c: RnnCase, extra: Record<string, unknown> = {}): nn.RNN | nn.LSTM | nn.GRU {
  return buildLayer({ ...c, kwargs: { ...c.kwargs, ...extra } }) as nn.RNN | nn.LSTM | nn.GRU;
}

const fixture = loadFixture<RnnCase>('rnn.json');

describe(`recurrent layers match PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const layer = build(c);
      expect(Object.keys(layer.stateDict()), "state dict keys (torch's names, in torch's order)").toEqual(Object.keys(c.state));
      layer.loadStateDict(c.state);
      const x = toTensor(c.input, { requiresGrad: true });
      const h0 = c.h0 ? toTensor(c.h0, { requiresGrad: true }) : undefined;
      const c0 = c.c0 ? toTensor(c.c0, { requiresGrad: true }) : undefined;
      let out: Tensor;
      let hN: Tensor;
      let cN: Tensor | undefined;
      if (layer instanceof nn.LSTM) {
        [out, [hN, cN]] = layer.forward(x, h0 && c0 ? [h0, c0] : undefined) as [Tensor, [Tensor, Tensor]];
      } else {
        [out, hN] = layer.forward(x, h0) as [Tensor, Tensor];
      }
      expectClose(out, c.out, `${c.name} output`, F32);
      expectClose(hN, c.h_n, `${c.name} h_n`, F32);
      if (c.c_n) expectClose(cN, c.c_n, `${c.name} c_n`, F32);

      let objective = out.mul(toTensor(c.grad_out)).sum().add(hN.mul(toTensor(c.grad_h_n)).sum());
      if (cN && c.grad_c_n) objective = objective.add(cN.mul(toTensor(c.grad_c_n)).sum());
      objective.backward();

      expectClose(x.grad, c.grads.input, `${c.name} grad of input`, F32);
      if (c.grads.h0) expectClose(h0!.grad, c.grads.h0, `${c.name} grad of h0`, F32);
      if (c.grads.c0) expectClose(c0!.grad, c.grads.c0, `${c.name} grad of c0`, F32);
      const params = Object.fromEntries(layer.namedParameters());
      for (const [name, g] of Object.entries(c.grads)) {
        if (name === 'input' || name === 'h0' || name === 'c0') continue;
        expectClose(params[name].grad, g, `${c.name} grad of ${name}`, F32);
      }
    });
  }

  for (const c of fixture.cases) {
    it(`${c.name} prints as torch does`, () => expect(build(c).toString()).toBe(c.repr));
  }

  // The engine's returnLastStep (so a recurrent layer can sit in a Sequential) must give torch's h_n[-1].
  for (const c of fixture.cases.filter((k) => !k.h0)) {
    it(`${c.name} with returnLastStep = h_n[-1]`, () => {
      const layer = build(c, { returnLastStep: true });
      layer.loadStateDict(c.state);
      const last = layer.forward(toTensor(c.input)) as Tensor;
      const top = c.h_n.shape.slice(1); // (N, H), or (H) unbatched
      const size = top.reduce((a, b) => a * b, 1);
      expectClose(last, { shape: top, data: c.h_n.data.slice(-size) }, `${c.name} last step`, F32);
    });
  }
});
