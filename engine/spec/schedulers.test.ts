/**
 * Every scheduler in the catalogue, built the way a run builds it (a spec's row → SCHEDULER_FACTORIES → optim's
 * class), against PyTorch 1.13's lr sequence (engine/test/fixtures/schedulers.json, written by
 * `python3 engine/test/gen_fixtures.py schedulers`): the fixture's kwargs are torch's, camelCased, which are the
 * row's param names. Each case also stops half way, saves the optimizer's and the scheduler's state dicts through
 * JSON as a checkpoint does, builds a fresh run from the same spec, loads both and goes on: the resumed run must
 * give torch's rates to the end.
 */
import { describe, expect, it } from 'vitest';
import { getPreset, SCHEDULERS, type ModelSpec, type SchedulerName } from '../../common/spec/index';
import { tensor } from '../tensor';
import { loadFixture } from '../test/fixtures';
import { makeOptimizer, makeScheduler } from './build';

interface SchedulerCase {
  name: string;
  scheduler: string;
  kwargs: Record<string, unknown>;
  lr: number;
  epochs: number;
  stepArgs?: number[];
  lrs: number[];
  momenta?: number[];
}

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
    for (const name of ['LinearLR', 'PolynomialLR', 'CosineAnnealingWarmRestarts'] as const) expect(covered.has(name), name).toBe(true);
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
