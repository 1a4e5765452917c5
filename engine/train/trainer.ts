/**
 * The engine's one training loop, driven one batch at a time, which is how every caller pauses, steps or stops it:
 * the CLI's `fit` (engine/model-spec/fit.ts) runs it epoch after epoch, the engine host's run (src-main/engine-host)
 * between messages. In PyTorch terms, per batch and per epoch:
 *
 * ```text
 * trainBatch(x, y):  model.train(); out = model(inputOf(x)); loss = lossFn(out, targetsOf(x, y)); loss.backward()
 *                    watchdog: a loss that is NaN/Inf, or over divergenceFactor × the first batch's, is not applied
 *                    clip_grad_norm_?; opt.step(); scheduler.step() if it steps per batch; opt.zero_grad(set_to_none=True)
 * finishEpoch(val):  scheduler.step() if it steps per epoch; validation loss/accuracy in eval mode without gradients
 * ```
 *
 * What differs between callers hangs off small hooks, never a second copy of the loop (Lightning's callbacks):
 * - `schedulerStepsPer: 'batch' | 'epoch'` is the one place a scheduler steps (OneCycleLR-like schedulers that step
 *   per batch set 'batch'; the catalogue row's `stepsPer` fact feeds it);
 * - `targetsOf(x, y)` is what the loss compares the output with: the labels by default, the input image itself for
 *   an autoencoder (engine/model-spec's `makeTargetsOf(spec)`), which also sets `accuracy: false`: no class, so its
 *   records hold NaN for accuracy;
 * - `inputOf(x)` shapes a batch for the model (a spec's Input node);
 * - `observe(step)` hands back an observer for a batch (engine/inspect's LayerProbe reads the layers around backward
 *   and step) or null;
 * - `fallbackToCpu`: a backend that fails during forward or backward (a GPU context lost) hands the batch to the CPU,
 *   which does it again with nothing applied twice;
 * - early stopping is `EarlyStopping` (./early-stopping.ts), fed each epoch's validation loss by the caller, which
 *   keeps its state with the run.
 * Checkpoints are the caller's: `position`, `resumeAt`, `optimizerState` and `loadOptimizerState` give it what a
 * checkpoint within or after an epoch needs. No IO; `clock` (ms) for timings.
 */
import { noGrad } from '../autograd';
import { endStep, getBackend, pinTensor, setBackend } from '../backend/backend';
import { DataLoader } from '../data/dataloader';
import type { Module } from '../nn/module';
import { clipGradNorm } from '../nn/clip-grad';
import { stepMetrics } from '../ops/index';
import type { OptimizerStateDict, SchedulerStateDict } from '../optim/index';
import type { EpochRecord, RunPosition } from '../../common/training-protocol';
import type { Tensor } from '../tensor';

export type LossFn = (output: Tensor, target: Tensor) => Tensor;

export interface Stepper {
  step(): void;
  zeroGrad(setToNone?: boolean): void;
}

/** An optimizer the Trainer can also read and set the learning rate of, and checkpoint. */
interface FullOptimizer extends Stepper {
  paramGroups: Array<{ lr: number }>;
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
  state: { clear(): void };
}

export interface Scheduler {
  step(): void;
  stateDict?(): SchedulerStateDict;
  loadStateDict?(state: SchedulerStateDict): void;
}

/** The watchdog's default: a batch loss this many times the run's first loss means the run diverged. */
export const DIVERGENCE_FACTOR = 10;

/** What a batch observer sees: after backward (gradients before clipping) and after the optimizer's step. */
export interface BatchObserver {
  afterBackward?(): void;
  afterStep?(): void;
  /** The batch ended without reaching afterStep (it diverged, or failed): let go of what was hooked. */
  dispose(): void;
}

export interface TrainerOptions<O extends Stepper = Stepper> {
  model: Module;
  lossFn: LossFn;
  optimizer: O;
  scheduler?: Scheduler | null;
  /** When the scheduler steps: after every optimizer step, or (the default) once an epoch. */
  schedulerStepsPer?: 'batch' | 'epoch';
  /** Whether lossFn returns a sum over the batch rather than the per-sample mean; losses are reported per sample. */
  lossIsSum?: boolean;
  /** clip_grad_norm_'s max_norm, applied after backward; null/absent: no clipping. */
  clipGradNorm?: number | null;
  /** A batch loss over this × the first batch's is a divergence, as NaN/Inf always is; null/absent: NaN/Inf only. */
  divergenceFactor?: number | null;
  /** Redo a batch on the CPU when the backend in use throws during forward or backward (and stay there). */
  fallbackToCpu?: boolean;
  /** The model's input from a batch's x (default x as is). */
  inputOf?: (x: Tensor) => Tensor;
  /** What the loss compares the output with (default the labels y; an autoencoder's is x). */
  targetsOf?: (x: Tensor, y: Tensor) => Tensor;
  /** false where the target is not a class (an autoencoder's image): nothing is counted, and accuracy is NaN. */
  accuracy?: boolean;
  /** An observer for the batch that will be step `step` (1-based over the run), or null. */
  observe?: (step: number) => BatchObserver | null;
  /** Milliseconds, e.g. () => performance.now(); default Date.now. */
  clock?: () => number;
}

/** A backend that failed during a batch: the batch was done again on the CPU, which the run now uses. */
export interface FellBack {
  from: string;
  error: string;
}

export type BatchOutcome =
  | { kind: 'ok'; loss: number; size: number; correct: number; seconds: number; fellBack?: FellBack }
  | { kind: 'diverged'; loss: number; why: 'not-finite' | 'exploded' };

/**
 * Sums over the batches of the epoch in progress (`lossSum` is Σ per-sample loss × batch size), where that epoch
 * stands (what a checkpoint within an epoch saves and `resumeAt` takes back), and an epoch's record (`seconds`: its
 * batches plus its closing; `lr`: the rate it trained with, NaN for an optimizer without paramGroups). The engine
 * host sends and stores these as they are, so their one declaration is the protocol's.
 */
export type EpochTotals = RunPosition['totals'];
export type TrainerPosition = RunPosition;
export type { EpochRecord };

export interface EvalResult {
  loss: number;
  accuracy: number;
  samples: number;
}

export type Batches = DataLoader<[Tensor, Tensor]> | Iterable<[Tensor, Tensor]>;

const emptyTotals = (): EpochTotals => ({ lossSum: 0, samples: 0, correct: 0, seconds: 0 });

export class Trainer<O extends Stepper = Stepper> {
  readonly model: Module;
  readonly lossFn: LossFn;
  readonly optimizer: O;
  readonly scheduler: Scheduler | null;
  readonly lossIsSum: boolean;
  /** Completed epochs; the epoch in progress is epoch + 1. */
  epoch = 0;
  /** Batches trained over the whole run. */
  step = 0;
  /** Batches done in the epoch in progress. */
  batchInEpoch = 0;
  /** The run's first batch loss, the watchdog's yardstick. */
  firstLoss: number | null = null;
  #totals = emptyTotals();
  readonly #options: TrainerOptions<O>;
  readonly #clock: () => number;

  constructor(options: TrainerOptions<O>) {
    this.#options = options;
    this.model = options.model;
    this.lossFn = options.lossFn;
    this.optimizer = options.optimizer;
    this.scheduler = options.scheduler ?? null;
    this.lossIsSum = options.lossIsSum ?? false;
    this.#clock = options.clock ?? Date.now;
  }

  get lr(): number {
    return (this.optimizer as Partial<FullOptimizer>).paramGroups?.[0].lr ?? NaN;
  }

  setLr(lr: number): void {
    for (const group of (this.optimizer as Partial<FullOptimizer>).paramGroups ?? []) group.lr = lr;
  }

  get epochTotals(): EpochTotals {
    return { ...this.#totals };
  }

  /** Where the epoch in progress stands; null between epochs. */
  get position(): TrainerPosition | null {
    if (this.batchInEpoch === 0) return null;
    return { epoch: this.epoch + 1, batch: this.batchInEpoch, step: this.step, totals: { ...this.#totals } };
  }

  /** Continues the epoch of a checkpoint taken within it (weights and optimizer already loaded). */
  resumeAt(position: TrainerPosition): void {
    this.epoch = position.epoch - 1;
    this.batchInEpoch = position.batch;
    this.step = position.step;
    this.#totals = { ...position.totals };
  }

  /** Forgets the epoch in progress (after a divergence or a restore, the next batch starts the epoch over). */
  abandonEpoch(): void {
    this.batchInEpoch = 0;
    this.#totals = emptyTotals();
  }

  /**
   * Trains one batch. A diverging batch is not applied. `startedAt` (the clock's ms) is when the caller began
   * gathering the batch, so that the batch's seconds include it; default now.
   */
  trainBatch(x: Tensor, y: Tensor, startedAt = this.#clock()): BatchOutcome {
    const { model, optimizer } = this;
    const options = this.#options;
    model.train();
    // A new epoch starts with no gradients: set_to_none, as every step ends.
    if (this.batchInEpoch === 0) optimizer.zeroGrad(true);
    endStep(); // the last batch's tensors are done with: a device backend may reuse their memory
    const buffers = options.fallbackToCpu && getBackend().name !== 'cpu' ? model.buffers().map((b) => b.data.slice()) : null;
    const observer = options.observe?.(this.step + 1) ?? null;
    let fellBack: FellBack | undefined;
    let pass: { value: number; correct: number } | BatchOutcome;
    try {
      try {
        pass = this.#forwardBackward(x, y);
      } catch (error) {
        const from = getBackend().name;
        if (!buffers || from === 'cpu') throw error;
        // Gradients the failed backward half-accumulated, and running statistics its forward updated, are undone.
        optimizer.zeroGrad(true);
        model.buffers().forEach((b, i) => b.data.set(buffers[i]));
        setBackend('cpu');
        fellBack = { from, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
        pass = this.#forwardBackward(x, y);
      }
    } catch (error) {
      observer?.dispose();
      throw error;
    }
    if ('kind' in pass) {
      observer?.dispose();
      return pass;
    }
    const { value, correct } = pass;
    observer?.afterBackward?.();
    if (options.clipGradNorm != null) clipGradNorm(model.parameters(), options.clipGradNorm);
    optimizer.step();
    observer?.afterStep?.();
    if (options.schedulerStepsPer === 'batch') this.scheduler?.step();
    // set_to_none, PyTorch 2's default: the next backward hands each parameter its gradient without a copy or an add.
    optimizer.zeroGrad(true);
    const size = y.shape[0];
    const seconds = (this.#clock() - startedAt) / 1000;
    this.#totals.lossSum += value * size;
    this.#totals.samples += size;
    this.#totals.correct += correct;
    this.#totals.seconds += seconds;
    this.step++;
    this.batchInEpoch++;
    return { kind: 'ok', loss: value, size, correct, seconds, ...(fellBack ? { fellBack } : {}) };
  }

  /** Forward, loss, backward and the watchdog's check: everything of a batch before the update. */
  #forwardBackward(x: Tensor, y: Tensor): { value: number; correct: number } | BatchOutcome {
    const { inputOf, targetsOf, divergenceFactor, accuracy } = this.#options;
    const output = this.model.forward(inputOf ? inputOf(x) : x) as Tensor;
    const loss = this.lossFn(output, targetsOf ? targetsOf(x, y) : y);
    // Read once the gradients exist, so that a device backend runs forward, loss and backward as one batch with one
    // read (a GPU step plan); the update comes after the watchdog's check.
    loss.backward();
    const { loss: raw, correct } = readMetrics(loss, output, y, accuracy !== false);
    const value = this.lossIsSum ? raw / y.shape[0] : raw;
    const why = !Number.isFinite(value) ? 'not-finite'
      : divergenceFactor != null && this.firstLoss !== null && value > divergenceFactor * this.firstLoss ? 'exploded' : null;
    if (why) {
      this.optimizer.zeroGrad(true); // the diverging batch is not applied
      return { kind: 'diverged', loss: value, why };
    }
    if (this.firstLoss === null) this.firstLoss = value;
    return { value, correct };
  }

  /** Closes the epoch whose batches are done: the scheduler's epoch step, validation on `validation`, its record. */
  finishEpoch(validation?: Batches | null): EpochRecord {
    const totals = this.#totals;
    const lr = this.lr;
    const started = this.#clock();
    if (this.#options.schedulerStepsPer !== 'batch') this.scheduler?.step();
    const val = validation ? this.evaluate(validation) : null;
    this.epoch++;
    this.abandonEpoch();
    return {
      epoch: this.epoch,
      trainLoss: totals.samples ? totals.lossSum / totals.samples : NaN,
      trainAcc: totals.samples && this.#options.accuracy !== false ? totals.correct / totals.samples : NaN,
      valLoss: val ? val.loss : null,
      valAcc: val ? val.accuracy : null,
      seconds: totals.seconds + (this.#clock() - started) / 1000,
      lr,
      samplesPerSec: totals.seconds > 0 ? totals.samples / totals.seconds : 0,
    };
  }

  /** Mean loss and accuracy over `data` with this trainer's loss and hooks (see `evaluate`). */
  evaluate(data: Batches): EvalResult {
    const { inputOf, targetsOf, accuracy } = this.#options;
    return evaluate(this.model, this.lossFn, data, { lossIsSum: this.lossIsSum, inputOf, targetsOf, accuracy });
  }

  optimizerState(this: Trainer<FullOptimizer>): { optimizer: OptimizerStateDict; scheduler: SchedulerStateDict | null } {
    return { optimizer: this.optimizer.stateDict(), scheduler: this.scheduler?.stateDict?.() ?? null };
  }

  /** Puts an optimizer and scheduler state back; null: the optimizer starts afresh (a checkpoint without one). */
  loadOptimizerState(this: Trainer<FullOptimizer>, state: { optimizer: OptimizerStateDict; scheduler: SchedulerStateDict | null } | null): void {
    if (!state) {
      this.optimizer.state.clear();
      return;
    }
    this.optimizer.loadStateDict(state.optimizer);
    if (state.scheduler) this.scheduler?.loadStateDict?.(state.scheduler);
  }
}

/**
 * A batch's loss and, when `counted`, how many rows of `output` have their largest value at the label's index
 * (0 otherwise), read together: stepMetrics computes both where the backend ran the step (wasm reads a resident
 * Linear output in place; a GPU counts on the device), so a device backend's step ends in this one read.
 */
export function readMetrics(loss: Tensor, output: Tensor, labels: Tensor, counted: boolean): { loss: number; correct: number } {
  if (!counted) return { loss: loss.item(), correct: 0 };
  const [value, correct] = stepMetrics(loss, output, labels).data;
  return { loss: value, correct };
}

/**
 * Hands a finished batch back to its DataLoader, so that the next is gathered into its arrays rather than new ones
 * (dataloader.ts `release`; issue #19). Only on a backend whose kernels have read their inputs when they return (the
 * CPU, wasm); a device backend may still hold launches that read the batch, so it gets new arrays as before.
 */
export function releaseBatch(data: Batches, batch: [Tensor, Tensor]): void {
  if (!(data instanceof DataLoader) || !canReuseBatches()) return;
  pinBatch(batch);
  data.release(batch);
}

/**
 * Moves a finished batch's arrays into the backend's memory where it pins arrays (wasm; once per array, then a
 * lookup), for the next batch to be gathered into them there: where the kernels read it in place (the MLP's first
 * layer copied its 200 KB input in twice a step) and a byte dataset's gather writes it (K.GatherBytes).
 */
export function pinBatch(batch: readonly Tensor[]): void {
  for (const t of batch) pinTensor(t);
}

/** Whether a finished batch's arrays may be written with the next: the backend keeps nothing that reads them. */
export function canReuseBatches(): boolean {
  return getBackend().keep === undefined;
}

export interface EvaluateOptions {
  /** Whether lossFn returns a sum over the batch rather than the per-sample mean. */
  lossIsSum?: boolean;
  inputOf?: (x: Tensor) => Tensor;
  targetsOf?: (x: Tensor, y: Tensor) => Tensor;
  /** false where the target is not a class (an autoencoder's image): accuracy is NaN. */
  accuracy?: boolean;
}

/** Mean loss and accuracy over `data`, in eval mode and without gradients; restores the training mode after. */
export function evaluate(model: Module, lossFn: LossFn, data: Batches, options: EvaluateOptions = {}): EvalResult {
  const wasTraining = model.training;
  model.eval();
  let total = 0, hits = 0, samples = 0;
  try {
    noGrad(() => {
      for (const batch of data) {
        const [x, y] = batch;
        endStep(); // the last batch's activations are done with, as in training: a device backend frees them
        const output = model.forward(options.inputOf ? options.inputOf(x) : x) as Tensor;
        const metrics = readMetrics(lossFn(output, options.targetsOf ? options.targetsOf(x, y) : y), output, y, options.accuracy !== false);
        const n = y.shape[0];
        total += options.lossIsSum ? metrics.loss : metrics.loss * n;
        hits += metrics.correct;
        samples += n;
        releaseBatch(data, batch);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: samples ? total / samples : NaN, accuracy: samples && options.accuracy !== false ? hits / samples : NaN, samples };
}
