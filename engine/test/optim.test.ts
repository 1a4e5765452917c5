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
  groups?: Array<{ params: string[] } & Record<string, unknown>>;
}

interface Stepper {
  step(): unknown;
  stateDict(): optim.OptimizerStateDict;
  loadStateDict(state: optim.OptimizerStateDict): void;
}

const factories: Record<string, (params: any, kw: any) => Stepper> = {
  SGD: (params, kw) => new optim.SGD(params, kw),
  Adam: (params, kw) => new optim.Adam(params, kw),
  AdamW: (params, kw) => new optim.AdamW(params, kw),
  RMSprop: (params, kw) => new optim.RMSprop(params, kw),
  Adagrad: (params, kw) => new optim.Adagrad(params, kw),
  Adadelta: (params, kw) => new optim.Adadelta(params, kw),
  NAdam: (params, kw) => new optim.NAdam(params, kw),
  RAdam: (params, kw) => new optim.RAdam(params, kw),
  Adamax: (params, kw) => new optim.Adamax(params, kw),
};

const fixture = loadFixture<OptimCase>('optim.json');

/** A state dict that went through JSON (as a checkpoint file does): per-parameter arrays back to Float32Array. */
function revive(saved: optim.OptimizerStateDict): optim.OptimizerStateDict {
  const state: optim.OptimizerStateDict['state'] = {};
  for (const [index, s] of Object.entries(saved.state)) {
    state[Number(index)] = Object.fromEntries(
      Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? Float32Array.from(v as number[]) : v]),
    ) as optim.ParamState;
  }
  return { state, paramGroups: saved.paramGroups };
}

describe(`optimizers match PyTorch ${fixture.torch} over ${fixture.cases[0].grads.length} steps`, () => {
  for (const c of fixture.cases) {
    it.skipIf(!(c.optimizer in factories))(c.name, () => {
      const { names, params, opt } = setup(c);
      c.grads.forEach((grads, step) => {
        names.forEach((k, i) => (params[i].grad = toTensor(grads[k])));
        opt.step();
        // Each step rounds to float32 on both sides; ten of them stay well inside 1e-5 relative.
        names.forEach((k, i) => expectClose(params[i], c.after[step][k], `${c.name} step ${step + 1} ${k}`, F32));
      });
    });
  }
});

/** The parameters as fixture tensors and the optimizer over them (from groups when the case has them). */
function setup(c: OptimCase, initial: Record<string, TensorJSON> = c.params) {
  const names = Object.keys(c.params);
  const params = names.map((k) => toTensor(initial[k], { requiresGrad: true }));
  const byName = Object.fromEntries(names.map((k, i) => [k, params[i]]));
  const groups = c.groups?.map((g) => ({ ...g, params: g.params.map((k) => byName[k]) }));
  return { names, params, opt: factories[c.optimizer](groups ?? params, c.kwargs) };
}

describe('optimizers resume from stateDict() on torch\'s trajectory', () => {
  for (const c of fixture.cases) {
    // Checkpoint after 5 steps, restore into a fresh optimizer over fresh parameters, run the other 5.
    it.skipIf(!(c.optimizer in factories))(c.name, () => {
      const half = 5;
      const first = setup(c);
      for (let step = 0; step < half; step++) {
        first.names.forEach((k, i) => (first.params[i].grad = toTensor(c.grads[step][k])));
        first.opt.step();
      }
      const saved = JSON.parse(JSON.stringify(first.opt.stateDict(), (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
      const second = setup(c, c.after[half - 1]);
      second.opt.loadStateDict(revive(saved));
      for (let step = half; step < c.grads.length; step++) {
        second.names.forEach((k, i) => (second.params[i].grad = toTensor(c.grads[step][k])));
        second.opt.step();
        second.names.forEach((k, i) => expectClose(second.params[i], c.after[step][k], `${c.name} resumed step ${step + 1} ${k}`, F32));
      }
    });
  }
});
