/**
 * One run's model, optimizer, scheduler and data around the engine's Trainer (engine/train/trainer.ts), which
 * trains it one batch at a time so the run loop can pause, step and stop between any two batches. What is the
 * run's, not the loop's, lives here:
 *
 * ```text
 * per batch:  the epoch's next batch (its order drawn by the run's seed), augmented?; trainer.trainBatch(x, y)
 *             (loss, watchdog at 10× the first loss, clip?, step, a per-batch scheduler's step (OneCycleLR),
 *             CPU fallback: all the engine's)
 * per epoch:  trainer.finishEpoch(validation)   (an epoch scheduler's step, validation)
 * sampled:    on the first batch and every N after, a LayerProbe reads every layer around backward and step (#16.3)
 * ```
 * The run's seed draws its train/validation split (spec.data.validationSize held out, stratified) and each epoch's
 * shuffle (common/split.ts), so an epoch replayed after a crash sees the same batches, and the PyTorch twin given
 * the same seed trains on the same images in the same order. On the CPU and wasm, without augmentation, each batch
 * is gathered into the last one's arrays, as the CLI's DataLoader does (issue #19). No clocks of its own beyond
 * performance.now for the samples/s figure, and no IO.
 */
import type { EpochRecord, RunOptions, RunPosition, RunSplit, TrainingDataset } from '../../../common/training-protocol';
import type { LayerStats, LayerStatsSample } from '../../../common/layer-stats';
import type { ModelSpec } from '../../../common/model-spec/types';
import { epochOrder, stratifiedSplit, type SplitIndices } from '../../../common/split';
import { resolveAugment, type ResolvedAugment } from '../../../common/model-spec/augment';
import { schedulerStepsPer } from '../../../common/model-spec/catalogue';
import { measuresAccuracy } from '../../../common/model-spec/target';
import {
  data as engineData, getBackend, inspect, manualSeed, nn, optim, spec as engineSpec, train, trainingStep, type Tensor,
} from '../../../engine/index';
import { EngineTextError, engineText } from '../../../common/engine-text';

const { augmentBatch, batchesOf, batchIndices, datasetsFromImageSets, Subset } = engineData;
const { buildModel, inputShape, makeLoss, makeOptimizer, makeScheduler, makeTargetsOf, prepareInput } = engineSpec;
const { diagnose, LayerProbe, sampleEvery, SampleSchedule, STATS_BUDGET } = inspect;


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

const NORMALIZATION = { none: 'none', scale: 'scale', standardize: 'mnist' } as const satisfies Record<string, engineData.Normalization>;

export type BatchOutcome =
  | (Extract<train.BatchOutcome, { kind: 'ok' }> & {
    epochDone: boolean;
    /** The layers' statistics, on the batches the trainer samples (#16.3). */
    layerStats?: LayerStatsSample;
  })
  | Extract<train.BatchOutcome, { kind: 'diverged' }>;

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
    throw new EngineTextError(engineText('run.validationTooLarge', {
      size: validationSize, dataset, count: n.toLocaleString('en-US'), max: (n - 1).toLocaleString('en-US'),
    }));
  }
  return stratifiedSplit(labels, { validation: validationSize, seed });
}

/** Datasets as tensors are built once per loaded dataset and shared by runs that normalise the same way. */
const datasetCache = new WeakMap<TrainingDataset, Map<string, engineData.ImageDatasets>>();

export function tensorsFor(data: TrainingDataset, spec: ModelSpec): engineData.ImageDatasets {
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

/** A batch's LayerProbe as the engine Trainer's observer: a device that cannot be read skips the sample, and its time is kept. */
class ProbeObserver implements train.BatchObserver {
  ms = 0;
  layers: LayerStats[] | undefined;
  #probe: inspect.LayerProbe | null;

  constructor(model: nn.Module) {
    this.#probe = new LayerProbe(model);
  }

  get sampled(): boolean {
    return this.#probe !== null;
  }

  afterBackward(): void {
    const mark = performance.now();
    try {
      this.#probe?.afterBackward(); // the gradients as backward left them, before any clipping
    } catch {
      // A device that cannot be read now (lost, or its thread hung): the batch goes on without its sample, and the
      // update's own fallback (wasm/optim.ts) deals with the device.
      this.dispose();
    }
    this.ms += performance.now() - mark;
  }

  afterStep(): void {
    const mark = performance.now();
    try {
      this.layers = this.#probe?.afterStep();
    } catch {
      this.layers = undefined; // as above: no sample this batch
    }
    this.ms += performance.now() - mark;
  }

  dispose(): void {
    this.#probe?.dispose();
    this.#probe = null;
  }
}

export class RunTrainer {
  /** The engine's loop, which this run drives. */
  readonly loop: train.Trainer<engineSpec.AnyOptimizer>;
  readonly model: nn.Module;
  readonly lossFn: train.LossFn;
  /** What the loss compares the output with: the labels, or an autoencoder's input image (data.target 'image'). */
  readonly targetsOf: ((x: Tensor, y: Tensor) => Tensor) | undefined;
  readonly optimizer: engineSpec.AnyOptimizer;
  readonly scheduler: optim.LRScheduler | null;
  readonly sets: engineData.ImageDatasets;
  readonly lossIsSum: boolean;
  readonly split: RunSplit;
  /**
   * Whether batches are sampled for layer statistics (engine/inspect: the first, then every 50, or every 500 on a
   * device backend, whose reads are downloads, or further apart where a sample would cost over `statsBudget` of the
   * time between two).
   */
  inspect = true;
  /** The share of training time the samples may take; Infinity keeps the fixed schedule (tests). */
  statsBudget = STATS_BUDGET;
  /** spec.data.augment with its defaults, applied to training batches only; null when it changes nothing. */
  readonly augment: ResolvedAugment | null;
  #schedule: inspect.SampleSchedule | null = null;
  #observer: ProbeObserver | null = null;
  #batches: Int32Array[] | null = null;
  /** The last batch's arrays, for the next to be gathered into (CPU and wasm, no augmentation). */
  #spare: Array<engineData.TypedData | null> | null = null;

  constructor(readonly spec: ModelSpec, readonly data: TrainingDataset, readonly options: ResolvedOptions, splitRule: SplitRule = 'run-seed') {
    const { height, width } = data.train;
    const shape = inputShape(spec);
    if (shape.reduce((a, b) => a * b, 1) !== height * width) {
      throw new EngineTextError(engineText('run.inputMismatch', { dataset: data.name, height, width, values: height * width, shape: shape.join(', ') }));
    }
    // Before the model is built: a batch larger than the training set is a typo, and building for it can take minutes.
    const trainImages = splitRule === 'main-default' ? data.split.train.length : data.train.count - spec.data.validationSize;
    if (trainImages > 0 && spec.data.batchSize > trainImages) {
      throw new EngineTextError(engineText('run.batchTooLarge', {
        batch: spec.data.batchSize.toLocaleString('en-US'), count: trainImages.toLocaleString('en-US'), dataset: data.name,
      }));
    }
    manualSeed(options.seed);
    this.model = buildModel(spec);
    this.lossFn = makeLoss(spec);
    this.targetsOf = makeTargetsOf(spec);
    this.optimizer = makeOptimizer(spec, this.model.parameters());
    const tensors = tensorsFor(data, spec);
    const indices = splitRule === 'main-default'
      ? data.split
      : runSplit(data.train.labels, spec.data.validationSize, options.seed, data.name);
    this.sets = { ...tensors, train: new Subset(tensors.full, indices.train), validation: new Subset(tensors.full, indices.validation) };
    this.split = { seed: splitRule === 'main-default' ? null : options.seed, train: indices.train.length, validation: indices.validation.length };
    this.lossIsSum = (spec.loss.params as { reduction?: unknown }).reduction === 'sum';
    this.augment = resolveAugment(spec.data);
    // Once the split is known: OneCycleLR left without total_steps cycles over the whole run, epochs × batches.
    this.scheduler = makeScheduler(spec, this.optimizer, { epochs: options.epochs, batchesPerEpoch: this.batchesPerEpoch });
    this.loop = new train.Trainer({
      model: this.model, lossFn: this.lossFn, optimizer: this.optimizer, scheduler: this.scheduler, lossIsSum: this.lossIsSum,
      schedulerStepsPer: spec.scheduler ? schedulerStepsPer(spec.scheduler.type) : 'epoch',
      clipGradNorm: options.clipGradNorm, divergenceFactor: train.DIVERGENCE_FACTOR, fallbackToCpu: true,
      inputOf: (x) => prepareInput(spec, x),
      // An image target (an autoencoder) counts no accuracy: its records hold NaN for it.
      targetsOf: this.targetsOf, accuracy: measuresAccuracy(spec),
      observe: (step) => (this.#observer = this.inspect && this.#schedule!.due(step) ? new ProbeObserver(this.model) : null),
      clock: () => performance.now(),
    });
  }

  /** Completed epochs; the epoch in progress is epoch + 1. */
  get epoch(): number {
    return this.loop.epoch;
  }

  set epoch(epoch: number) {
    this.loop.epoch = epoch;
  }

  /** Batches trained over the whole run. */
  get step(): number {
    return this.loop.step;
  }

  set step(step: number) {
    this.loop.step = step;
  }

  /** The run's first batch loss, the watchdog's yardstick. */
  get firstLoss(): number | null {
    return this.loop.firstLoss;
  }

  set firstLoss(loss: number | null) {
    this.loop.firstLoss = loss;
  }

  get lr(): number {
    return this.loop.lr;
  }

  setLr(lr: number): void {
    this.loop.setLr(lr);
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.sets.train.length / this.spec.data.batchSize);
  }

  /** Batches done in the epoch in progress. */
  get batchInEpoch(): number {
    return this.#batches ? this.loop.batchInEpoch : 0;
  }

  get epochTotals(): train.EpochTotals {
    return this.loop.epochTotals;
  }

  /** Where the epoch in progress stands, for a checkpoint within it; null between epochs. */
  get position(): RunPosition | null {
    return this.#batches ? this.loop.position : null;
  }

  /**
   * Continues an epoch from a checkpoint within it (weights and optimizer already loaded): the same batch order,
   * `batch` batches done. Dropout draws for the rest of the epoch start over, so they differ from the lost run's.
   */
  resumeAt(position: RunPosition): void {
    this.loop.epoch = position.epoch - 1;
    this.#startEpoch();
    this.loop.resumeAt(position);
  }

  /**
   * Trains the epoch's next batch (starting a new epoch when none is in progress). A diverging batch is not applied.
   * When the backend in use fails during the forward or backward pass (a GPU context lost), nothing has been
   * applied yet: the engine's Trainer switches to the CPU and does the same batch again there (`fellBack` says so).
   * The optimizer's update comes after, and its fast kernels fall back to the CPU per parameter on their own
   * (wasm/optim.ts).
   */
  trainBatch(): BatchOutcome {
    if (!this.#batches) this.#startEpoch();
    const indices = this.#batches![this.loop.batchInEpoch];
    const started = performance.now();
    const reuse = this.#spare;
    this.#spare = null; // each spare array is written into once: the batch that gets it owns it
    const [gathered, y] = this.sets.train.getBatch(indices, reuse ?? undefined, this.#batches![this.loop.batchInEpoch + 1]);
    // Seeded by (run seed, step): a batch replayed after a crash or a fallback is augmented the same way.
    const x = this.augment
      ? augmentBatch(gathered, this.augment, { seed: this.options.seed, step: this.step, normalize: NORMALIZATION[this.spec.data.normalize] })
      : gathered;
    this.#schedule ??= new SampleSchedule(sampleEvery(this.batchesPerEpoch, getBackend().keep !== undefined), this.statsBudget);
    this.#observer = null;
    const outcome = this.loop.trainBatch(x, y, started);
    const observer = this.#observer as ProbeObserver | null;
    // Nothing reads the batch any more; on a device backend its launches may still (train.canReuseBatches).
    if (!this.augment && train.canReuseBatches()) {
      train.pinBatch([gathered, y]); // the next batch is gathered where the kernels read it (wasm)
      this.#spare = [gathered.hostData, y.hostData];
    }
    if (outcome.kind === 'diverged') return outcome;
    const probeMs = observer?.ms ?? 0;
    this.#schedule.record(this.step, outcome.seconds * 1000 - probeMs, observer?.sampled ? probeMs : undefined);
    const layers = observer?.layers;
    const layerStats = layers
      ? { step: this.step, epoch: this.epoch + 1, batch: this.loop.batchInEpoch, layers, flags: diagnose(layers) }
      : undefined;
    return { ...outcome, epochDone: this.loop.batchInEpoch >= this.#batches!.length, ...(layerStats ? { layerStats } : {}) };
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
    return trainingStep(model, this.lossFn, optimizer, prepareInput(this.spec, x), this.targetsOf ? this.targetsOf(x, y) : y);
  }

  /** Closes the epoch whose batches are all done: scheduler step, validation, the epoch's record. */
  finishEpoch(): EpochRecord {
    this.#batches = null;
    return this.loop.finishEpoch(this.sets.validation.length > 0 ? this.#validationBatches() : null);
  }

  /** Forgets the epoch in progress (after a divergence or a restore, the next batch starts the epoch over). */
  abandonEpoch(): void {
    this.#batches = null;
    this.loop.abandonEpoch();
  }

  validate(): train.EvalResult | null {
    return this.sets.validation.length > 0 ? this.loop.evaluate(this.#validationBatches()) : null;
  }

  optimizerState(): { optimizer: optim.OptimizerStateDict; scheduler: optim.SchedulerStateDict | null } {
    return this.loop.optimizerState();
  }

  /** Puts an optimizer and scheduler state back; null (a checkpoint without one): the optimizer starts afresh. */
  loadOptimizerState(state: { optimizer: optim.OptimizerStateDict; scheduler: optim.SchedulerStateDict | null } | null): void {
    this.loop.loadOptimizerState(state);
  }

  #startEpoch(): void {
    const epoch = this.epoch + 1;
    // Seed per epoch, so a replayed epoch shuffles (and drops out) exactly as the lost one did.
    manualSeed(this.options.seed * 100_003 + epoch);
    const order = epochOrder(this.sets.train.length, this.options.seed, epoch, this.spec.data.shuffle);
    this.#batches = batchesOf(order, this.spec.data.batchSize);
    this.loop.abandonEpoch();
  }

  *#validationBatches(): Generator<[Tensor, Tensor]> {
    const validation = this.sets.validation;
    for (const idx of batchIndices(validation.length, { batchSize: 256 })) yield validation.getBatch(idx);
  }
}
