/**
 * The training loop of "What is torch.nn really?" for the CLI, the bench and tests: epochs of the engine's one
 * Trainer (engine/train/trainer.ts) over DataLoaders, which this file only drives:
 *
 * ```text
 * for epoch in 1..epochs:
 *     for xb, yb in train:  trainer.trainBatch(xb, yb)      (forward, loss, backward, step, zero_grad;
 *                                                           scheduler.step() if it steps per batch: OneCycleLR)
 *     trainer.finishEpoch(validation)                      (scheduler.step() if it steps per epoch: the others;
 *                                                           validation in eval mode, no grad)
 * ```
 * A NaN or infinite loss stops training with a NaNLossError (a too-high learning rate, usually).
 * No clocks or IO of its own: pass `clock` (ms) for timings.
 */
import { releaseBatch, Trainer, type Batches, type EpochRecord, type EvalResult, type Scheduler, type Stepper } from '../train/trainer';
import type { Module } from '../nn/module';
import type { Tensor } from '../tensor';
import type { LossFn } from '../train/trainer';

export { evaluate, type EvalResult, type Stepper } from '../train/trainer';

/** An epoch as the CLI prints it: the Trainer's record without the learning rate. */
export type EpochStats = Omit<EpochRecord, 'lr'>;

export interface BatchInfo {
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  batches: number;
  loss: number;
}

export class NaNLossError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly loss: number) {
    super(`loss became ${loss} at epoch ${epoch}, batch ${batch}: training diverged; lower the learning rate (or check the data normalization)`);
    this.name = 'NaNLossError';
  }
}

/** Losses are reported per sample: a lossFn with reduction 'sum' sets lossIsSum. */
export interface LoopOptions {
  /** Whether lossFn returns a per-sample mean (default) or a sum over the batch. */
  lossIsSum?: boolean;
  /** false where the target is not a class (an autoencoder: measuresAccuracy(spec)); accuracy is then NaN. */
  accuracy?: boolean;
  /** What the loss compares the output with (makeTargetsOf(spec): an autoencoder's input); default the labels. */
  targetsOf?: (x: Tensor, y: Tensor) => Tensor;
}

export interface TrainEpochOptions extends LoopOptions {
  epoch?: number;
  onBatch?: (info: BatchInfo) => void;
}

/**
 * One pass of `trainer` over `data`, handing each batch back to its DataLoader once trained (the next is gathered
 * into its arrays). Throws NaNLossError on a non-finite loss.
 */
function runEpoch(trainer: Trainer, data: Batches, epoch: number, onBatch?: (info: BatchInfo) => void): void {
  const batches = 'length' in data && typeof data.length === 'number' ? data.length : NaN;
  for (const pair of data) {
    const outcome = trainer.trainBatch(pair[0], pair[1]);
    if (outcome.kind === 'diverged') throw new NaNLossError(epoch, trainer.batchInEpoch + 1, outcome.loss);
    onBatch?.({ epoch, batch: trainer.batchInEpoch, batches, loss: outcome.loss });
    releaseBatch(data, pair);
  }
}

/** One pass over `data`: forward, loss, backward, step, zero_grad per batch. Returns the running mean loss/accuracy. */
export function trainEpoch(model: Module, lossFn: LossFn, optimizer: Stepper, data: Batches, options: TrainEpochOptions = {}): EvalResult {
  const { lossIsSum, accuracy, targetsOf } = options;
  const trainer = new Trainer({ model, lossFn, optimizer, lossIsSum, accuracy, targetsOf });
  runEpoch(trainer, data, options.epoch ?? 1, options.onBatch);
  const { lossSum, samples, correct } = trainer.epochTotals;
  return { loss: samples ? lossSum / samples : NaN, accuracy: samples && accuracy !== false ? correct / samples : NaN, samples };
}

export interface FitOptions extends LoopOptions {
  model: Module;
  lossFn: LossFn;
  optimizer: Stepper;
  scheduler?: Scheduler | null;
  /** When the scheduler steps (`schedulerStepsPer(type)` from the catalogue); 'epoch' when not given. */
  schedulerStepsPer?: 'batch' | 'epoch';
  train: Batches;
  validation?: Batches | null;
  epochs: number;
  onBatch?: (info: BatchInfo) => void;
  onEpoch?: (stats: EpochStats) => void;
  /** Milliseconds, e.g. () => performance.now(); default Date.now. */
  clock?: () => number;
}

/** Trains for `epochs`, reporting each epoch; returns every epoch's stats. Throws NaNLossError on divergence. */
export function fit(options: FitOptions): EpochStats[] {
  const clock = options.clock ?? Date.now;
  const trainer = new Trainer({ ...options, clock });
  const history: EpochStats[] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = clock();
    runEpoch(trainer, options.train, epoch, options.onBatch);
    // Timed around the whole pass, the DataLoader's gathering included.
    const trainSeconds = (clock() - start) / 1000;
    const samples = trainer.epochTotals.samples;
    const record = trainer.finishEpoch(options.validation);
    const stats: EpochStats = {
      epoch,
      trainLoss: record.trainLoss,
      trainAcc: record.trainAcc,
      valLoss: record.valLoss,
      valAcc: record.valAcc,
      seconds: (clock() - start) / 1000,
      samplesPerSec: trainSeconds > 0 ? samples / trainSeconds : 0,
    };
    history.push(stats);
    options.onEpoch?.(stats);
  }
  return history;
}
