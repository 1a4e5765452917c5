/**
 * PyTorch parity of the learning-rate schedulers (engine/optim/lr-scheduler), from fixtures/schedulers.json:
 * the lr used in each epoch, with scheduler.step() (or step(metric)) at the end of every epoch.
 * Both sides do the arithmetic in float64 (torch on Python floats), so the rates must agree to 1e-12 relative.
 */
import { describe, expect, it } from 'vitest';
import * as optim from '../optim/index';
import { loadFixture, type SchedulerCase } from './fixtures';

interface Stepper {
  step(metric?: number): void;
}
type Groups = { paramGroups: Array<{ lr: number; momentum: number }> };
type Kw = Record<string, any>;

/** Fixture kwargs are torch's, camelCased; the engine takes the required ones positionally. */
const factories: Record<string, (opt: Groups, kw: Kw) => Stepper> = {
  StepLR: (opt, { stepSize, ...rest }) => new optim.StepLR(opt, stepSize, rest),
  ExponentialLR: (opt, { gamma }) => new optim.ExponentialLR(opt, gamma),
  CosineAnnealingLR: (opt, { tMax, ...rest }) => new optim.CosineAnnealingLR(opt, tMax, rest),
  ReduceLROnPlateau: (opt, kw) => new optim.ReduceLROnPlateau(opt, kw),
  MultiStepLR: (opt, { milestones, ...rest }) => new optim.MultiStepLR(opt, milestones, rest),
  ConstantLR: (opt, kw) => new optim.ConstantLR(opt, kw),
  LinearLR: (opt, kw) => new optim.LinearLR(opt, kw),
  OneCycleLR: (opt, { maxLr, ...rest }) => new optim.OneCycleLR(opt, maxLr, rest),
  PolynomialLR: (opt, kw) => new optim.PolynomialLR(opt, kw),
  CosineAnnealingWarmRestarts: (opt, { t0, ...rest }) => new optim.CosineAnnealingWarmRestarts(opt, t0, rest),
};

function expectSeries(name: string, what: string, got: number[], want: number[]): void {
  got.forEach((v, epoch) => {
    if (Math.abs(v - want[epoch]) > 1e-12 * Math.abs(want[epoch])) {
      expect.fail(`${name}: epoch ${epoch} ${what} ${v}, expected ${want[epoch]}\n  got      [${got}]\n  expected [${want}]`);
    }
  });
}

const fixture = loadFixture<SchedulerCase>('schedulers.json');

describe(`lr schedulers match PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    it.skipIf(!(c.scheduler in factories))(c.name, () => {
      // A stand-in for torch's SGD(lr) (momentum 0): schedulers only read and write the groups' lr (and momentum).
      const opt: Groups = { paramGroups: [{ lr: c.lr, momentum: 0 }] };
      const scheduler = factories[c.scheduler](opt, c.kwargs);
      const lrs: number[] = [];
      const momenta: number[] = [];
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        lrs.push(opt.paramGroups[0].lr);
        momenta.push(opt.paramGroups[0].momentum);
        scheduler.step(c.metrics?.[epoch] ?? c.stepArgs?.[epoch]);
      }
      expectSeries(c.name, 'lr', lrs, c.lrs);
      if (c.momenta) expectSeries(c.name, 'momentum', momenta, c.momenta);
    });
  }
});
