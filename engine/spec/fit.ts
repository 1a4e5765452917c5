/**
 * The training loop of "What is torch.nn really?", as plain functions the CLI, the engine host and tests share:
 *
 * ```text
 * for epoch in 1..epochs:
 *     model.train()
 *     for xb, yb in train:  loss = lossFn(model(xb), yb, xb); loss.backward(); opt.step(); opt.zeroGrad()
 *     scheduler?.step()
 *     model.eval(); with noGrad: validation loss and accuracy
 * ```
 * A NaN or infinite loss stops training with a NaNLossError (a too-high learning rate, usually).
 * No clocks or IO of its own: pass `clock` (ms) for timings.
 */
import { noGrad } from '../autograd';
import { endStep, getBackend } from '../backend/backend';
import { DataLoader } from '../data/dataloader';
import type { Module } from '../nn/module';
import { argmax } from '../ops/index';
import type { Tensor } from '../tensor';
import type { LossFn } from './build';

export interface Stepper {
  step(): void;
  zeroGrad(setToNone?: boolean): void;
}

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number | null;
  valAcc: number | null;
  seconds: number;
  samplesPerSec: number;
}

export interface BatchInfo {
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  batches: number;
  loss: number;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  samples: number;
}

export class NaNLossError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly loss: number) {
    super(`loss became ${loss} at epoch ${epoch}, batch ${batch}: training diverged; lower the learning rate (or check the data normalization)`);
    this.name = 'NaNLossError';
  }
}

type Batches = DataLoader<[Tensor, Tensor]> | Iterable<[Tensor, Tensor]>;

/**
 * Hands a finished batch back to its DataLoader, so that the next is gathered into its arrays rather than new ones
 * (dataloader.ts `release`; issue #19). Only on a backend whose kernels have read their inputs when they return (the
 * CPU, wasm); a device backend may still hold launches that read the batch, so it gets new arrays as before.
 */
function releaseBatch(data: Batches, batch: [Tensor, Tensor]): void {
  if (data instanceof DataLoader && getBackend().keep === undefined) data.release(batch);
}

/** Correct predictions in the batch; NaN where accuracy does not apply (an image target). */
function correct(output: Tensor, labels: Tensor, options: LoopOptions): number {
  if (options.accuracy === false) return NaN;
  const predicted = argmax(output.detach(), 1).data;
  const y = labels.data;
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) hits++;
  return hits;
}

/** Losses are reported per sample: a lossFn with reduction 'sum' sets lossIsSum. */
export interface LoopOptions {
  /** Whether lossFn returns a per-sample mean (default) or a sum over the batch. */
  lossIsSum?: boolean;
  /** false where the target is not a class (an autoencoder: measuresAccuracy(spec)); accuracy is then NaN. */
  accuracy?: boolean;
}

/** Mean loss and accuracy over `data`, in eval mode and without gradients; restores the training mode after. */
export function evaluate(model: Module, lossFn: LossFn, data: Batches, options: LoopOptions = {}): EvalResult {
  const wasTraining = model.training;
  model.eval();
  let total = 0, hits = 0, samples = 0;
  try {
    noGrad(() => {
      for (const batch of data) {
        const [x, y] = batch;
        endStep(); // the last batch's activations are done with, as in training: a device backend frees them
        const output = model.forward(x) as Tensor;
        const loss = lossFn(output, y, x).item();
        const n = y.shape[0];
        total += options.lossIsSum ? loss : loss * n;
        hits += correct(output, y, options);
        samples += n;
        releaseBatch(data, batch);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: samples ? total / samples : NaN, accuracy: samples ? hits / samples : NaN, samples };
}

export interface TrainEpochOptions extends LoopOptions {
  epoch?: number;
  onBatch?: (info: BatchInfo) => void;
}

/** One pass over `data`: forward, loss, backward, step, zero_grad per batch. Returns the running mean loss/accuracy. */
export function trainEpoch(model: Module, lossFn: LossFn, optimizer: Stepper, data: Batches, options: TrainEpochOptions = {}): EvalResult {
  const epoch = options.epoch ?? 1;
  const batches = 'length' in data && typeof data.length === 'number' ? data.length : NaN;
  model.train();
  optimizer.zeroGrad(true);
  let total = 0, hits = 0, samples = 0, batch = 0;
  for (const pair of data) {
    const [x, y] = pair;
    batch++;
    endStep(); // the last batch's tensors are done with: a device backend may reuse their memory
    const output = model.forward(x) as Tensor;
    const loss = lossFn(output, y, x);
    // Read after backward: a device backend runs the step up to here as one batch, with one read.
    loss.backward();
    const value = loss.item();
    if (!Number.isFinite(value)) throw new NaNLossError(epoch, batch, value);
    // Before the update's launches, so that a GPU gets them with the next step's (one submit a step).
    hits += correct(output, y, options);
    optimizer.step();
    // set_to_none, PyTorch 2's default: the next backward hands each parameter its gradient without a copy or an add.
    optimizer.zeroGrad(true);
    const n = y.shape[0];
    total += options.lossIsSum ? value : value * n;
    samples += n;
    options.onBatch?.({ epoch, batch, batches, loss: options.lossIsSum ? value / n : value });
    releaseBatch(data, pair);
  }
  return { loss: samples ? total / samples : NaN, accuracy: samples ? hits / samples : NaN, samples };
}

export interface FitOptions extends LoopOptions {
  model: Module;
  lossFn: LossFn;
  optimizer: Stepper;
  scheduler?: { step(): void } | null;
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
  const history: EpochStats[] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = clock();
    const train = trainEpoch(options.model, options.lossFn, options.optimizer, options.train, { ...options, epoch });
    const trainSeconds = (clock() - start) / 1000;
    options.scheduler?.step();
    const val = options.validation ? evaluate(options.model, options.lossFn, options.validation, options) : null;
    const stats: EpochStats = {
      epoch,
      trainLoss: train.loss,
      trainAcc: train.accuracy,
      valLoss: val ? val.loss : null,
      valAcc: val ? val.accuracy : null,
      seconds: (clock() - start) / 1000,
      samplesPerSec: trainSeconds > 0 ? train.samples / trainSeconds : 0,
    };
    history.push(stats);
    options.onEpoch?.(stats);
  }
  return history;
}
