/**
 * PyTorch parity of the losses (engine/nn/loss), from fixtures/losses.json: every loss with reduction 'mean',
 * 'sum' and 'none', with its options (class weights, ignoreIndex, label smoothing, probability targets,
 * posWeight, beta), value and input gradient, through the module form.
 */
import { describe, it } from 'vitest';
import * as nn from '../nn/index';
import type { Tensor } from '../tensor';
import { expectClose, F32, isTensorJSON, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface LossCase {
  name: string;
  loss: string;
  kwargs: Record<string, any>;
  input: TensorJSON;
  target: TensorJSON;
  out: TensorJSON;
  grad_out?: TensorJSON;
  grads?: { input: TensorJSON };
}

interface LossModule {
  forward(input: Tensor, target: Tensor): Tensor;
}

/** Tensor-valued options (weight, posWeight) are plain lists in the fixture. */
function options(kw: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(kw)) {
    out[k] = Array.isArray(v) ? toTensor({ shape: [v.length], data: v }) : isTensorJSON(v) ? toTensor(v) : v;
  }
  return out;
}

const factories: Record<string, (kw: any) => LossModule> = {
  MSELoss: (kw) => new nn.MSELoss(kw),
  L1Loss: (kw) => new nn.L1Loss(kw),
  SmoothL1Loss: (kw) => new nn.SmoothL1Loss(kw),
  HuberLoss: (kw) => new nn.HuberLoss(kw),
  BCELoss: (kw) => new nn.BCELoss(kw),
  BCEWithLogitsLoss: (kw) => new nn.BCEWithLogitsLoss(kw),
  CrossEntropyLoss: (kw) => new nn.CrossEntropyLoss(kw),
  NLLLoss: (kw) => new nn.NLLLoss(kw),
  KLDivLoss: (kw) => new nn.KLDivLoss(kw),
  MultiMarginLoss: (kw) => new nn.MultiMarginLoss(kw),
};

const fixture = loadFixture<LossCase>('losses.json');

describe(`losses match PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    it.skipIf(!(c.loss in factories))(c.name, () => {
      const loss = factories[c.loss](options(c.kwargs));
      const x = toTensor(c.input, { requiresGrad: true });
      const out = loss.forward(x, toTensor(c.target));
      expectClose(out, c.out, `${c.name} value`, F32);
      if (!c.grads) return; // a case may record the value only
      out.backward(toTensor(c.grad_out!));
      expectClose(x.grad, c.grads.input, `${c.name} grad of input`, F32);
    });
  }
});
