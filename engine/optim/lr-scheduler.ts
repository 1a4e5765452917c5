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
    // Plain data only: the optimizer, functions and maps are rebuilt by the constructor.
    for (const [key, value] of Object.entries(this)) {
      if (key === 'optimizer' || typeof value === 'function' || value instanceof Map) continue;
      out[key] = typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value;
    }
    return out as SchedulerStateDict;
  }

  loadStateDict(state: SchedulerStateDict): void {
    for (const [key, value] of Object.entries(state)) {
      (this as Record<string, unknown>)[key] = typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value;
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

/**
 * Multiplies the rate by `gamma` at each milestone epoch: lr = baseLr · gamma^(milestones passed).
 * @example new MultiStepLR(optimizer, [30, 80], { gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler {
  readonly gamma: number;
  /** How often each epoch appears in the milestones (torch counts repeats). */
  private readonly counts = new Map<number, number>();

  constructor(
    optimizer: HasLrGroups,
    readonly milestones: readonly number[],
    { gamma = 0.1 }: { gamma?: number } = {},
  ) {
    super(optimizer);
    this.gamma = gamma;
    for (const m of milestones) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    this.initialStep();
  }

  protected override getLr(): number[] {
    const n = this.counts.get(this.lastEpoch);
    return this.optimizer.paramGroups.map((g) => (n === undefined ? g.lr : g.lr * this.gamma ** n));
  }
}

/**
 * Scales the rate by `factor` for the first `totalIters` epochs, then restores it (a simple warm-up).
 * Defaults as torch: factor 1/3, totalIters 5.
 */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: HasLrGroups, { factor = 1 / 3, totalIters = 5 }: { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    if (!(factor >= 0 && factor <= 1)) throw new Error(`ConstantLR: invalid factor ${factor}, expected 0 <= factor <= 1`);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 / this.factor));
  }
}

/**
 * Changes the rate linearly from baseLr·startFactor to baseLr·endFactor over `totalIters` epochs, then keeps it
 * (a linear warm-up by default: 1/3 → 1 over 5 epochs, as torch).
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(
    optimizer: HasLrGroups,
    { startFactor = 1 / 3, endFactor = 1, totalIters = 5 }: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    if (!(startFactor > 0 && startFactor <= 1)) {
      throw new Error(`LinearLR: invalid startFactor ${startFactor}, expected 0 < startFactor <= 1`);
    }
    if (!(endFactor >= 0 && endFactor <= 1)) throw new Error(`LinearLR: invalid endFactor ${endFactor}, expected 0 <= endFactor <= 1`);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((g) => g.lr * s);
    if (t > n) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }
}

export interface OneCycleLROptions {
  /** Steps in the cycle (or give epochs and stepsPerEpoch). */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD/RMSprop `momentum`, Adam `betas[0]`) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** A third phase annihilates the rate after a symmetric up/down (default false). */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: 'initial' | 'max' | 'min';
  endLr: 'initial' | 'max' | 'min';
  startMomentum: 'base' | 'max';
  endMomentum: 'base' | 'max';
}

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR, 1.13): warm up from maxLr/divFactor to maxLr over
 * pctStart of the steps, then anneal to initialLr/finalDivFactor; momentum moves the opposite way. Step it
 * after every batch, `totalSteps` times in all. Momentum cycling moves SGD's and RMSprop's `momentum` or an Adam's
 * beta1; as in torch, an optimizer with neither (Adagrad, Adadelta) needs cycleMomentum false.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly lrs: Array<Record<'initial' | 'max' | 'min', number>>;
  private readonly momenta: Array<Record<'base' | 'max', number>>;

  constructor(optimizer: HasLrGroups, maxLr: number | number[], options: OneCycleLROptions = {}) {
    super(optimizer);
    const {
      epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true, baseMomentum = 0.85,
      maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false,
    } = options;
    const totalSteps = options.totalSteps ?? (epochs !== undefined && stepsPerEpoch !== undefined ? epochs * stepsPerEpoch : NaN);
    if (!(Number.isInteger(totalSteps) && totalSteps > 0)) {
      throw new Error(`OneCycleLR: give totalSteps, or epochs and stepsPerEpoch, as positive integers (got ${totalSteps})`);
    }
    if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`OneCycleLR: invalid pctStart ${pctStart}, expected 0 <= pctStart <= 1`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') {
      throw new Error(`OneCycleLR: invalid annealStrategy '${annealStrategy as string}', expected 'cos' or 'linear'`);
    }
    this.totalSteps = totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pctStart * totalSteps - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: totalSteps - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: pctStart * totalSteps - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: totalSteps - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    this.anneal =
      annealStrategy === 'cos'
        ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
        : (start, end, pct) => (end - start) * pct + start;
    const groups = optimizer.paramGroups;
    const maxLrs = Array.isArray(maxLr) ? maxLr : groups.map(() => maxLr);
    if (maxLrs.length !== groups.length) throw new Error(`OneCycleLR: expected ${groups.length} maxLr values, got ${maxLrs.length}`);
    this.lrs = maxLrs.map((max) => ({ initial: max / divFactor, max, min: max / divFactor / finalDivFactor }));
    this.cycleMomentum = cycleMomentum;
    if (cycleMomentum && !groups.every(hasMomentum)) {
      throw new Error('OneCycleLR: the optimizer has no momentum or betas to cycle; use SGD, RMSprop or Adam(W), or set cycle_momentum to false');
    }
    this.momenta = groups.map(() => ({ base: baseMomentum, max: maxMomentum }));
    if (cycleMomentum) groups.forEach((g) => setMomentum(g, maxMomentum));
    this.initialStep();
  }

  protected override getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`OneCycleLR: tried to step ${step + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((g, i) => {
      let startStep = 0;
      for (let p = 0; p < this.phases.length; p++) {
        const phase = this.phases[p];
        if (step <= phase.endStep || p === this.phases.length - 1) {
          const pct = (step - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) {
            setMomentum(g, this.anneal(this.momenta[i][phase.startMomentum], this.momenta[i][phase.endMomentum], pct));
          }
          return this.anneal(this.lrs[i][phase.startLr], this.lrs[i][phase.endLr], pct);
        }
        startStep = phase.endStep;
      }
      return g.lr; // unreachable: the last phase always matches
    });
  }
}

function hasMomentum(group: { lr: number }): boolean {
  const g = group as { momentum?: unknown; betas?: unknown };
  return Array.isArray(g.betas) || typeof g.momentum === 'number';
}

/** Sets SGD/RMSprop `momentum` or Adam's beta1, whichever the group has. */
function setMomentum(group: { lr: number }, value: number): void {
  const g = group as { lr: number; momentum?: number; betas?: [number, number] };
  if (Array.isArray(g.betas)) g.betas = [value, g.betas[1]];
  else if (typeof g.momentum === 'number') g.momentum = value;
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

/**
 * Decays the rate along a polynomial to 0 over `totalIters` epochs, then keeps it there
 * (torch.optim.lr_scheduler.PolynomialLR, 1.13): lr = baseLr · (1 − min(epoch, totalIters) / totalIters)^power.
 * With power 1 (the default) that is a straight line down. step() uses torch's recursive form, the ratio of two
 * consecutive factors, which equals that formula unless lr is changed by hand.
 * @example new PolynomialLR(optimizer, { totalIters: 4 })  // 0.001, 0.00075, 0.0005, 0.00025, then 0
 */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: HasLrGroups, { totalIters = 5, power = 1 }: { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    if (!(Number.isInteger(totalIters) && totalIters > 0)) {
      throw new Error(`PolynomialLR: invalid totalIters ${totalIters}, expected a positive integer`);
    }
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0 || t > n) return groups.map((g) => g.lr);
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/**
 * Cosine annealing with warm restarts (SGDR; torch.optim.lr_scheduler.CosineAnnealingWarmRestarts, 1.13): the rate
 * follows half a cosine from baseLr down towards `etaMin` over `t0` epochs, then jumps back to baseLr, and each
 * cycle is `tMult` times longer than the one before:
 *
 * ```text
 * lr = etaMin + (baseLr − etaMin)·(1 + cos(π·tCur / tI)) / 2
 * step():       tCur ← tCur + 1; if tCur ≥ tI: tCur ← tCur − tI, tI ← tI·tMult
 * step(epoch):  tCur, tI from a (fractional) epoch, for stepping per batch as step(epoch + i / batches)
 * ```
 * @example new CosineAnnealingWarmRestarts(optimizer, 2, { tMult: 2 })  // restarts after epochs 2, 6, 14, …
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly tMult: number;
  readonly etaMin: number;
  /** Epochs since the last restart (fractional after step(epoch)). */
  tCur = -1;
  /** Epochs in the current cycle. */
  tI: number;

  constructor(
    optimizer: HasLrGroups,
    readonly t0: number,
    { tMult = 1, etaMin = 0 }: { tMult?: number; etaMin?: number } = {},
  ) {
    super(optimizer);
    if (!(Number.isInteger(t0) && t0 > 0)) throw new Error(`CosineAnnealingWarmRestarts: expected positive integer T_0, but got ${t0}`);
    if (!(Number.isInteger(tMult) && tMult >= 1)) throw new Error(`CosineAnnealingWarmRestarts: expected integer T_mult >= 1, but got ${tMult}`);
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tI = t0;
    this.initialStep();
  }

  protected override getLr(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /** Advances one epoch, or (as torch) jumps to a given, possibly fractional, epoch. */
  override step(epoch?: number): void {
    if (epoch === undefined) {
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
      super.step();
      return;
    }
    if (!(epoch >= 0)) throw new Error(`CosineAnnealingWarmRestarts: expected non-negative epoch, but got ${epoch}`);
    const { t0, tMult } = this;
    if (epoch >= t0) {
      if (tMult === 1) this.tCur = epoch % t0;
      else {
        const n = Math.trunc(Math.log((epoch / t0) * (tMult - 1) + 1) / Math.log(tMult));
        this.tCur = epoch - (t0 * (tMult ** n - 1)) / (tMult - 1);
        this.tI = t0 * tMult ** n;
      }
    } else {
      this.tI = t0;
      this.tCur = epoch;
    }
    // The base step adds one: land on ⌊epoch⌋, as torch's last_epoch.
    this.lastEpoch = Math.floor(epoch) - 1;
    super.step();
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
