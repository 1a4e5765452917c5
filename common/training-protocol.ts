/**
 * The training members of the engine protocol (common/engine-protocol.ts joins them into its unions): run
 * lifecycle, per-batch and per-epoch metrics, evaluation, prediction, the run history, and the main-only messages
 * that hand the engine host its runs folder and its datasets.
 *
 * A run, as the engine host drives it:
 *
 *   run-start ─▶ loading ─(dataset from main)─▶ running ⇄ paused ─▶ stopped | completed | early-stopped
 *                                                  │                    (weights kept; evaluate/predict still work)
 *                                                  └─ loss NaN/Inf or > 10× the first loss ─▶ diverged
 *                                                       (last good checkpoint restored; `run-diverged` offers a fix)
 *
 * One run trains at a time: `run-start` while another run is loading, running or paused is refused with an
 * `error` naming that run (no queue: the user decides whether to stop the current one).
 *
 * Everything here is plain data that survives JSON (the browser host bridges renderer traffic over a WebSocket),
 * except `dataset`, which only main sends, over structured clone, with its typed arrays.
 */
import { isEngineText, type EngineText } from './engine-text';
import type { ModelSpec } from './model-spec/types';
import type { ResolvedAugment } from './model-spec/augment';
import type { LayerStatsSample } from './layer-stats';

// ---------- run records (also the JSON files in <data dir>/runs/<id>/) ----------

export type RunState = 'loading' | 'running' | 'paused' | 'stopped' | 'completed' | 'early-stopped' | 'diverged' | 'failed';

/** States in which the run holds the trainer: another run-start is refused. */
export const ACTIVE_RUN_STATES: readonly RunState[] = ['loading', 'running', 'paused'];

/**
 * The states in which a run may be evaluated on the test set: it has ended (finished, stopped by the user, by early
 * stopping or by the watchdog). While it loads, trains or pauses the test set stays locked: a look taken while the
 * learner can still change the run would make the test score one more thing tuned for, not a measure of unseen data.
 */
export const TEST_SET_STATES: readonly RunState[] = ['completed', 'early-stopped', 'stopped', 'diverged'];

export interface EarlyStopping {
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  /** How much lower the validation loss must be to count as better. Default 0. */
  minDelta?: number;
}

export interface RunOptions {
  /** Shown in the run history; defaults to the spec's name and the date. */
  name?: string;
  /** Default 10. */
  epochs?: number;
  /** Seeds the initial weights and each epoch's shuffle. Default 0. */
  seed?: number;
  /** Stop when the validation loss stops improving, and restore the best epoch's weights. */
  earlyStopping?: EarlyStopping | null;
  /** clip_grad_norm_ of every batch's gradients to this norm. */
  clipGradNorm?: number | null;
  /**
   * The engine backend to train on ('cpu', 'wasm', …), or 'auto' (the default): time a few steps of this model
   * on every backend at the start and take the fastest (reported in `run-backend`).
   */
  backend?: string;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number | null;
  valAcc: number | null;
  seconds: number;
  /** The learning rate the epoch trained with. */
  lr: number;
  samplesPerSec: number;
}

/** Something that happened to a run between epochs: an lr change, a crash it recovered from, a divergence. */
export interface RunMarker {
  kind: 'lr' | 'recovered' | 'diverged' | 'restarted' | 'backend';
  /** Global batch count when it happened. */
  step: number;
  epoch: number;
  message: string;
  from?: number;
  to?: number;
}

export interface RunHistory {
  epochs: EpochRecord[];
  markers: RunMarker[];
}

/** run.json: what the run history list shows and what crash recovery needs. */
export interface RunMeta {
  id: string;
  name: string;
  /** The spec's name, e.g. `LeNet-5`. */
  model: string;
  dataset: string;
  state: RunState;
  /** Why it is in that state, in plain words (early stopping, a divergence, a crash). */
  reason: string | null;
  /** The same reason as sentence codes, for the renderer to word in the learner's language (absent on older runs). */
  reasonText?: EngineText[];
  createdAt: string;
  updatedAt: string;
  options: Required<Pick<RunOptions, 'epochs' | 'seed'>> & Pick<RunOptions, 'earlyStopping' | 'clipGradNorm' | 'backend'>;
  /** Epochs completed and checkpointed. */
  epochsDone: number;
  /** Global batch count at the last checkpoint. */
  step: number;
  lr: number;
  bestEpoch: number | null;
  bestValLoss: number | null;
  bestValAcc: number | null;
  /** Epochs without improvement so far (early stopping). */
  badEpochs: number;
  /** The loss of the run's first batch: the watchdog's yardstick. */
  firstLoss: number | null;
  /** How many times the run came back after its engine host crashed or hung (its parent's end does not count). */
  recoveries: number;
  /**
   * Set when the engine host ended because its parent did (the web server or Electron's main was closed or killed):
   * the resume that follows is not the run's fault, so it is not counted in `recoveries`.
   */
  parentEnded?: boolean;
  /**
   * The checkpoint within the epoch in progress (written every 30 s or so), so a crash loses at most that much of
   * it; absent between epochs. Its weights and optimizer are `partial.safetensors` and `optimizer-partial.safetensors`.
   */
  partial?: RunPosition;
  /** The step the run was resumed at after its last crash: a crash before any checkpoint beyond it is a second one. */
  recoveredAtStep?: number;
  /**
   * The images the run trains and validates on: spec.data.validationSize held out of the training file, stratified,
   * drawn by the run's seed (common/split.ts; the PyTorch twin draws the same with `--seed`). Set once the dataset
   * is loaded. Absent on runs made before runs were split by their own seed: they keep main's default split.
   */
  split?: RunSplit;
  /** How many times the run was evaluated on the test set (absent on runs made before it was counted: none). */
  testEvaluations?: number;
  /**
   * What the run's training batches are augmented with: spec.data.augment with its defaults filled in (null: none).
   * Set once the dataset is loaded; absent on runs made before augmentation.
   */
  augment?: ResolvedAugment | null;
  /** The latest test-set evaluation's figures (the run table shows them); absent until the test set is looked at. */
  lastTest?: { loss: number; accuracy: number; samples: number };
  /** The backend the run computed on last (`options.backend` may say 'auto'); absent on runs made before. */
  backendUsed?: string;
}

/** Where a run stands within an epoch: `batch` batches of `epoch` done, `step` in all, and the epoch's sums so far. */
export interface RunPosition {
  epoch: number;
  batch: number;
  step: number;
  totals: { lossSum: number; samples: number; correct: number; seconds: number };
}

/** A run's split: its sizes, and the seed that drew it (null: main's default split, for runs made before). */
export interface RunSplit {
  seed: number | null;
  train: number;
  validation: number;
}

/** One row of the run history list. */
export interface RunSummary {
  id: string;
  name: string;
  model: string;
  dataset: string;
  state: RunState;
  bestValAcc: number | null;
  epochsDone: number;
  epochs: number;
  createdAt: string;
  updatedAt: string;
}

export interface RunDetail {
  meta: RunMeta;
  spec: ModelSpec;
  history: RunHistory;
}

/** What `run-state` reports: the run's meta plus where it is inside the current epoch. */
export interface RunStatus {
  id: string;
  name: string;
  state: RunState;
  reason: string | null;
  /** `reason` as sentence codes (common/engine-text.ts), when the engine host gave them. */
  reasonText?: EngineText[];
  epoch: number;
  epochs: number;
  /** Batches done in the current epoch, and how many it has. */
  batch: number;
  batches: number;
  step: number;
  lr: number;
  /** The run's split, once its dataset is loaded. */
  split: RunSplit | null;
  /** How many times this run's test set has been looked at (RunMeta.testEvaluations). */
  testEvaluations: number;
}

// ---------- evaluation and prediction ----------

export interface WrongExample {
  /** Index into the evaluated file (the training file for validation, the test file for test). */
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  probabilities: number[];
}

export interface Evaluation {
  split: 'validation' | 'test';
  loss: number;
  accuracy: number;
  samples: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  perClassAccuracy: (number | null)[];
  /** The most confidently wrong examples, most confident first. */
  confidentlyWrong: WrongExample[];
}

export interface LayerActivation {
  /** The module's state-dict name (`0`, `fc1`) and the spec node it came from (`conv1`). */
  name: string;
  nodeId: string | null;
  op: string;
  shape: number[];
  /** Values of the one sample, row-major; cut at 65,536 (see `truncated`). */
  values: number[];
  truncated: boolean;
}

/** One example of an evaluated split, as `run-examples` lists them. */
export interface EvaluatedExample {
  /** Index into the evaluated file (the training file for validation, the test file for test). */
  index: number;
  label: number;
  predicted: number;
  /** The probability of `predicted`: the sort key. */
  confidence: number;
  /** The (up to) three most probable classes, most probable first. */
  top: { class: number; probability: number }[];
}

/** Most examples one `run-examples` answer carries (with their pixels), and how many when `limit` is not given. */
export const RUN_EXAMPLES_MAX = 100;
export const RUN_EXAMPLES_DEFAULT = 48;

/** 'last': the run's latest weights; 'best': its best validation epoch; a number: that epoch's checkpoint. */
export type CheckpointRef = 'last' | 'best' | number;

// ---------- datasets, main → engine host ----------

export interface DatasetImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** DatasetService.load's result without its transfer list. */
export interface TrainingDataset {
  name: string;
  classes: string[];
  train: DatasetImages;
  test: DatasetImages | null;
  split: { train: Int32Array; validation: Int32Array; seed: number };
}

// ---------- messages ----------

export interface RestartAction {
  action: 'restart-from-checkpoint';
  runId: string;
  epoch: number;
  lr: number;
}

export type TrainingRequest =
  /**
   * main only: where run folders live (sent after every hello; a run interrupted by a crash resumes then).
   * `firstHostSinceStart`: main started no engine host before this one, so whatever interrupted a run was not seen
   * by a live main as this engine failing: the app was closed or killed (Electron ends its utility process without
   * a word when main dies), and the resume does not count against the run.
   */
  | { type: 'configure'; runsDir: string; firstHostSinceStart?: boolean }
  /** main only: the answer to a `dataset-request`. */
  | { type: 'dataset'; requestId: number; dataset: TrainingDataset }
  /** `text`: the message as a sentence code where main has one (a dataset not on disk whole: dataset.notReady). */
  | { type: 'dataset-error'; requestId: number; message: string; text?: EngineText }
  | { type: 'run-start'; spec: ModelSpec; dataset?: string; options?: RunOptions }
  | { type: 'run-pause'; runId: string }
  | { type: 'run-resume'; runId: string }
  | { type: 'run-stop'; runId: string }
  | { type: 'run-step'; runId: string; unit: 'batch' | 'epoch' }
  | { type: 'run-set-lr'; runId: string; lr: number }
  /** The watchdog's fix: continue from a checkpoint with a new learning rate. */
  | { type: 'run-restart'; runId: string; epoch?: number; lr?: number }
  | { type: 'run-evaluate'; runId: string; split: 'validation' | 'test'; requestId?: number }
  | { type: 'predict'; requestId: number; image: number[]; runId?: string; checkpoint?: CheckpointRef; activations?: boolean }
  /**
   * A page of the examples behind the run's last evaluation of `split` (all of them, or one confusion-matrix cell:
   * `trueLabel` and/or `predictedLabel`, or only the wrong ones), most confident first, with their images.
   */
  | {
    type: 'run-examples'; requestId: number; runId: string; split: 'validation' | 'test'; trueLabel?: number;
    predictedLabel?: number; misclassifiedOnly?: boolean; offset?: number; limit?: number;
  }
  | { type: 'runs-list' }
  | { type: 'run-open'; runId: string }
  | { type: 'run-curves'; runIds: string[] }
  /** The run's layer statistics so far (#16.3), answered by a `run-layer-stats` event with `history: true`. */
  | { type: 'run-layer-stats'; runId: string }
  /**
   * Loads a `.safetensors` file main has taken in (`uploadWeights`, common/weights-api.ts) into the model `spec`
   * builds, strictly (every key, shape and dtype as PyTorch's load_state_dict would want them), and keeps it as a
   * stopped run of its own, so Predict and Evaluate can use it. The upload is deleted either way.
   */
  | { type: 'run-import'; requestId: number; spec: ModelSpec; uploadId: string; fileName: string };

/** Per batch, throttled to at most 20 a second; `window` carries every batch since the previous message. */
export interface BatchReport {
  runId: string;
  /** When the engine sent it (epoch ms). */
  time: number;
  /** Global batch count (over the whole run) of the last batch in the window. */
  step: number;
  epoch: number;
  /** 1-based index of the last batch in the window, within its epoch, and the epoch's batch count. */
  batch: number;
  batches: number;
  /** The last batch's mean loss and accuracy. */
  loss: number;
  accuracy: number;
  lr: number;
  samplesPerSec: number;
  /** Every batch since the previous report, in order: its mean loss, its size and its correct predictions. */
  window: { loss: number[]; size: number[]; correct: number[] };
  /** The epoch so far: Σ loss·size, Σ size, Σ correct (train loss = lossSum / samples). */
  epochSoFar: { lossSum: number; samples: number; correct: number };
}

/** One backend's time for a training step of the run's model at its batch size; null when the step failed there. */
export interface BackendFigure {
  backend: string;
  msPerStep: number | null;
  error?: string;
}

export type TrainingEvent =
  /**
   * To main: send this dataset. Its `split` (main's default: stratified, fixed seed, 1/12 of the training file) is
   * used only by runs made before runs were split by their own seed; a new run holds out spec.data.validationSize
   * images drawn by its seed (RunMeta.split).
   */
  | { type: 'dataset-request'; requestId: number; dataset: string }
  | { type: 'run-started'; runId: string; meta: RunMeta }
  | { type: 'run-state'; run: RunStatus }
  | ({ type: 'run-batch' } & BatchReport)
  | ({ type: 'run-epoch'; runId: string; best: boolean } & EpochRecord)
  | { type: 'run-marker'; runId: string; marker: RunMarker }
  | {
    type: 'run-diverged'; runId: string; epoch: number; batch: number; loss: number | null;
    /** Plain words: what happened and the likely causes, most likely first. */
    explanation: string; causes: string[]; restoredEpoch: number; fix: RestartAction;
    /** The explanation and causes as sentence codes, for the renderer to word in the learner's language. */
    explanationText?: EngineText; causeTexts?: EngineText[];
  }
  | { type: 'run-recovered'; runId: string; fromEpoch: number; message: string; messageText?: EngineText }
  /**
   * The backend the run computes on: at its start (the fastest of `figures`, or the user's `backend` option when
   * `overridden`), and again with `note` when a backend failed mid-run and training went on on the CPU.
   */
  | {
    type: 'run-backend'; runId: string; chosen: string; figures: BackendFigure[]; overridden: boolean; note?: string;
    /** The note as sentence codes, joined by '; ', for the renderer to word in the learner's language. */
    noteText?: EngineText[];
  }
  | { type: 'run-evaluation'; runId: string; requestId?: number; evaluation: Evaluation }
  | {
    type: 'prediction'; requestId: number; runId: string; checkpoint: CheckpointRef; probabilities: number[];
    predicted: number; activations?: LayerActivation[];
    /** For a spec whose data.target is 'image' (an autoencoder): its output, 784 values row by row; no classes then. */
    image?: number[];
  }
  /** `total` matching examples; this page starts at `offset`. `pixels`: examples.length × height × width grey bytes, base64. */
  | {
    type: 'run-examples'; requestId: number; runId: string; split: 'validation' | 'test'; total: number; offset: number;
    examples: EvaluatedExample[]; height: number; width: number; pixels: string;
  }
  | { type: 'runs'; runs: RunSummary[] }
  | { type: 'run-detail'; run: RunDetail }
  | { type: 'run-curves'; curves: { runId: string; name: string; history: RunHistory }[] }
  /** The answer to `run-import`: the new run that holds the file's weights. */
  | { type: 'run-imported'; requestId: number; run: RunSummary }
  /**
   * Per-layer statistics (common/layer-stats.ts), sampled every N batches: one sample live (`history: false`), or
   * every stored sample in answer to the `run-layer-stats` request (`history: true`).
   */
  | { type: 'run-layer-stats'; runId: string; samples: LayerStatsSample[]; history: boolean };

export const TRAINING_REQUEST_TYPES = [
  'configure', 'dataset', 'dataset-error', 'run-start', 'run-pause', 'run-resume', 'run-stop', 'run-step', 'run-set-lr',
  'run-restart', 'run-evaluate', 'predict', 'runs-list', 'run-open', 'run-curves', 'run-examples', 'run-import',
  'run-layer-stats',
] as const satisfies readonly TrainingRequest['type'][];

/** Requests only main may send; the engine host refuses them from a renderer. */
export const MAIN_ONLY_REQUESTS: readonly TrainingRequest['type'][] = ['configure', 'dataset', 'dataset-error'];

/** Fails to compile when a TrainingRequest type is missing from the list. */
type MissingTrainingType = Exclude<TrainingRequest['type'], (typeof TRAINING_REQUEST_TYPES)[number]>;
export const TRAINING_REQUEST_TYPES_COMPLETE: [MissingTrainingType] extends [never] ? true : MissingTrainingType = true;

/** Run ids are folder names: `20261126-191502-k3f9` (lowercase letters, digits and dashes). */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Weights upload ids are random hex; the engine host finds the upload by it (`<runs dir>/.imports/<id>.safetensors`). */
export const WEIGHTS_UPLOAD_ID = /^[a-f0-9]{24}$/;

export const IMAGE_PIXELS = 28 * 28;

/** Backend names: `cpu`, `wasm+threads`, `gpujs-webasm`. */
const BACKEND_NAME = /^[a-z0-9][a-z0-9+._-]{0,39}$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, min = 0): v is number => Number.isInteger(v) && (v as number) >= min;
const isRunId = (v: unknown): v is string => typeof v === 'string' && RUN_ID_PATTERN.test(v);

function checkKeys(o: Obj, allowed: readonly string[]): string | null {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (!extra.length) return null;
  // Names a few, briefly: a frame can carry a hundred thousand keys, or one of megabytes.
  const named = extra.slice(0, 5).map((k) => (k.length > 40 ? `${k.slice(0, 40)}…` : k)).join(', ');
  return `${o.type}: unexpected field${extra.length > 1 ? 's' : ''} ${named}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}`;
}

function checkImages(v: unknown, what: string): string | null {
  if (!isObj(v)) return `dataset: ${what} must be an object`;
  const { images, labels, count, height, width } = v;
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) return `dataset: ${what} images and labels must be Uint8Arrays`;
  if (!isInt(count) || !isInt(height, 1) || !isInt(width, 1)) return `dataset: ${what} count, height and width must be integers`;
  if (images.length !== count * height * width || labels.length !== count) return `dataset: ${what} holds ${images.length} pixels and ${labels.length} labels for ${count} images of ${height}×${width}`;
  return null;
}

function checkDataset(v: unknown): string | null {
  if (!isObj(v)) return 'dataset: dataset must be an object';
  if (typeof v.name !== 'string' || !Array.isArray(v.classes) || !v.classes.every((c) => typeof c === 'string')) return 'dataset: name and classes are required';
  const problem = checkImages(v.train, 'train') ?? (v.test === null ? null : checkImages(v.test, 'test'));
  if (problem) return problem;
  const split = v.split;
  if (!isObj(split) || !(split.train instanceof Int32Array) || !(split.validation instanceof Int32Array)) return 'dataset: split.train and split.validation must be Int32Arrays';
  const count = (v.train as DatasetImages).count;
  for (const part of [split.train, split.validation]) {
    for (const i of part) if (i < 0 || i >= count) return `dataset: split index ${i} is outside 0..${count - 1}`;
  }
  return null;
}

function checkOptions(v: unknown): string | null {
  if (v === undefined) return null;
  if (!isObj(v)) return 'run-start: options must be an object';
  const extra = checkKeys({ ...v, type: 'run-start options' }, ['type', 'name', 'epochs', 'seed', 'earlyStopping', 'clipGradNorm', 'backend']);
  if (extra) return extra;
  if (v.name !== undefined && (typeof v.name !== 'string' || v.name.length > 200)) return 'run-start: options.name must be a string of at most 200 characters';
  if (v.epochs !== undefined && !(isInt(v.epochs, 1) && (v.epochs as number) <= 10_000)) return 'run-start: options.epochs must be an integer from 1 to 10000';
  if (v.seed !== undefined && !isInt(v.seed)) return 'run-start: options.seed must be a non-negative integer';
  const es = v.earlyStopping;
  if (es !== undefined && es !== null) {
    if (!isObj(es) || !isInt(es.patience, 1)) return 'run-start: options.earlyStopping.patience must be an integer ≥ 1';
    if (es.minDelta !== undefined && !(isNum(es.minDelta) && es.minDelta >= 0)) return 'run-start: options.earlyStopping.minDelta must be ≥ 0';
  }
  if (v.backend !== undefined && !(typeof v.backend === 'string' && BACKEND_NAME.test(v.backend))) return "run-start: options.backend must be 'auto' or a backend name like 'wasm'";
  const clip = v.clipGradNorm;
  if (clip !== undefined && clip !== null && !(isNum(clip) && clip > 0)) return 'run-start: options.clipGradNorm must be a positive number';
  return null;
}

function checkCheckpoint(v: unknown): boolean {
  return v === undefined || v === 'last' || v === 'best' || isInt(v);
}

function checkExamples(o: Obj): string | null {
  if (!isInt(o.requestId)) return 'run-examples: requestId must be an integer';
  if (!isRunId(o.runId)) return 'run-examples: runId must be a run id like 20261126-191502-k3f9';
  if (o.split !== 'validation' && o.split !== 'test') return "run-examples: split must be 'validation' or 'test'";
  for (const key of ['trueLabel', 'predictedLabel', 'offset'] as const) {
    if (o[key] !== undefined && !isInt(o[key])) return `run-examples: ${key} must be a non-negative integer`;
  }
  if (o.misclassifiedOnly !== undefined && typeof o.misclassifiedOnly !== 'boolean') return 'run-examples: misclassifiedOnly must be a boolean';
  if (o.limit !== undefined && !(isInt(o.limit, 1) && (o.limit as number) <= RUN_EXAMPLES_MAX)) return `run-examples: limit must be an integer from 1 to ${RUN_EXAMPLES_MAX}`;
  return null;
}

/**
 * Validates an untrusted training request (its `type` is already one of TRAINING_REQUEST_TYPES); returns an error
 * message or null. The spec itself is validated by the engine host (common/model-spec's validateSpec), which names
 * the node at fault.
 */
export function checkTrainingRequest(o: Obj): string | null {
  const type = o.type as TrainingRequest['type'];
  const keys = (...allowed: string[]) => checkKeys(o, ['type', ...allowed]);
  const runId = () => (isRunId(o.runId) ? null : `${type}: runId must be a run id like 20261126-191502-k3f9`);
  switch (type) {
    case 'configure':
      return keys('runsDir', 'firstHostSinceStart')
        ?? (typeof o.runsDir === 'string' && o.runsDir.length > 0 ? null : 'configure: runsDir must be a path')
        ?? (o.firstHostSinceStart === undefined || typeof o.firstHostSinceStart === 'boolean' ? null : 'configure: firstHostSinceStart must be true or false');
    case 'dataset':
      return keys('requestId', 'dataset') ?? (isInt(o.requestId) ? checkDataset(o.dataset) : 'dataset: requestId must be an integer');
    case 'dataset-error':
      return keys('requestId', 'message', 'text') ?? (isInt(o.requestId) && typeof o.message === 'string' ? null : 'dataset-error: requestId and message are required')
        ?? (o.text === undefined || isEngineText(o.text) ? null : 'dataset-error: text must be a sentence code with its parameters');
    case 'run-start':
      if (!isObj(o.spec)) return keys('spec', 'dataset', 'options') ?? 'run-start: spec must be a model spec object';
      if (o.dataset !== undefined && !(typeof o.dataset === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/i.test(o.dataset))) return 'run-start: dataset must be a dataset name';
      return keys('spec', 'dataset', 'options') ?? checkOptions(o.options);
    case 'run-pause': case 'run-resume': case 'run-stop': case 'run-open': case 'run-layer-stats':
      return keys('runId') ?? runId();
    case 'run-step':
      return keys('runId', 'unit') ?? runId() ?? (o.unit === 'batch' || o.unit === 'epoch' ? null : "run-step: unit must be 'batch' or 'epoch'");
    case 'run-set-lr':
      return keys('runId', 'lr') ?? runId() ?? (isNum(o.lr) && o.lr > 0 ? null : 'run-set-lr: lr must be a positive number');
    case 'run-restart':
      if (o.epoch !== undefined && !isInt(o.epoch)) return 'run-restart: epoch must be a non-negative integer';
      return keys('runId', 'epoch', 'lr') ?? runId() ?? (o.lr === undefined || (isNum(o.lr) && o.lr > 0) ? null : 'run-restart: lr must be a positive number');
    case 'run-evaluate':
      if (o.requestId !== undefined && !isInt(o.requestId)) return 'run-evaluate: requestId must be an integer';
      return keys('runId', 'split', 'requestId') ?? runId() ?? (o.split === 'validation' || o.split === 'test' ? null : "run-evaluate: split must be 'validation' or 'test'");
    case 'predict': {
      const extra = keys('requestId', 'image', 'runId', 'checkpoint', 'activations');
      if (extra) return extra;
      if (!isInt(o.requestId)) return 'predict: requestId must be an integer';
      if (!Array.isArray(o.image) || o.image.length !== IMAGE_PIXELS || !o.image.every((p) => isNum(p) && p >= 0 && p <= 255)) {
        return `predict: image must be ${IMAGE_PIXELS} pixel values from 0 to 255 (a 28×28 image, row by row)`;
      }
      if (o.runId !== undefined && !isRunId(o.runId)) return 'predict: runId must be a run id';
      if (!checkCheckpoint(o.checkpoint)) return "predict: checkpoint must be 'last', 'best' or an epoch number";
      return o.activations === undefined || typeof o.activations === 'boolean' ? null : 'predict: activations must be a boolean';
    }
    case 'run-examples':
      return keys('requestId', 'runId', 'split', 'trueLabel', 'predictedLabel', 'misclassifiedOnly', 'offset', 'limit') ?? checkExamples(o);
    case 'runs-list':
      return keys();
    case 'run-import':
      if (!isInt(o.requestId)) return 'run-import: requestId must be an integer';
      if (!isObj(o.spec)) return 'run-import: spec must be a model spec object';
      if (typeof o.uploadId !== 'string' || !WEIGHTS_UPLOAD_ID.test(o.uploadId)) return 'run-import: uploadId must be the id uploadWeights gave';
      if (typeof o.fileName !== 'string' || o.fileName.length === 0 || o.fileName.length > 200 || /[\\/\u0000-\u001f]/.test(o.fileName)) return "run-import: fileName must be the file's own name";
      return keys('requestId', 'spec', 'uploadId', 'fileName');
    case 'run-curves':
      if (!Array.isArray(o.runIds) || o.runIds.length === 0 || o.runIds.length > 8 || !o.runIds.every(isRunId)) return 'run-curves: runIds must list 1 to 8 run ids';
      return keys('runIds');
    default: {
      const unhandled: never = type;
      return `unknown training request ${JSON.stringify(unhandled)}`;
    }
  }
}
