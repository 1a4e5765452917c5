/**
 * PyTorch parity of the activations added to the catalogue in #18 (fixtures/activations.json, written by
 * gen_activation_fixtures.py). Each case is a catalogue row's params, so the module comes from the engine's
 * registry exactly as a spec builds it: its repr, forward, and the gradients of the input and of each parameter,
 * on random inputs, on the kinks (torch's side of each jump) and at extreme |x|. The parity suite imports this file
 * again with each other backend active. A float64 central-difference gradcheck covers every case's module too.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_OPS, opParams, type OpName, type Params } from '../../common/model-spec/index';
import { LAYER_FACTORIES, type LayerOp } from '../model-spec/registry';
import { tensor, type Tensor } from '../tensor';
import { prelu } from '../nn/activation';
import { gradcheck, randn64, t64 } from './gradcheck';
import { loadFixture, toTensor, valuesOf, type TensorJSON } from './fixtures';

interface ActivationCase {
  name: string;
  op: LayerOp;
  params: Params;
  repr: string;
  state: Record<string, TensorJSON>;
  input: TensorJSON;
  out: TensorJSON;
  grad_out: TensorJSON;
  grads: Record<string, TensorJSON>;
}

/** Activations whose parity lives elsewhere (engine/test/layers.test.ts, ops.test.ts), from before this file. */
const TESTED_ELSEWHERE: OpName[] = [
  'ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'GELU', 'ELU', 'SiLU', 'Softplus', 'Softmax', 'LogSoftmax', 'Identity',
];

const fixture = loadFixture<ActivationCase>('activations.json');
const make = (c: ActivationCase) => LAYER_FACTORIES[c.op](opParams({ op: c.op, params: c.params }));

/**
 * Element by element, |got − want| ≤ 1e-5·|want| + 1e-7: unlike expectClose's atol, not scaled by the largest
 * value, so the small outputs of an '/extreme' case (logsigmoid(100) ≈ −4e-44) are held as tightly as the big ones.
 */
function expectEach(got: Tensor | null, want: TensorJSON, label: string): void {
  expect(got, label).not.toBeNull();
  expect([...got!.shape], `${label} shape`).toEqual(want.shape);
  const wants = valuesOf(want);
  const bad = wants.flatMap((w, i) => {
    const g = got!.data[i];
    return Math.abs(g - w) <= 1e-5 * Math.abs(w) + 1e-7 ? [] : [`[${i}] got ${g}, want ${w}`];
  });
  expect(bad, label).toEqual([]);
}

/** Smooth points for the gradcheck, each at least 0.05 from every kink the fixtures use. */
const SMOOTH = [-4.3, -2.2, -1.6, -0.8, -0.35, 0.3, 0.7, 1.45, 2.4, 3.6, 6.4, 7.3];

describe(`activations match PyTorch ${fixture.torch}`, () => {
  it('covers every activation row that is not tested elsewhere', () => {
    const covered = new Set(fixture.cases.map((c) => c.op));
    expect(ACTIVATION_OPS.filter((op) => !TESTED_ELSEWHERE.includes(op) && !covered.has(op))).toEqual([]);
  });

  for (const c of fixture.cases) {
    describe(c.name, () => {
      it('prints as torch does', () => expect(make(c).toString()).toBe(c.repr));

      it('forward and backward', () => {
        const module = make(c);
        expect(module.loadStateDict(c.state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
        const x = toTensor(c.input, { requiresGrad: true });
        const out = module.forward(x) as Tensor;
        expectEach(out, c.out, 'forward');
        out.backward(toTensor(c.grad_out));
        expectEach(x.grad, c.grads.input, 'grad of input');
        const params = Object.fromEntries(module.namedParameters());
        const { input: _input, ...paramGrads } = c.grads;
        expect(Object.keys(params).sort(), 'parameter names').toEqual(Object.keys(paramGrads).sort());
        for (const [name, g] of Object.entries(paramGrads)) expectEach(params[name].grad, g, `grad of ${name}`);
      });

      if (c.name.endsWith('/random')) {
        it('passes a float64 gradcheck', () => {
          const module = make(c);
          module.loadStateDict(c.state);
          const size = c.input.shape.reduce((a, b) => a * b, 1);
          const values = Array.from({ length: size }, (_, i) => SMOOTH[(i * 5) % SMOOTH.length] * (1 + i / (10 * size)));
          const x = tensor(Float64Array.from(values), c.input.shape, { dtype: 'float64', requiresGrad: true });
          expect(gradcheck((input) => module.forward(input) as Tensor, [x])).toBe(true);
        });
      }
    });
  }
});

describe('prelu: the learned slopes', () => {
  it('passes a float64 gradcheck in the input and the slopes, shared or one per channel', () => {
    expect(gradcheck(prelu, [randn64([2, 3, 2, 2], 4), t64([0.1, -0.3, 0.7])])).toBe(true);
    expect(gradcheck(prelu, [randn64([5, 4], 5), t64([0.25])])).toBe(true);
  });

  it('refuses slopes that match no channel count, naming both', () => {
    expect(() => prelu(randn64([2, 4, 3]), t64([0.1, 0.2, 0.3]))).toThrow('PReLU: 3 parameters (num_parameters) but the input [2,4,3] has 4 channels (dim 1)');
  });
});
