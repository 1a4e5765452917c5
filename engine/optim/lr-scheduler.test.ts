import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor';
import { CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, SGD, StepLR, type LRScheduler } from './index';

// torch 1.13: SGD([p], lr=0.1), then 12 × (optimizer.step(); scheduler.step(...)), recording group lr.
const torchLrs = {"step": [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625], "exp": [0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002, 0.043046721000000024, 0.03874204890000002, 0.03486784401000002, 0.03138105960900001, 0.028242953648100012], "cos": [0.1, 0.09140576474687263, 0.06890576474687263, 0.04109423525312736, 0.018594235253127367, 0.01, 0.018594235253127367, 0.04109423525312739, 0.06890576474687267, 0.09140576474687269, 0.10000000000000006, 0.09140576474687272, 0.06890576474687268], "plateau_min": [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025], "plateau_max_abs": [0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.00010000000000000003, 0.00010000000000000003]};

const m1 = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85];
const m2 = [0.1, 0.2, 0.2, 0.2, 0.25, 0.25, 0.25, 0.25, 0.3, 0.3, 0.3, 0.3];

function sgd(): SGD {
  const p = { data: new Float32Array(1), size: 1, shape: [1], grad: null } as unknown as Tensor;
  return new SGD([p], { lr: 0.1 });
}

function run(make: (o: SGD) => LRScheduler | ReduceLROnPlateau, metrics?: number[]): number[] {
  const opt = sgd();
  const s = make(opt);
  const lrs = [opt.paramGroups[0].lr];
  for (let i = 0; i < 12; i++) {
    opt.step();
    if (s instanceof ReduceLROnPlateau) s.step(metrics![i]);
    else s.step();
    lrs.push(opt.paramGroups[0].lr);
  }
  return lrs;
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
}

describe('schedulers match torch 1.13 step by step', () => {
  it('StepLR', () => expectClose(run((o) => new StepLR(o, 3, { gamma: 0.5 })), torchLrs.step));
  it('ExponentialLR', () => expectClose(run((o) => new ExponentialLR(o, 0.9)), torchLrs.exp));
  it('CosineAnnealingLR (recursive form, past tMax too)', () =>
    expectClose(run((o) => new CosineAnnealingLR(o, 5, { etaMin: 0.01 })), torchLrs.cos));
  it('ReduceLROnPlateau min/rel with cooldown and minLr', () =>
    expectClose(
      run((o) => new ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1, minLr: 0.02 }), m1),
      torchLrs.plateau_min,
    ));
  it('ReduceLROnPlateau max/abs', () =>
    expectClose(
      run((o) => new ReduceLROnPlateau(o, { mode: 'max', patience: 1, threshold: 0.01, thresholdMode: 'abs' }), m2),
      torchLrs.plateau_max_abs,
    ));
});

describe('scheduler details', () => {
  it('closed forms agree with the recursive forms', () => {
    const opt = sgd();
    const cos = new CosineAnnealingLR(opt, 7, { etaMin: 0.001 });
    for (let i = 0; i < 7; i++) {
      expect(cos.getLastLr()[0]).toBeCloseTo(cos.closedFormLr()[0], 12);
      cos.step();
    }
    const step = new StepLR(sgd(), 2);
    for (let i = 0; i < 6; i++) {
      expect(step.getLastLr()[0]).toBeCloseTo(step.closedFormLr()[0], 12);
      step.step();
    }
  });

  it('restores its position from stateDict', () => {
    const a = new StepLR(sgd(), 2, { gamma: 0.5 });
    for (let i = 0; i < 3; i++) a.step();
    const opt = sgd();
    opt.paramGroups[0].lr = a.getLastLr()[0];
    const b = new StepLR(opt, 2, { gamma: 0.5 });
    b.loadStateDict(a.stateDict());
    a.step();
    b.step();
    expect(b.getLastLr()).toEqual(a.getLastLr());
    expect(b.lastEpoch).toBe(4);
  });

  it('validates its options', () => {
    expect(() => new ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow('ReduceLROnPlateau: invalid factor 1, expected factor < 1');
    expect(() => new StepLR(sgd(), 0)).toThrow('StepLR: invalid stepSize 0');
  });
});
