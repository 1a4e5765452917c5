/**
 * Every scheduler in the catalogue, built the way a run builds it (a spec's row → SCHEDULER_FACTORIES → optim's
 * class), against PyTorch 1.13's lr sequence (engine/test/fixtures/schedulers.json, written by
 * `python3 engine/test/gen_fixtures.py schedulers`): the fixture's kwargs are torch's, camelCased, which are the
 * row's param names. Each case also stops half way, saves the optimizer's and the scheduler's state dicts through
 * JSON as a checkpoint does, builds a fresh run from the same spec, loads both and goes on: the resumed run must
 * give torch's rates to the end.
 */
import { describe, expect, it } from 'vitest';
import { getPreset, SCHEDULERS, type ModelSpec, type SchedulerName } from '../../common/model-spec/index';
import type { OneCycleLR } from '../optim/index';
import { tensor } from '../tensor';
import { loadFixture, type SchedulerCase } from '../test/fixtures';
import { makeOptimizer, makeScheduler } from './build';


const fixture = loadFixture<SchedulerCase>('schedulers.json');
// A run steps with step(); a case stepped to fractional epochs is optim's own test (engine/test/schedulers.test.ts).
const inCatalogue = fixture.cases.filter((c) => (SCHEDULERS as readonly string[]).includes(c.scheduler) && !c.stepArgs);

function specFor(c: SchedulerCase): ModelSpec {
  return {
    ...getPreset('MLP')!,
    optimizer: { type: 'SGD', params: { lr: c.lr } },
    scheduler: { type: c.scheduler as SchedulerName, params: c.kwargs as ModelSpec['optimizer']['params'] },
  };
}

function fresh(spec: ModelSpec) {
  const optimizer = makeOptimizer(spec, [tensor([0], { requiresGrad: true })]);
  const scheduler = makeScheduler(spec, optimizer)!;
  return { optimizer, scheduler };
}

function expectTorch(c: SchedulerCase, lrs: number[], momenta: number[]): void {
  lrs.forEach((v, i) => {
    if (!(Math.abs(v - c.lrs[i]) <= 1e-12 * Math.abs(c.lrs[i]))) expect.fail(`${c.name}: lr at step ${i} is ${v}, torch ${c.lrs[i]}`);
  });
  c.momenta?.forEach((want, i) => expect(momenta[i], `${c.name}: momentum at step ${i}`).toBeCloseTo(want, 12));
}

describe(`schedulers built from a spec match PyTorch ${fixture.torch}, and resume from their state dicts`, () => {
  it('the fixture covers the schedulers #18 added', () => {
    const covered = new Set(inCatalogue.map((c) => c.scheduler));
    for (const name of ['LinearLR', 'PolynomialLR', 'CosineAnnealingWarmRestarts', 'OneCycleLR'] as const) expect(covered.has(name), name).toBe(true);
  });

  for (const c of inCatalogue) {
    it(c.name, () => {
      const spec = specFor(c);
      let run = fresh(spec);
      const group = () => run.optimizer.paramGroups[0] as { lr: number; momentum?: number };
      const lrs: number[] = [];
      const momenta: number[] = [];
      const half = Math.floor(c.epochs / 2);
      for (let step = 0; step < c.epochs; step++) {
        if (step === half) {
          // A checkpoint: both state dicts as JSON, loaded into a run built afresh from the spec.
          const saved = JSON.parse(JSON.stringify({ optimizer: run.optimizer.stateDict(), scheduler: run.scheduler.stateDict() }));
          run = fresh(spec);
          run.optimizer.loadStateDict(saved.optimizer);
          run.scheduler.loadStateDict(saved.scheduler);
        }
        lrs.push(group().lr);
        momenta.push(group().momentum ?? 0);
        run.optimizer.step();
        run.scheduler.step();
      }
      expectTorch(c, lrs, momenta);
    });
  }
});

describe("OneCycleLR's length and momentum, as a run builds it", () => {
  const spec = (params: Record<string, unknown>, optimizer: ModelSpec['optimizer'] = { type: 'SGD', params: { lr: 0.1 } }): ModelSpec => ({
    ...getPreset('MLP')!, optimizer, scheduler: { type: 'OneCycleLR', params: params as ModelSpec['optimizer']['params'] },
  });
  const build = (s: ModelSpec, run?: { epochs: number; batchesPerEpoch: number }) =>
    makeScheduler(s, makeOptimizer(s, [tensor([0], { requiresGrad: true })]), run) as OneCycleLR;

  it("takes total_steps from the run's epochs × batches per epoch when the learner gives none", () => {
    expect(build(spec({ maxLr: 0.1 }), { epochs: 3, batchesPerEpoch: 50 }).totalSteps).toBe(150);
    expect(build(spec({ maxLr: 0.1, totalSteps: 40 }), { epochs: 3, batchesPerEpoch: 50 }).totalSteps).toBe(40);
    expect(build(spec({ maxLr: 0.1, epochs: 2, stepsPerEpoch: 7 }), { epochs: 3, batchesPerEpoch: 50 }).totalSteps).toBe(14);
  });

  it('says what is missing when neither the learner nor the run gives a length', () => {
    expect(() => build(spec({ maxLr: 0.1 }))).toThrow('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch, as positive integers');
    expect(() => build(spec({ maxLr: 0.1, epochs: 2 }), { epochs: 3, batchesPerEpoch: 50 })).toThrow('give totalSteps, or epochs and stepsPerEpoch');
  });

  it("cycles Adam's beta1, and refuses cycle_momentum for an optimizer without momentum, as torch does", () => {
    const adam = spec({ maxLr: 0.1, totalSteps: 10 }, { type: 'Adam', params: {} });
    const optimizer = makeOptimizer(adam, [tensor([0], { requiresGrad: true })]);
    makeScheduler(adam, optimizer);
    expect((optimizer.paramGroups[0] as unknown as { betas: number[] }).betas).toEqual([0.95, 0.999]);
    expect(() => build(spec({ maxLr: 0.1, totalSteps: 10 }, { type: 'Adagrad', params: {} }))).toThrow(
      'OneCycleLR: the optimizer has no momentum or betas to cycle; use SGD, RMSprop or Adam(W), or set cycle_momentum to false',
    );
    expect(build(spec({ maxLr: 0.1, totalSteps: 10, cycleMomentum: false }, { type: 'Adagrad', params: {} })).totalSteps).toBe(10);
  });
});
