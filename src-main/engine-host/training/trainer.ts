/**
 * One run's model, optimizer, scheduler and data, trained one batch at a time so the run manager can pause, step
 * and stop between any two batches. The loop is engine/spec/fit.ts's, unrolled:
 *
 * ```text
 * per batch:  xb = augment(xb)?; loss = lossFn(model(xb), yb); check it (watchdog); loss.backward(); clip?; opt.step(); opt.zeroGrad(set_to_none=True)
 * per epoch:  scheduler?.step(); validation loss/accuracy in eval mode without gradients
 * sampled:    on the first batch and every N after, a LayerProbe reads every layer around backward and step (#16.3)
 * ```
 * The run's seed draws its train/validation split (spec.data.validationSize held out, stratified) and each epoch's
 * shuffle (common/split.ts), so an epoch replayed after a crash sees the same batches, and the PyTorch twin given
 * the same seed trains on the same images in the same order. No clocks of its own beyond performance.now for the
 * samples/s figure, and no IO.
 */
import type { EpochRecord, RunOptions, RunPosition, RunSplit, TrainingDataset } from '../../../common/training-protocol';
import type { LayerStats, LayerStatsSample } from '../../../common/layer-stats';
import type { ModelSpec } from '../../../common/spec/types';
import { epochOrder, stratifiedSplit, type SplitIndices } from '../../../common/split';
import { manualSeed } from '../../../engine/random';
import { argmax } from '../../../engine/ops/index';
import type { Tensor } from '../../../engine/tensor';
import { clipGradNorm } from '../../../engine/nn/clip-grad';
import type { Module } from '../../../engine/nn/module';
import type { LRScheduler, OptimizerStateDict, SchedulerStateDict } from '../../../engine/optim/index';
import { batchesOf, batchIndices } from '../../../engine/data/sampler';
import { Subset } from '../../../engine/data/dataset';
import { datasetsFromImageSets, type ImageDatasets } from '../../../engine/data/image-sets';
import type { Normalization } from '../../../engine/data/transforms';
import {
  buildModel, inputShape, makeLoss, makeOptimizer, makeScheduler, prepareInput, type AnyOptimizer, type LossFn,
} from '../../../engine/spec/build';
import { evaluate, type EvalResult } from '../../../engine/spec/fit';
import { augmentBatch } from '../../../engine/data/augment';
import { resolveAugment, type ResolvedAugment } from '../../../common/spec/augment';
import { measuresAccuracy } from '../../../common/spec/target';
import { endStep, getBackend, setBackend } from '../../../engine/backend/backend';
import { trainingStep } from '../../../engine/backend/choose';
import { diagnose } from '../../../engine/inspect/diagnose';
import { LayerProbe, sampleEvery, SampleSchedule, STATS_BUDGET } from '../../../engine/inspect/layer-stats';

/** A run's options with the defaults filled in. */
export interface ResolvedOptions {
  epochs: number;
  seed: number;
  earlyStopping: { patience: number; minDelta: number } | null;
  clipGradNorm: number | null;
  /** 'auto' (measure and take the fastest) or a backend name. */
  backend: string;
}

export function resolveOptions(options: RunOptions = {}): ResolvedOptions {
  return {
    epochs: options.epochs ?? 10,
    seed: options.seed ?? 0,
    earlyStopping: options.earlyStopping ? { patience: options.earlyStopping.patience, minDelta: options.earlyStopping.minDelta ?? 0 } : null,
    clipGradNorm: options.clipGradNorm ?? null,
    backend: options.backend ?? 'auto',
  };
}

const NORMALIZATION = { none: 'none', scale: 'scale', standardize: 'mnist' } as const satisfies Record<string, Normalization>;

/** The watchdog: a loss this many times the run's first loss means the run diverged. */
export const DIVERGENCE_FACTOR = 10;

/** A backend that failed during a batch: the batch was done again on the CPU, which the run now uses. */
export interface FellBack {
  from: string;
  error: string;
}

export type BatchOutcome =
  | {
    kind: 'ok'; loss: number; size: number; correct: number; seconds: number; epochDone: boolean; fellBack?: FellBack;
    /** The layers' statistics, on the batches the trainer samples (#16.3). */
    layerStats?: LayerStatsSample;
  }
  | { kind: 'diverged'; loss: number; why: 'not-finite' | 'exploded' };

export interface EpochTotals {
  lossSum: number;
  samples: number;
  correct: number;
  seconds: number;
}

/**
 * Where a run's split comes from: its own seed and spec.data.validationSize ('run-seed'), or, for runs made before
 * runs were split that way, main's default split that came with the dataset ('main-default'), so they resume on
 * the images they trained on.
 */
export type SplitRule = 'run-seed' | 'main-default';

/**
 * The run's split of the training file: `validationSize` images held out, stratified by class, drawn by `seed`.
 * A size the file cannot spare is an error in plain words, never quietly shrunk.
 */
export function runSplit(labels: ArrayLike<number>, validationSize: number, seed: number, dataset: string): SplitIndices {
  const n = labels.length;
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= n) {
    throw new Error(`validation_size is ${validationSize}, but the ${dataset} training file has ${n.toLocaleString('en-US')} images; set it to a whole number from 0 to ${(n - 1).toLocaleString('en-US')}, so that some images are left to train on`);
  }
  return stratifiedSplit(labels, { validation: validationSize, seed });
}

/** Datasets as tensors are built once per loaded dataset and shared by runs that normalise the same way. */
const datasetCache = new WeakMap<TrainingDataset, Map<string, ImageDatasets>>();

export function tensorsFor(data: TrainingDataset, spec: ModelSpec): ImageDatasets {
  let byNorm = datasetCache.get(data);
  if (!byNorm) datasetCache.set(data, (byNorm = new Map()));
  const key = spec.data.normalize;
  let sets = byNorm.get(key);
  if (!sets) {
    sets = datasetsFromImageSets(data, { normalize: NORMALIZATION[spec.data.normalize] });
    byNorm.set(key, sets);
  }
  return sets;
}

export class Trainer {
  readonly model: Module;
  readonly lossFn: LossFn;
  readonly optimizer: AnyOptimizer;
  readonly scheduler: LRScheduler | null;
  readonly sets: ImageDatasets;
  readonly lossIsSum: boolean;
  readonly split: RunSplit;
  /** Completed epochs; the epoch in progress is epoch + 1. */
  epoch = 0;
  /** Batches trained over the whole run. */
  step = 0;
  /** The run's first batch loss, the watchdog's yardstick. */
  firstLoss: number | null = null;
  /**
   * Whether batches are sampled for layer statistics (engine/inspect: the first, then every 50, or every 500 on a
   * device backend, whose reads are downloads, or further apart where a sample would cost over `statsBudget` of the
   * time between two).
   */
  inspect = true;
  /** The share of training time the samples may take; Infinity keeps the fixed schedule (tests). */
  statsBudget = STATS_BUDGET;
  #schedule: SampleSchedule | null = null;
  #batches: Int32Array[] | null = null;
  #next = 0;
  #totals: EpochTotals = { lossSum: 0, samples: 0, correct: 0, seconds: 0 };
  /** spec.data.augment with its defaults, applied to training batches only; null when it changes nothing. */
  readonly augment: ResolvedAugment | null;
  /** false for an image target (an autoencoder): no accuracy is counted, and the records hold NaN for it. */
  readonly measuresAccuracy: boolean;

  constructor(readonly spec: ModelSpec, readonly data: TrainingDataset, readonly options: ResolvedOptions, splitRule: SplitRule = 'run-seed') {
    const { height, width } = data.train;
    const shape = inputShape(spec);
    if (shape.reduce((a, b) => a * b, 1) !== height * width) {
      throw new Error(`the ${data.name} images are ${height}×${width} (${height * width} values) but the model's Input takes [${shape.join(', ')}]; change the Input shape`);
    }
    // Before the model is built: a batch larger than the training set is a typo, and building for it can take minutes.
    const trainImages = splitRule === 'main-default' ? data.split.train.length : data.train.count - spec.data.validationSize;
    if (trainImages > 0 && spec.data.batchSize > trainImages) {
      throw new Error(
        `the batch size is ${spec.data.batchSize.toLocaleString('en-US')}, more than the ${trainImages.toLocaleString('en-US')} ` +
          `training images of ${data.name}; set it to at most ${trainImages.toLocaleString('en-US')} (64 is usual)`,
      );
    }
    manualSeed(options.seed);
    this.model = buildModel(spec);
    this.lossFn = makeLoss(spec);
    this.optimizer = makeOptimizer(spec, this.model.parameters());
    this.scheduler = makeScheduler(spec, this.optimizer);
    const tensors = tensorsFor(data, spec);
    const indices = splitRule === 'main-default'
      ? data.split
      : runSplit(data.train.labels, spec.data.validationSize, options.seed, data.name);
    this.sets = { ...tensors, train: new Subset(tensors.full, indices.train), validation: new Subset(tensors.full, indices.validation) };
    this.split = { seed: splitRule === 'main-default' ? null : options.seed, train: indices.train.length, validation: indices.validation.length };
    this.lossIsSum = (spec.loss.params as { reduction?: unknown }).reduction === 'sum';
    this.augment = resolveAugment(spec.data);
    this.measuresAccuracy = measuresAccuracy(spec);
  }

  get lr(): number {
    return this.optimizer.paramGroups[0].lr;
  }

  setLr(lr: number): void {
    for (const group of this.optimizer.paramGroups) group.lr = lr;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.sets.train.length / this.spec.data.batchSize);
  }

  /** Batches done in the epoch in progress. */
  get batchInEpoch(): number {
    return this.#batches ? this.#next : 0;
  }

  get epochTotals(): EpochTotals {
    return { ...this.#totals };
  }

  /** Where the epoch in progress stands, for a checkpoint within it; null between epochs. */
  get position(): RunPosition | null {
    if (!this.#batches || this.#next === 0) return null;
    return { epoch: this.epoch + 1, batch: this.#next, step: this.step, totals: { ...this.#totals } };
  }

  /**
   * Continues an epoch from a checkpoint within it (weights and optimizer already loaded): the same batch order,
   * `batch` batches done. Dropout draws for the rest of the epoch start over, so they differ from the lost run's.
   */
  resumeAt(position: RunPosition): void {
    this.epoch = position.epoch - 1;
    this.#startEpoch();
    this.#next = position.batch;
    this.#totals = { ...position.totals };
    this.step = position.step;
  }

  /**
   * Trains one batch (starting a new epoch when none is in progress). A diverging batch is not applied. When the
   * backend in use fails during the forward or backward pass (a GPU context lost), nothing has been applied yet:
   * the run switches to the CPU and does the same batch again there (`fellBack` says so). The optimizer's update
   * comes after, and its fast kernels fall back to the CPU per parameter on their own (wasm/optim.ts).
   */
  trainBatch(): BatchOutcome {
    if (!this.#batches) this.#startEpoch();
    const indices = this.#batches![this.#next];
    const started = performance.now();
    this.model.train();
    const [gathered, y] = this.sets.train.getBatch(indices);
    // Seeded by (run seed, step): a batch replayed after a crash or a fallback is augmented the same way.
    const x = this.augment
      ? augmentBatch(gathered, this.augment, { seed: this.options.seed, step: this.step, normalize: NORMALIZATION[this.spec.data.normalize] })
      : gathered;
    endStep(); // the last batch's tensors are done with: the wasm backend reuses their memory
    let fellBack: FellBack | undefined;
    let pass: { output: Tensor; value: number } | BatchOutcome;
    const buffers = getBackend().name === 'cpu' ? null : this.model.buffers().map((b) => b.data.slice());
    this.#schedule ??= new SampleSchedule(sampleEvery(this.batchesPerEpoch, getBackend().keep !== undefined), this.statsBudget);
    let probe = this.inspect && this.#schedule.due(this.step + 1) ? new LayerProbe(this.model) : null;
    let probeMs = 0;
    try {
      try {
        pass = this.#forwardBackward(x, y);
      } catch (error) {
        const from = getBackend().name;
        if (from === 'cpu') throw error;
        // Gradients the failed backward half-accumulated, and running statistics its forward updated, are undone.
        this.optimizer.zeroGrad(true);
        this.model.buffers().forEach((b, i) => b.data.set(buffers![i]));
        setBackend('cpu');
        fellBack = { from, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
        pass = this.#forwardBackward(x, y);
      }
    } catch (error) {
      probe?.dispose();
      throw error;
    }
    if ('kind' in pass) {
      probe?.dispose();
      return pass;
    }
    const { output, value } = pass;
    // Counted right after the loss was read, before the update's launches: a read after them would send them to a
    // GPU as a batch of their own, a second submit each step.
    const correct = this.measuresAccuracy ? countCorrect(output, y) : 0;
    let mark = performance.now();
    try {
      probe?.afterBackward(); // the gradients as backward left them, before any clipping
    } catch {
      // A device that cannot be read now (lost, or its thread hung): the batch goes on without its sample, and the
      // update's own fallback (wasm/optim.ts) deals with the device.
      probe?.dispose();
      probe = null;
    }
    probeMs += performance.now() - mark;
    if (this.options.clipGradNorm !== null) clipGradNorm(this.model.parameters(), this.options.clipGradNorm);
    this.optimizer.step();
    mark = performance.now();
    let layers: LayerStats[] | undefined;
    try {
      layers = probe?.afterStep();
    } catch {
      layers = undefined; // as above: no sample this batch
    }
    const flags = layers ? diagnose(layers) : [];
    probeMs += performance.now() - mark;
    this.optimizer.zeroGrad(true); // set_to_none: the next backward adopts its gradients without a copy (autograd.ts)
    const size = y.shape[0];
    const seconds = (performance.now() - started) / 1000;
    this.#totals.lossSum += value * size;
    this.#totals.samples += size;
    this.#totals.correct += correct;
    this.#totals.seconds += seconds;
    this.step++;
    this.#next++;
    this.#schedule.record(this.step, seconds * 1000 - probeMs, probe ? probeMs : undefined);
    const layerStats = layers ? { step: this.step, epoch: this.epoch + 1, batch: this.#next, layers, flags } : undefined;
    return {
      kind: 'ok', loss: value, size, correct, seconds, epochDone: this.#next >= this.#batches!.length,
      ...(fellBack ? { fellBack } : {}), ...(layerStats ? { layerStats } : {}),
    };
  }

  /** Forward, backward, the watchdog's check: everything of a batch before the update. */
  #forwardBackward(x: Tensor, y: Tensor): { output: Tensor; value: number } | BatchOutcome {
    const input = prepareInput(this.spec, x);
    const output = this.model.forward(input) as Tensor;
    const loss = this.lossFn(output, y, input);
    // The loss is read once the gradients exist, so that a device backend runs forward, loss and backward as one
    // batch with one read (a GPU step plan); the update comes after the watchdog's check, as before.
    loss.backward();
    const raw = loss.item();
    const value = this.lossIsSum ? raw / y.shape[0] : raw;
    const diverged = !Number.isFinite(value) ? 'not-finite' : this.firstLoss !== null && value > DIVERGENCE_FACTOR * this.firstLoss ? 'exploded' : null;
    if (diverged) {
      this.optimizer.zeroGrad(true); // the diverging batch is not applied
      return { kind: 'diverged', loss: value, why: diverged };
    }
    if (this.firstLoss === null) this.firstLoss = value;
    return { output, value };
  }

  /**
   * One training step of a copy of this run's model (same spec, a fresh optimizer) on the first batch of its
   * training set, for the backend chooser to time: the run's own weights and optimizer state are not touched.
   */
  measureStep(): () => void {
    const model = buildModel(this.spec);
    model.train();
    const optimizer = makeOptimizer(this.spec, model.parameters());
    const size = Math.min(this.spec.data.batchSize, this.sets.train.length);
    const [x, y] = this.sets.train.getBatch(Int32Array.from({ length: size }, (_, i) => i));
    const input = prepareInput(this.spec, x);
    return trainingStep(model, (out, labels) => this.lossFn(out, labels, input), optimizer, input, y);
  }

  /** Closes the epoch whose batches are all done: scheduler step, validation, the epoch's record. */
  finishEpoch(): EpochRecord {
    const totals = this.#totals;
    const lr = this.lr;
    const started = performance.now();
    this.scheduler?.step();
    const val = this.validate();
    this.epoch++;
    this.#batches = null;
    this.#next = 0;
    this.#totals = { lossSum: 0, samples: 0, correct: 0, seconds: 0 };
    return {
      epoch: this.epoch,
      trainLoss: totals.samples ? totals.lossSum / totals.samples : NaN,
      trainAcc: totals.samples && this.measuresAccuracy ? totals.correct / totals.samples : NaN,
      valLoss: val ? val.loss : null,
      valAcc: val ? val.accuracy : null,
      seconds: totals.seconds + (performance.now() - started) / 1000,
      lr,
      samplesPerSec: totals.seconds > 0 ? totals.samples / totals.seconds : 0,
    };
  }

  /** Forgets the epoch in progress (after a divergence or a restore, the next batch starts the epoch over). */
  abandonEpoch(): void {
    this.#batches = null;
    this.#next = 0;
    this.#totals = { lossSum: 0, samples: 0, correct: 0, seconds: 0 };
  }

  validate(): EvalResult | null {
    if (this.sets.validation.length === 0) return null;
    const inputs = this.#evalBatches(this.sets.validation.length, (idx) => this.sets.validation.getBatch(idx));
    return evaluate(this.model, this.lossFn, inputs, { lossIsSum: this.lossIsSum, accuracy: this.measuresAccuracy });
  }

  optimizerState(): { optimizer: OptimizerStateDict; scheduler: SchedulerStateDict | null } {
    return { optimizer: this.optimizer.stateDict(), scheduler: this.scheduler?.stateDict() ?? null };
  }

  loadOptimizerState(state: { optimizer: OptimizerStateDict; scheduler: SchedulerStateDict | null }): void {
    this.optimizer.loadStateDict(state.optimizer);
    if (this.scheduler && state.scheduler) this.scheduler.loadStateDict(state.scheduler);
  }

  #startEpoch(): void {
    const epoch = this.epoch + 1;
    // Seed per epoch, so a replayed epoch shuffles (and drops out) exactly as the lost one did.
    manualSeed(this.options.seed * 100_003 + epoch);
    const order = epochOrder(this.sets.train.length, this.options.seed, epoch, this.spec.data.shuffle);
    this.#batches = batchesOf(order, this.spec.data.batchSize);
    this.#next = 0;
  }

  *#evalBatches(n: number, get: (idx: Int32Array) => [Tensor, Tensor]): Generator<[Tensor, Tensor]> {
    for (const idx of batchIndices(n, { batchSize: 256 })) {
      const [x, y] = get(idx);
      yield [prepareInput(this.spec, x), y];
    }
  }
}

export function countCorrect(output: Tensor, labels: Tensor): number {
  const predicted = argmax(output.detach(), 1).data;
  const y = labels.data;
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) hits++;
  return hits;
}
