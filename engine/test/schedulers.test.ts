/**
 * PyTorch parity of the learning-rate schedulers (engine/optim/lr-scheduler), from fixtures/schedulers.json:
 * the lr used in each epoch, with scheduler.step() (or step(metric)) at the end of every epoch.
 * Both sides do the arithmetic in float64 (torch on Python floats), so the rates must agree to 1e-12 relative.
 */
import { describe, expect, it } from 'vitest';
import * as optim from '../optim/index';
import { loadFixture } from './fixtures';

interface SchedulerCase {
  name: string;
  scheduler: string;
  kwargs: Record<string, unknown>;
  lr: number;
  epochs: number;
  metrics?: number[];
  lrs: number[];
}

interface Stepper {
  step(metric?: number): void;
}
type Groups = optim.HasLrGroups;
type Kw = Record<string, any>;

/** Fixture kwargs are torch's, camelCased; the engine takes the required ones positionally. */
const factories: Record<string, (opt: Groups, kw: Kw) => Stepper> = {
  StepLR: (opt, { stepSize, ...rest }) => new optim.StepLR(opt, stepSize, rest),
  ExponentialLR: (opt, { gamma }) => new optim.ExponentialLR(opt, gamma),
  CosineAnnealingLR: (opt, { tMax, ...rest }) => new optim.CosineAnnealingLR(opt, tMax, rest),
  ReduceLROnPlateau: (opt, kw) => new optim.ReduceLROnPlateau(opt, kw),
};

const fixture = loadFixture<SchedulerCase>('schedulers.json');

describe(`lr schedulers match PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    // Schedulers torch has and the engine does not (MultiStepLR, LinearLR, ConstantLR, OneCycleLR) are skipped.
    it.skipIf(!(c.scheduler in factories))(c.name, () => {
      // A stand-in optimizer: schedulers only read and write paramGroups[i].lr.
      const opt: Groups = { paramGroups: [{ lr: c.lr }] };
      const scheduler = factories[c.scheduler](opt, c.kwargs);
      const got: number[] = [];
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        got.push(opt.paramGroups[0].lr);
        scheduler.step(c.metrics?.[epoch]);
      }
      got.forEach((lr, epoch) => {
        if (Math.abs(lr - c.lrs[epoch]) > 1e-12 * Math.abs(c.lrs[epoch])) {
          expect.fail(`${c.name}: epoch ${epoch} lr ${lr}, expected ${c.lrs[epoch]}\n  got      [${got}]\n  expected [${c.lrs}]`);
        }
      });
    });
  }
});
