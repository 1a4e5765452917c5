/**
 * Learning-rate schedulers (torch.optim.lr_scheduler, 1.13). Call `scheduler.step()` once per epoch, after
 * `optimizer.step()`. Each scheduler writes `lr` on the optimizer's groups, so you can read it there or via
 * `getLastLr()`.
 *
 * Like torch, StepLR, ExponentialLR and CosineAnnealingLR compute the new rate from the current one (the
 * "recursive" form), so a change made to `lr` by hand between steps carries forward; `closedFormLr()` gives
 * the textbook formula in terms of the epoch.
 */

/** Anything with learning-rate groups: every Optimizer. */
export interface HasLrGroups {
  paramGroups: Array<{ lr: number }>;
}

export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [key: string]: unknown;
}

export abstract class LRScheduler {
  /** Index of the current epoch: 0 after construction, +1 per step(). */
  lastEpoch = -1;
  /** Each group's lr when the scheduler was created. */
  readonly baseLrs: number[];
  private lastLr: number[] = [];

  constructor(readonly optimizer: HasLrGroups) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Must be called at the end of a subclass's constructor (torch does it in the base __init__). */
  protected initialStep(): void {
    this.step();
  }

  /** The learning rates for the current `lastEpoch`, given the groups' current rates. */
  protected abstract getLr(): number[];

  /** Advances one epoch and writes the new rates onto the optimizer's groups. */
  step(): void {
    this.lastEpoch += 1;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = lrs;
  }

  /** The rates set by the last step(), one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'optimizer') continue;
      out[key] = Array.isArray(value) ? [...value] : value;
    }
    return out as SchedulerStateDict;
  }

  loadStateDict(state: SchedulerStateDict): void {
    for (const [key, value] of Object.entries(state)) {
      (this as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    }
  }
}

/**
 * Multiplies the rate by `gamma` every `stepSize` epochs: lr = baseLr · gamma^⌊epoch / stepSize⌋.
 * @example new StepLR(optimizer, 30, { gamma: 0.1 })  // 0.05 for epochs 0–29, 0.005 for 30–59, ...
 */
export class StepLR extends LRScheduler {
  readonly gamma: number;

  constructor(
    optimizer: HasLrGroups,
    readonly stepSize: number,
    { gamma = 0.1 }: { gamma?: number } = {},
  ) {
    super(optimizer);
    if (!(Number.isInteger(stepSize) && stepSize > 0)) throw new Error(`StepLR: invalid stepSize ${stepSize}, expected a positive integer`);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the rate by `gamma` every epoch: lr = baseLr · gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: HasLrGroups,
    readonly gamma: number,
  ) {
    super(optimizer);
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/**
 * Cosine annealing from baseLr down to `etaMin` over `tMax` epochs (then back up, periodically), without restarts:
 * lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch / tMax)) / 2.
 * step() uses torch's recursive form, which equals that formula unless lr is changed by hand.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;

  constructor(
    optimizer: HasLrGroups,
    readonly tMax: number,
    { etaMin = 0 }: { etaMin?: number } = {},
  ) {
    super(optimizer);
    if (!(tMax > 0)) throw new Error(`CosineAnnealingLR: invalid tMax ${tMax}, expected tMax > 0`);
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((g) => g.lr);
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (g.lr - etaMin) + etaMin,
    );
  }

  closedFormLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    return this.baseLrs.map((lr) => etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': reduce when the metric stops decreasing (a loss); 'max': when it stops increasing (an accuracy). */
  mode: 'min' | 'max';
  /** New lr = lr · factor. Must be < 1. */
  factor: number;
  /** Epochs without improvement to tolerate before reducing. */
  patience: number;
  /** How much better counts as an improvement (relative or absolute, see thresholdMode). */
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. */
  cooldown: number;
  /** Lower bound on lr: one number, or one per group. */
  minLr: number | number[];
  /** Reductions smaller than this are skipped. */
  eps: number;
}

/**
 * Reduces the learning rate by `factor` when a metric has stopped improving for more than `patience` epochs
 * (torch.optim.lr_scheduler.ReduceLROnPlateau, 1.13). Call `step(metric)` once per epoch with e.g. the
 * validation loss.
 *
 * ```text
 * better(a) = a < best·(1 − threshold)   (min, rel)    a < best − threshold   (min, abs)
 *             a > best·(1 + threshold)   (max, rel)    a > best + threshold   (max, abs)
 * if better(metric): best ← metric, bad ← 0   else bad ← bad + 1
 * if cooling down:   cooldownCounter ← cooldownCounter − 1, bad ← 0
 * if bad > patience: lr ← max(lr·factor, minLr) (skipped if the change ≤ eps), cooldownCounter ← cooldown, bad ← 0
 * ```
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: HasLrGroups,
    options: Partial<ReduceLROnPlateauOptions> = {},
  ) {
    const o: ReduceLROnPlateauOptions = {
      mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8,
      ...options,
    };
    if (!(o.factor < 1)) throw new Error(`ReduceLROnPlateau: invalid factor ${o.factor}, expected factor < 1`);
    if (o.mode !== 'min' && o.mode !== 'max') throw new Error(`ReduceLROnPlateau: invalid mode '${o.mode}', expected 'min' or 'max'`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') {
      throw new Error(`ReduceLROnPlateau: invalid thresholdMode '${o.thresholdMode}', expected 'rel' or 'abs'`);
    }
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(o.minLr) && o.minLr.length !== groups) {
      throw new Error(`ReduceLROnPlateau: expected ${groups} minLr values, got ${o.minLr.length}`);
    }
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode;
    this.cooldown = o.cooldown;
    this.minLrs = Array.isArray(o.minLr) ? [...o.minLr] : Array(groups).fill(o.minLr);
    this.eps = o.eps;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records this epoch's metric and reduces the rates if it has plateaued. */
  step(metric: number): void {
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  stateDict(): Record<string, unknown> {
    const { best, numBadEpochs, cooldownCounter, lastEpoch } = this;
    return { best, numBadEpochs, cooldownCounter, lastEpoch, lastLr: [...this.lastLr] };
  }

  loadStateDict(state: Record<string, unknown>): void {
    this.best = state.best as number;
    this.numBadEpochs = state.numBadEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
  }
}
