import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor';
import {
  Adam, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, ExponentialLR, LinearLR, MultiStepLR, OneCycleLR, PolynomialLR, ReduceLROnPlateau, SGD, StepLR,
  type LRScheduler,
} from './index';

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

// torch 1.13: SGD(lr=0.1, momentum=0.9) (or Adam(lr=0.1) for the last case), 12 steps, lr and momentum/beta1 each step.
const torchMore = {"multistep": {"lrs": [0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625, 0.00625, 0.00625], "mom": [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]}, "constant": {"lrs": [0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], "mom": [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]}, "linear": {"lrs": [0.025, 0.03333333333333333, 0.041666666666666664, 0.049999999999999996, 0.058333333333333334, 0.06666666666666667, 0.075, 0.075, 0.075, 0.075, 0.075, 0.075, 0.075], "mom": [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]}, "onecycle": {"lrs": [0.0040000000000000036, 0.0349789654219583, 0.08792851591221287, 0.09944154354509119, 0.09330129698414118, 0.0811745653949763, 0.06473789976951033, 0.046263710266697504, 0.028306099820869922, 0.01334775301888306, 0.0034566987425395223, 4e-07, 0.0034566987425395167], "mom": [0.95, 0.9177302443521267, 0.8625744625914449, 0.8505584586887436, 0.856698729810778, 0.8688255099070633, 0.8852622412794547, 0.9037365046793212, 0.9216941869558779, 0.9366525935914912, 0.9465436874322102, 0.95, 0.9465436874322102]}, "onecycle_adam_3phase": {"lrs": [0.008, 0.08184615384615387, 0.15569230769230774, 0.17046153846153844, 0.09661538461538459, 0.022769230769230736, 0.006896662068965517, 0.005517489655172413, 0.00413831724137931, 0.002759144827586207, 0.001379972413793104, 8.000000000004531e-07, -0.0013783724137931015], "mom": [0.95, 0.9115384615384615, 0.8730769230769231, 0.8653846153846154, 0.9038461538461539, 0.9423076923076923, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95]}};

describe('more schedulers match torch 1.13, momentum cycling included', () => {
  function runWith(make: (o: SGD | Adam) => LRScheduler, adam = false) {
    const p = { data: new Float32Array(1), size: 1, shape: [1], grad: null } as unknown as Tensor;
    const opt = adam ? new Adam([p], { lr: 0.1 }) : new SGD([p], { lr: 0.1, momentum: 0.9 });
    const s = make(opt);
    const g = () => opt.paramGroups[0] as { lr: number; momentum?: number; betas?: [number, number] };
    const lrs = [g().lr], mom = [g().momentum ?? g().betas![0]];
    for (let i = 0; i < 12; i++) {
      opt.step();
      s.step();
      lrs.push(g().lr);
      mom.push(g().momentum ?? g().betas![0]);
    }
    return { lrs, mom };
  }
  const check = (got: { lrs: number[]; mom: number[] }, want: { lrs: number[]; mom: number[] }) => {
    expectClose(got.lrs, want.lrs);
    expectClose(got.mom, want.mom);
  };
  it('MultiStepLR (repeated milestone)', () => check(runWith((o) => new MultiStepLR(o, [2, 5, 5, 9], { gamma: 0.5 })), torchMore.multistep));
  it('ConstantLR', () => check(runWith((o) => new ConstantLR(o, { factor: 0.5, totalIters: 4 })), torchMore.constant));
  it('LinearLR', () => check(runWith((o) => new LinearLR(o, { startFactor: 0.25, endFactor: 0.75, totalIters: 6 })), torchMore.linear));
  it('OneCycleLR with SGD momentum', () => check(runWith((o) => new OneCycleLR(o, 0.1, { totalSteps: 12 })), torchMore.onecycle));
  it('OneCycleLR three-phase linear with Adam betas', () =>
    check(
      runWith((o) => new OneCycleLR(o, 0.2, { totalSteps: 12, threePhase: true, annealStrategy: 'linear' }), true),
      torchMore.onecycle_adam_3phase,
    ));
  it('OneCycleLR refuses to step past totalSteps', () => {
    const s = new OneCycleLR(sgd(), 0.1, { totalSteps: 2 });
    s.step();
    s.step();
    expect(() => s.step()).toThrow('OneCycleLR: tried to step 4 times; the specified number of total steps is 2');
  });
});

describe('PolynomialLR', () => {
  it('its recursive steps agree with the closed form, power 2.5 and past totalIters', () => {
    const s = new PolynomialLR(sgd(), { totalIters: 6, power: 2.5 });
    for (let i = 0; i < 9; i++) {
      expect(s.getLastLr()[0]).toBeCloseTo(s.closedFormLr()[0], 12);
      s.step();
    }
    expect(s.getLastLr()).toEqual([0]);
  });

  it('refuses a totalIters that is not a positive integer', () => {
    expect(() => new PolynomialLR(sgd(), { totalIters: 0 })).toThrow('PolynomialLR: invalid totalIters 0, expected a positive integer');
  });
});

describe('CosineAnnealingWarmRestarts', () => {
  it('refuses T_0 and T_mult as torch does', () => {
    expect(() => new CosineAnnealingWarmRestarts(sgd(), 0)).toThrow('CosineAnnealingWarmRestarts: expected positive integer T_0, but got 0');
    expect(() => new CosineAnnealingWarmRestarts(sgd(), 2, { tMult: 1.5 })).toThrow('expected integer T_mult >= 1, but got 1.5');
    expect(() => new CosineAnnealingWarmRestarts(sgd(), 2).step(-1)).toThrow('expected non-negative epoch, but got -1');
  });

  it('restarts at the base rate after T_0, then after T_0·T_mult more epochs', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(), 2, { tMult: 2 });
    const restarts: number[] = [];
    for (let epoch = 1; epoch <= 14; epoch++) {
      s.step();
      if (s.getLastLr()[0] === 0.1) restarts.push(epoch);
    }
    expect(restarts).toEqual([2, 6, 14]);
  });
});
