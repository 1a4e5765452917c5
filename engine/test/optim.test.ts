/**
 * PyTorch parity of the optimizers (engine/optim), from fixtures/optim.json: two parameters, ten steps with
 * torch's fixed gradients, and the parameters after every step, with torch's defaults and with other options.
 */
import { describe, it } from 'vitest';
import * as optim from '../optim/index';
import type { Tensor } from '../tensor';
import { expectClose, F32, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface OptimCase {
  name: string;
  optimizer: string;
  kwargs: Record<string, unknown>;
  params: Record<string, TensorJSON>;
  grads: Array<Record<string, TensorJSON>>;
  after: Array<Record<string, TensorJSON>>;
}

interface Stepper {
  step(): unknown;
}

const factories: Record<string, (params: Tensor[], kw: any) => Stepper> = {
  SGD: (params, kw) => new optim.SGD(params, kw),
  Adam: (params, kw) => new optim.Adam(params, kw),
  AdamW: (params, kw) => new optim.AdamW(params, kw),
  RMSprop: (params, kw) => new optim.RMSprop(params, kw),
  Adagrad: (params, kw) => new optim.Adagrad(params, kw),
  Adadelta: (params, kw) => new optim.Adadelta(params, kw),
};

const fixture = loadFixture<OptimCase>('optim.json');

describe(`optimizers match PyTorch ${fixture.torch} over ${fixture.cases[0].grads.length} steps`, () => {
  for (const c of fixture.cases) {
    it.skipIf(!(c.optimizer in factories))(c.name, () => {
      const names = Object.keys(c.params);
      const params = names.map((k) => toTensor(c.params[k], { requiresGrad: true }));
      const opt = factories[c.optimizer](params, c.kwargs);
      c.grads.forEach((grads, step) => {
        names.forEach((k, i) => (params[i].grad = toTensor(grads[k])));
        opt.step();
        // Each step rounds to float32 on both sides; ten of them stay well inside 1e-5 relative.
        names.forEach((k, i) => expectClose(params[i], c.after[step][k], `${c.name} step ${step + 1} ${k}`, F32));
      });
    });
  }
});
