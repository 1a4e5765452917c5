import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../tensor';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, SGD } from './index';

/** Optimizers only touch .data, .grad.data and .size, so these tests run without the tensor library. */
function fakeParam(values: number[]): Tensor {
  const data = Float32Array.from(values);
  return { data, size: data.length, shape: [data.length], grad: null } as unknown as Tensor;
}

/** loss = Σ p² + c·p + 0.1·p³, so ∇ = 2p + c + 0.3p². */
function setGrad(p: Tensor): void {
  const c = [0.3, -0.2, 1.0, 0.7];
  const d = p.data;
  p.grad = { data: Float32Array.from(d, (x, i) => 2 * x + c[i] + 0.3 * x * x) } as unknown as Tensor;
}

const classes = { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta } as const;

// Five steps from p = [0.5, -1.5, 2, 0], computed with torch 1.13 (torch.optim.<name>([p], **kwargs)).
const torchCases: Array<[keyof typeof classes, Record<string, unknown>, number[]]> = [
  ['SGD', {"lr": 0.1}, [0.0555794, -0.525879, 0.209416, -0.2376957]],
  ['SGD', {"lr": 0.1, "momentum": 0.9}, [-0.5508934, 0.8062091, -2.3326423, -0.5675383]],
  ['SGD', {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01}, [-0.5218045, 0.7277441, -2.2182462, -0.5475318]],
  ['SGD', {"lr": 0.1, "momentum": 0.9, "nesterov": true}, [-0.4368609, 0.676919, -1.8139455, -0.5220141]],
  ['SGD', {"lr": 0.1, "maximize": true}, [1.6188722, -2.9962301, 8.7724123, 0.5288505]],
  ['Adam', {}, [0.4950007, -1.4950001, 1.9950002, -0.0049987]],
  ['Adam', {"lr": 0.01, "betas": [0.8, 0.9], "weightDecay": 0.1, "amsgrad": true}, [0.4500886, -1.4500222, 1.9500253, -0.0498295]],
  ['AdamW', {"lr": 0.01}, [0.4498406, -1.44928, 1.9490336, -0.0498428]],
  ['AdamW', {"lr": 0.01, "amsgrad": true, "weightDecay": 0.1}, [0.4476894, -1.4426374, 1.9401479, -0.0497531]],
  ['RMSprop', {}, [0.2116389, -1.1847446, 1.6855727, -0.2566759]],
  ['RMSprop', {"lr": 0.01, "momentum": 0.9, "centered": true, "weightDecay": 0.1}, [-0.2907937, -0.5820884, 1.0813001, -0.6144826]],
  ['Adagrad', {}, [0.4680032, -1.4677665, 1.9677809, -0.0317638]],
  ['Adagrad', {"lr": 0.1, "lrDecay": 0.01, "weightDecay": 0.1, "initialAccumulatorValue": 0.5}, [0.2337337, -1.1966765, 1.6925457, -0.2073024]],
  ['Adadelta', {}, [0.4836746, -1.4835951, 1.9836001, -0.0162486]],
  ['Adadelta', {"lr": 0.5, "rho": 0.8, "weightDecay": 0.1}, [0.4939558, -1.4939457, 1.9939463, -0.0060335]],
];

describe('optimizers match torch 1.13 over five steps', () => {
  for (const [name, options, expected] of torchCases) {
    it(`${name} ${JSON.stringify(options)}`, () => {
      const p = fakeParam([0.5, -1.5, 2.0, 0.0]);
      const Cls = classes[name] as unknown as new (ps: Tensor[], o: Record<string, unknown>) => SGD;
      const opt = new Cls([p], options);
      for (let step = 0; step < 5; step++) {
        opt.zeroGrad();
        setGrad(p);
        opt.step();
      }
      Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    });
  }
});

describe('RMSprop centered with gradients so small their squares underflow in float32', () => {
  it('steps as torch 1.13 does, not to NaN', () => {
    // torch.optim.RMSprop([p], lr=1e-2, centered=True), p = [1, 2, -3], grads [1e-22, 0.5, -1e-30] then
    // [3e-23, 0.25, 2e-24]: torch gives [1.0, 1.8541874885559082, -3.0].
    const p = fakeParam([1, 2, -3]);
    const opt = new RMSprop([p], { lr: 1e-2, centered: true });
    for (const g of [[1e-22, 0.5, -1e-30], [3e-23, 0.25, 2e-24]]) {
      p.grad = { data: Float32Array.from(g) } as unknown as Tensor;
      opt.step();
    }
    expect(Array.from(p.data)).toEqual([1, Math.fround(1.8541874885559082), -3]);
  });
});

describe('optimizer validation', () => {
  const p = () => [fakeParam([1])];
  it.each([
    [() => new SGD(p(), { lr: -0.1 }), 'SGD: invalid learning rate -0.1, expected lr >= 0'],
    [() => new SGD(p(), { lr: NaN }), 'SGD: invalid learning rate NaN, expected lr >= 0'],
    [() => new SGD(p(), { lr: 0.1, momentum: -1 }), 'SGD: invalid momentum -1, expected momentum >= 0'],
    [() => new SGD(p(), { lr: 0.1, weightDecay: -1 }), 'SGD: invalid weightDecay -1'],
    [() => new SGD(p(), { lr: 0.1, nesterov: true }), 'SGD: nesterov requires momentum > 0 and dampening 0'],
    [() => new Adam(p(), { betas: [1.2, 0.999] }), 'Adam: invalid beta1 1.2, expected 0 <= beta1 < 1'],
    [() => new Adam(p(), { betas: [0.9, 1] }), 'Adam: invalid beta2 1, expected 0 <= beta2 < 1'],
    [() => new AdamW(p(), { eps: -1e-8 }), 'AdamW: invalid eps -1e-8, expected eps >= 0'],
    [() => new RMSprop(p(), { alpha: -0.5 }), 'RMSprop: invalid alpha -0.5'],
    [() => new Adagrad(p(), { lrDecay: -1 }), 'Adagrad: invalid lrDecay -1'],
    [() => new Adadelta(p(), { rho: 1.5 }), 'Adadelta: invalid rho 1.5, expected 0 <= rho <= 1'],
    [() => new Adam([]), 'Adam: got an empty parameter list'],
  ])('case %#: rejects bad hyper-parameters by name', (make, message) => {
    expect(make).toThrow(message);
  });

  // torch flags the engine lacks are errors, never silently ignored (a typo'd option too)
  it.each([
    [() => new Adam(p(), { fused: true } as never), "Adam: unknown option 'fused' (known: lr, betas, eps, weightDecay, amsgrad, maximize)"],
    [() => new AdamW(p(), { foreach: true } as never), "AdamW: unknown option 'foreach'"],
    [() => new SGD(p(), { lr: 0.1, differentiable: true } as never), "SGD: unknown option 'differentiable'"],
    [() => new RMSprop(p(), { capturable: true } as never), "RMSprop: unknown option 'capturable'"],
    [() => new Adagrad(p(), { momentum: 0.9 } as never), "Adagrad: unknown option 'momentum'"],
    [() => new Adadelta(p(), { maximise: true } as never), "Adadelta: unknown option 'maximise'"],
    [() => new Adam([{ params: p(), fused: true }] as never), "Adam parameter group: unknown option 'fused'"],
  ])('case %#: refuses an option it does not know, by name', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('maximize (torch: the gradient is negated first)', () => {
  it.each([
    ['Adam', (ps: Tensor[], maximize: boolean) => new Adam(ps, { lr: 0.01, weightDecay: 0.1, maximize })],
    ['AdamW', (ps: Tensor[], maximize: boolean) => new AdamW(ps, { lr: 0.01, maximize })],
    ['RMSprop', (ps: Tensor[], maximize: boolean) => new RMSprop(ps, { momentum: 0.5, maximize })],
    ['Adagrad', (ps: Tensor[], maximize: boolean) => new Adagrad(ps, { weightDecay: 0.1, maximize })],
    ['Adadelta', (ps: Tensor[], maximize: boolean) => new Adadelta(ps, { maximize })],
    ['SGD', (ps: Tensor[], maximize: boolean) => new SGD(ps, { lr: 0.1, momentum: 0.9, maximize })],
    ['Adamax', (ps: Tensor[], maximize: boolean) => new Adamax(ps, { lr: 0.01, weightDecay: 0.1, maximize })],
  ])('%s: maximizing f steps as minimizing f with the gradient negated, and leaves p.grad alone', (_, make) => {
    const a = fakeParam([0.1, -0.2, 0.3]), b = fakeParam([0.1, -0.2, 0.3]);
    const maxOpt = make([a], true), minOpt = make([b], false);
    for (let step = 0; step < 3; step++) {
      const g = [0.5 - step, 1.5, -2 + step];
      a.grad = tensor(g);
      b.grad = tensor(g.map((v) => -v));
      maxOpt.step();
      minOpt.step();
      expect(Array.from(a.grad.data)).toEqual(Array.from(Float32Array.from(g)));
    }
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});

describe('Optimizer base', () => {
  it('supports parameter groups with their own options, falling back to defaults', () => {
    const a = fakeParam([1]), b = fakeParam([1]);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    setGrad(a); setGrad(b);
    opt.step();
    expect(a.data[0]).toBeCloseTo(1 - 0.1 * 2.6, 6);
    expect(b.data[0]).toBeCloseTo(1 - 0.5 * 2.6, 6);
    expect(opt.paramGroups[1].momentum).toBe(0);
  });

  it('skips parameters without a gradient and zeroes or drops gradients', () => {
    const a = fakeParam([1]), b = fakeParam([2]);
    const opt = new Adam([a, b]);
    setGrad(a);
    opt.step();
    expect(b.data[0]).toBe(2);
    expect(opt.state.has(b)).toBe(false);
    opt.zeroGrad();
    expect(a.grad!.data[0]).toBe(0);
    opt.zeroGrad(true);
    expect(a.grad).toBeNull();
  });

  it('round-trips its state through stateDict so a resumed run continues identically', () => {
    const run = (resumeAt: number | null) => {
      let p = fakeParam([0.5, -1.5, 2.0, 0.0]);
      let opt = new Adam([p], { lr: 0.05, amsgrad: true });
      for (let step = 0; step < 6; step++) {
        if (step === resumeAt) {
          const saved = opt.stateDict();
          const q = fakeParam(Array.from(p.data));
          opt = new Adam([q], { lr: 999 });
          opt.loadStateDict(saved);
          p = q;
        }
        setGrad(p);
        opt.step();
      }
      return Array.from(p.data);
    };
    expect(run(3)).toEqual(run(null));
  });

  it('rejects a state dict for a different set of parameters', () => {
    const opt = new SGD([fakeParam([1, 2])], { lr: 0.1, momentum: 0.9 });
    const other = new SGD([fakeParam([1]), fakeParam([2])], { lr: 0.1 });
    expect(() => opt.loadStateDict(other.stateDict())).toThrow('group 0 has 2 parameters saved, 1 here');
  });
});

describe('NAdam, RAdam and Adamax (issue #18): bad hyper-parameters and torch options they lack are errors', () => {
  const p = () => [fakeParam([1])];
  it.each([
    [() => new NAdam(p(), { lr: -1 }), 'NAdam: invalid learning rate -1, expected lr >= 0'],
    [() => new NAdam(p(), { betas: [0.9, 1] }), 'NAdam: invalid beta2 1, expected 0 <= beta2 < 1'],
    [() => new NAdam(p(), { momentumDecay: -0.1 }), 'NAdam: invalid momentumDecay -0.1, expected momentumDecay >= 0'],
    // torch 1.13's NAdam has no maximize; decoupled_weight_decay came in torch 2.1; foreach/capturable aren't ours
    [() => new NAdam(p(), { maximize: true } as never), "NAdam: unknown option 'maximize' (known: lr, betas, eps, weightDecay, momentumDecay)"],
    [() => new NAdam(p(), { decoupledWeightDecay: true } as never), "NAdam: unknown option 'decoupledWeightDecay'"],
    [() => new NAdam(p(), { foreach: true } as never), "NAdam: unknown option 'foreach'"],
    [() => new NAdam([{ params: p(), capturable: true }] as never), "NAdam parameter group: unknown option 'capturable'"],
    [() => new RAdam(p(), { eps: -1 }), 'RAdam: invalid eps -1, expected eps >= 0'],
    [() => new RAdam(p(), { maximize: true } as never), "RAdam: unknown option 'maximize' (known: lr, betas, eps, weightDecay)"],
    [() => new RAdam(p(), { decoupledWeightDecay: true } as never), "RAdam: unknown option 'decoupledWeightDecay'"],
    [() => new RAdam(p(), { differentiable: true } as never), "RAdam: unknown option 'differentiable'"],
    [() => new Adamax(p(), { betas: [-0.1, 0.999] }), 'Adamax: invalid beta1 -0.1, expected 0 <= beta1 < 1'],
    [() => new Adamax(p(), { foreach: true } as never), "Adamax: unknown option 'foreach' (known: lr, betas, eps, weightDecay, maximize)"],
    [() => new Adamax(p(), { capturable: true } as never), "Adamax: unknown option 'capturable'"],
  ])('case %#: says what is wrong, by name', (make, message) => {
    expect(make).toThrow(message);
  });
});
