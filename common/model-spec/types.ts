/**
 * The model spec: what the visual builder produces and what the engine, the CLI and the PyTorch exporter read.
 *
 * A spec is plain JSON, versioned (`version: 1`). The model is a graph of nodes and edges:
 *
 * ```json
 * {
 *   "version": 1,
 *   "name": "LeNet-5",
 *   "nodes": [
 *     { "id": "input", "op": "Input", "params": { "shape": [1, 28, 28] } },
 *     { "id": "conv1", "op": "Conv2d", "params": { "inChannels": 1, "outChannels": 6, "kernelSize": 5, "padding": 2 } },
 *     { "id": "relu1", "op": "ReLU", "params": {} }
 *   ],
 *   "edges": [ { "from": "input", "to": "conv1" }, { "from": "conv1", "to": "relu1" } ],
 *   "loss": { "type": "CrossEntropyLoss", "params": {} },
 *   "optimizer": { "type": "Adam", "params": { "lr": 0.001 } },
 *   "data": { "dataset": "mnist", "batchSize": 64, "shuffle": true, "validationSize": 5000, "normalize": "standardize" }
 * }
 * ```
 *
 * - Exactly one `Input` node; its `shape` is how one sample is viewed ([1,28,28] for images, [784] flattened,
 *   [28,28] rows as a sequence). Its product must be 784 for MNIST / Fashion-MNIST.
 * - Every other node has exactly one incoming edge, except the merges `Add` (element-wise sum, ≥ 2 inputs of the
 *   same shape) and `Concat` (torch.cat along `dim`, ≥ 2 inputs). A merge's inputs are ordered by the edge's `port`
 *   (0, 1, …), or by edge order when ports are absent.
 * - Exactly one node has no outgoing edge: the model's output, fed to the loss.
 * - Params use camelCase names mirroring torch kwargs (`inFeatures`, `kernelSize`, `batchFirst`); omitted params take
 *   the catalogue default (see catalogue.ts, which also lists the torch name, range and help for each).
 * - A single path Input → … → output is exported as `nn.Sequential` (state-dict keys `0.weight`, …); anything else
 *   (branches, Add, Concat) as an `nn.Module` subclass whose attribute names are the node ids.
 * - Classification targets are class indices for CrossEntropyLoss / NLLLoss; for MSELoss, L1Loss, SmoothL1Loss,
 *   BCELoss and BCEWithLogitsLoss they are one-hot float vectors.
 */

import type { OpName } from './catalogue';
import type { Diagnostic } from './diagnostics';

export const SPEC_VERSION = 1 as const;

// The op names come from the catalogue's rows (catalogue.ts), so adding a row is adding an op.
export { ACTIVATION_OPS, LAYER_OPS, MERGE_OPS, OPS, type MergeOp, type OpName } from './catalogue';
export const LOSSES = [
  'CrossEntropyLoss', 'NLLLoss', 'MSELoss', 'L1Loss', 'SmoothL1Loss', 'BCELoss', 'BCEWithLogitsLoss', 'HuberLoss', 'KLDivLoss', 'MultiMarginLoss',
] as const;
export type LossName = (typeof LOSSES)[number];

export const OPTIMIZERS = ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Adadelta', 'NAdam', 'RAdam', 'Adamax'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const SCHEDULERS = ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'LinearLR', 'PolynomialLR', 'CosineAnnealingWarmRestarts', 'OneCycleLR'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const NORMALIZATIONS = ['none', 'scale', 'standardize'] as const;
/** 'scale': x / 255. 'standardize': (x / 255 - 0.1307) / 0.3081, the MNIST mean and std. */
export type Normalize = (typeof NORMALIZATIONS)[number];

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** A param value: numbers, booleans, enum strings, int pairs (`kernelSize: [3, 5]`), shapes, or null ("same as"). */
export type ParamValue = number | boolean | string | number[] | null;
export type Params = Record<string, ParamValue>;

export interface SpecNode {
  id: string;
  op: OpName;
  params: Params;
  /** Free text for the builder (position, label); ignored by the engine. */
  ui?: Record<string, unknown>;
}

export interface SpecEdge {
  from: string;
  to: string;
  /** Input slot of a merge node (Add, Concat): 0, 1, … */
  port?: number;
}

export interface LossSpec { type: LossName; params: Params }
export interface OptimizerSpec { type: OptimizerName; params: Params }
/** Stepped once per epoch, as in the torch examples. */
export interface SchedulerSpec { type: SchedulerName; params: Params }

export interface DataSpec {
  dataset: DatasetName;
  batchSize: number;
  shuffle: boolean;
  /** Samples held out from the training file (stratified) for validation; 0 = none. */
  validationSize: number;
  normalize: Normalize;
  /** Training-time augmentation of the training batches only (augment.ts); absent or empty = none. */
  augment?: AugmentSpec;
  /** What the loss compares the output with (target.ts): the image's class label (absent: 'label'), or the image itself. */
  target?: Target;
}

/**
 * torchvision's RandomAffine and ElasticTransform under their own names, each off when absent or null. Params
 * omitted take augment.ts's defaults. Example: `{ "randomAffine": { "degrees": 10, "translate": [0.1, 0.1] } }`.
 */
export interface AugmentSpec {
  /** RandomAffine(degrees, translate, scale): `degrees`, `translate`, `scale`. */
  randomAffine?: Params | null;
  /** ElasticTransform(alpha, sigma): `alpha`, `sigma`. */
  elastic?: Params | null;
}

export interface ModelSpec {
  version: typeof SPEC_VERSION;
  name?: string;
  description?: string;
  nodes: SpecNode[];
  edges: SpecEdge[];
  loss: LossSpec;
  optimizer: OptimizerSpec;
  scheduler?: SchedulerSpec;
  data: DataSpec;
}

/**
 * A problem found by validateSpec: `nodeId` names the node when there is one, `path` the JSON location; `code`
 * and `params` say the same as the English `message` for the UI to translate (diagnostics.ts).
 */
export interface SpecError extends Diagnostic {
  path: string;
  nodeId?: string;
  message: string;
}

/** A dimension: a number, or 'N' for the batch. */
export type Dim = number | 'N';
export type Shape = Dim[];

/**
 * What the model learns to output. 'label': the image's class (class indices or one-hot rows, as the loss takes).
 * 'image': the input image itself, [N, 1, 28, 28] with pixels in [0, 1] (an autoencoder; target.ts).
 */
export const TARGETS = ['label', 'image'] as const;
export type Target = (typeof TARGETS)[number];
