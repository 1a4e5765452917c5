/**
 * The registry: one row per op, loss, optimizer and scheduler holds everything about it. Its params (PyTorch names,
 * defaults, ranges, English help), its shape rule (shape-rules.ts, which raises its diagnostics), its node-id
 * prefix, what the builder shows and seeds for it, an optimizer's state slots and plausible learning rates, a loss's
 * kind of target. The builder, the validator, shape inference, lint and the exporter read these rows; the engine's
 * factories are keyed by the same names (engine/model-spec/registry.ts), and a test checks that both cover the same rows.
 * How to add a piece: README.md, "Add a layer".
 */
import {
  adaptivePool, addShapes, batchNorm, concatShapes, conv2d, flatten, inputShape, linear, NUM_CLASSES, pool, prelu, recurrent,
  sameShape, sameShapeAlongDim, type ShapeRule,
  layerNorm, groupNorm, conv1d, unflatten, dropout2d,
} from './shape-rules';
import { convTranspose2d, pair, upsample } from './shape-rules';
import { diagnostic, type Diagnostic } from './diagnostics';
import type { LossName, OptimizerName, ParamValue, Params, SchedulerName, Shape } from './types';

export { pair } from './shape-rules';

/**
 * - int / float: a number (`min`/`max` inclusive unless `exclusiveMin`).
 * - int2: an int or an [h, w] pair (kernel_size=3 or (3, 5)).
 * - float2: a pair of floats (Adam's betas).
 * - ints: a list of ints (MultiStepLR milestones); shape: a list of ints ≥ 1 (Input shape).
 * - floats: a list of `length` numbers (a loss's class weights: one per class); the twin writes it as a tensor.
 * - enum: one of `options`.
 * An int or int2 with `options` also takes one of those words (Conv2d's padding: 3, (1, 2), 'same' or 'valid').
 */
export type ParamType = 'int' | 'float' | 'bool' | 'enum' | 'int2' | 'float2' | 'ints' | 'shape' | 'floats';

export interface ParamInfo {
  name: string;
  torchName: string;
  type: ParamType;
  default: ParamValue;
  /** A value the user must give (no sensible default), e.g. Linear's in_features. */
  required?: boolean;
  /** null is allowed (e.g. MaxPool2d stride: null means "same as kernel_size"). */
  nullable?: boolean;
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  /** enum: its values; int, int2: words it takes besides numbers (padding='same'). */
  options?: readonly string[];
  /** floats: how many numbers it holds. */
  length?: number;
  help: string;
}

export type OpCategory = 'input' | 'layer' | 'recurrent' | 'activation' | 'merge';

/** What a node's accessible name on the canvas tells: Conv2d's filters, Linear's out_features, … */
export type NodeFactKind = 'filters' | 'features' | 'hidden' | 'kernel' | 'p';

export interface OpInfo {
  op: OpName;
  /** The torch constructor, e.g. 'nn.Conv2d'. */
  torch: string;
  category: OpCategory;
  help: string;
  /** Shape in → out, PyTorch "Shape:" style. */
  shapes: string;
  params: ParamInfo[];
  /** Its output shape, params and MACs from its inputs (shape-rules.ts); it throws the misfit and its fix. */
  infer: ShapeRule;
  /** Node ids are this prefix and a number (conv1, fc2); default the op in lower case (relu1). */
  prefix?: string;
  /** false: not offered in the builder's palette (still valid in a spec). Its group follows `category`. */
  palette?: false;
  /** The param that tells this node apart in its accessible name, e.g. Conv2d's outChannels as 'filters'. */
  fact?: { kind: NodeFactKind; param: string };
  /**
   * The builder's params for a new node, from the shape it receives; `keep` when it is inserted into an edge and
   * must keep the shape the next node receives (Linear after [N, 784] → {inFeatures: 784, outFeatures: 10}).
   */
  newParams?: (incoming: Shape | null, keep: { shape: Shape | null } | null) => Params;
  /**
   * A rule across params that per-param ranges cannot express, on the params as written (validateSpec reports it
   * `where` the node is), e.g. Conv2d's groups dividing both channel counts.
   */
  rule?: (p: Params, where: Diagnostic) => Diagnostic | null;
}

const int = (name: string, torchName: string, dflt: number | null, help: string, extra: Partial<ParamInfo> = {}): ParamInfo =>
  ({ name, torchName, type: 'int', default: dflt, help, ...extra });
const float = (name: string, torchName: string, dflt: number | null, help: string, extra: Partial<ParamInfo> = {}): ParamInfo =>
  ({ name, torchName, type: 'float', default: dflt, help, ...extra });
const bool = (name: string, torchName: string, dflt: boolean, help: string): ParamInfo =>
  ({ name, torchName, type: 'bool', default: dflt, help });
const int2 = (name: string, torchName: string, dflt: number | null, help: string, extra: Partial<ParamInfo> = {}): ParamInfo =>
  ({ name, torchName, type: 'int2', default: dflt, help, ...extra });

const lastDim = (s: Shape | null): number | null => (s && s.length >= 2 && typeof s[s.length - 1] === 'number' ? (s[s.length - 1] as number) : null);
const channels = (s: Shape | null): number | null => (s && s.length >= 2 && typeof s[1] === 'number' ? (s[1] as number) : null);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const recurrentRow = (prefix: string): Pick<OpInfo, 'prefix' | 'fact' | 'newParams'> => ({
  prefix, fact: { kind: 'hidden', param: 'hiddenSize' },
  newParams: (incoming) => ({ inputSize: lastDim(incoming) ?? 28, hiddenSize: 64, batchFirst: true }),
});

const biasParam = bool('bias', 'bias', true, 'Learn an additive bias.');
const rnnParams = (gates: string): ParamInfo[] => [
  int('inputSize', 'input_size', null, 'Features per time step (H_in).', { required: true, min: 1 }),
  int('hiddenSize', 'hidden_size', null, `Features of the hidden state h${gates}.`, { required: true, min: 1 }),
  int('numLayers', 'num_layers', 1, 'Stacked recurrent layers; each feeds its outputs to the next.', { min: 1, max: 8 }),
  biasParam,
  bool('batchFirst', 'batch_first', false, 'Input is (N, L, H_in) rather than (L, N, H_in). Our data is batch-first.'),
  {
    name: 'output', torchName: 'output', type: 'enum', default: 'last', options: ['last', 'sequence'],
    help: "LayerLab option: 'last' keeps only the last time step's output (N, H); 'sequence' keeps all (N, L, H).",
  },
];
const bnParams: ParamInfo[] = [
  int('numFeatures', 'num_features', null, 'Channels C to normalize.', { required: true, min: 1 }),
  float('eps', 'eps', 1e-5, 'Added to the variance for stability.', { min: 0, exclusiveMin: true }),
  float('momentum', 'momentum', 0.1, 'Weight of the new batch in the running statistics.', { min: 0, max: 1 }),
  bool('affine', 'affine', true, 'Learn a per-channel scale (weight) and shift (bias).'),
];
const poolParams = (what: string): ParamInfo[] => [
  int2('kernelSize', 'kernel_size', null, `Window size of the ${what}.`, { required: true, min: 1 }),
  int2('stride', 'stride', null, 'Step between windows; empty means the kernel size.', { nullable: true, min: 1 }),
  int2('padding', 'padding', 0, 'Implicit padding on each side (at most half the kernel).', { min: 0 }),
];

/** Conv1d's and Conv2d's check: groups divides both channel counts. */
function groupsDivideChannels(p: Params, where: Diagnostic): Diagnostic | null {
  if (!isInt(p.groups) || !isInt(p.inChannels) || !isInt(p.outChannels)) return null;
  const divides = p.inChannels % p.groups === 0 && p.outChannels % p.groups === 0;
  return divides ? null : diagnostic('groups-divide', { where, groups: p.groups });
}

/**
 * Conv1d's and Conv2d's padding: a number (or Conv2d's (h, w)), or torch's words 'same' (the output keeps the
 * input's size) and 'valid' (no padding). What the padding holds is `paddingMode`, the same four modes on both.
 */
const convPadding = (type: 'int' | 'int2', each: string): ParamInfo => ({
  name: 'padding', torchName: 'padding', type, default: 0, min: 0, options: ['same', 'valid'],
  help: `Added on each ${each}: a number, 'same' (the output keeps the input's size; stride 1 only) or 'valid' (none).`,
});
const convPaddingMode: ParamInfo = {
  name: 'paddingMode', torchName: 'padding_mode', type: 'enum', default: 'zeros', options: ['zeros', 'reflect', 'replicate', 'circular'],
  help: "What the padding holds: 'zeros', the input mirrored ('reflect'), its edge values ('replicate') or its other side ('circular').",
};

/** Conv1d's and Conv2d's checks: groups divides both channel counts; padding='same' only with stride 1 (as torch). */
function convRule(p: Params, where: Diagnostic): Diagnostic | null {
  const strided = [p.stride ?? 1].flat().some((s) => s !== 1);
  return groupsDivideChannels(p, where) ?? (p.padding === 'same' && strided ? diagnostic('padding-same-strided', { where }) : null);
}

/** A new conv node takes the channels it receives (and keeps them when it replaces a layer that did). */
function convNewParams(incoming: Shape | null, keep: { shape: Shape | null } | null): Params {
  const inChannels = channels(incoming) ?? 1;
  return { inChannels, outChannels: keep ? inChannels : 16, kernelSize: 3, padding: 1 };
}

/** A row as written below, before its name is known to be an `OpName` (the names come from the rows). */
type OpRow = Omit<OpInfo, 'op'> & { op: string };

const OP_ROWS = {
  Input: {
    op: 'Input', torch: '', category: 'input', shapes: '(N, *shape)',
    infer: inputShape, palette: false,
    rule: (p, where) => {
      if (!Array.isArray(p.shape) || !p.shape.every(isInt)) return null;
      const size = p.shape.reduce((a, b) => a * b, 1);
      return size === 784 ? null : diagnostic('input-not-784', { where, shape: JSON.stringify(p.shape), size });
    },
    help: 'The data: each sample viewed with this shape (like xb.view(-1, 1, 28, 28)).',
    params: [{ name: 'shape', torchName: 'shape', type: 'shape', default: [1, 28, 28], help: 'Shape of one sample; must hold 784 values for MNIST.' }],
  },
  Linear: {
    op: 'Linear', torch: 'nn.Linear', category: 'layer', shapes: '(N, *, in_features) → (N, *, out_features)',
    infer: linear, prefix: 'fc', fact: { kind: 'features', param: 'outFeatures' },
    newParams: (incoming, keep) => {
      const inFeatures = lastDim(incoming) ?? 784;
      return { inFeatures, outFeatures: keep ? (lastDim(keep.shape) ?? inFeatures) : NUM_CLASSES };
    },
    help: 'y = x Wᵀ + b: every output is a weighted sum of all inputs.',
    params: [
      int('inFeatures', 'in_features', null, 'Size of each input sample (last dim).', { required: true, min: 1 }),
      int('outFeatures', 'out_features', null, 'Size of each output sample.', { required: true, min: 1 }),
      biasParam,
    ],
  },
  Conv2d: {
    op: 'Conv2d', torch: 'nn.Conv2d', category: 'layer', shapes: '(N, C_in, H, W) → (N, C_out, H_out, W_out)',
    infer: conv2d, prefix: 'conv', fact: { kind: 'filters', param: 'outChannels' },
    rule: convRule,
    newParams: convNewParams,
    help: 'Slides learned filters over the image; each output channel is one filter.',
    params: [
      int('inChannels', 'in_channels', null, 'Channels of the input image.', { required: true, min: 1 }),
      int('outChannels', 'out_channels', null, 'Number of filters.', { required: true, min: 1 }),
      int2('kernelSize', 'kernel_size', null, 'Filter size.', { required: true, min: 1 }),
      int2('stride', 'stride', 1, 'Step between filter positions.', { min: 1 }),
      convPadding('int2', "side (or (h, w))"),
      int2('dilation', 'dilation', 1, 'Spacing between filter taps.', { min: 1 }),
      int('groups', 'groups', 1, 'Split channels into independent groups (must divide both channel counts).', { min: 1 }),
      biasParam,
      convPaddingMode,
    ],
  },
  MaxPool2d: {
    op: 'MaxPool2d', torch: 'nn.MaxPool2d', category: 'layer', shapes: '(N, C, H, W) → (N, C, H_out, W_out)',
    infer: pool, prefix: 'pool', fact: { kind: 'kernel', param: 'kernelSize' }, newParams: () => ({ kernelSize: 2 }),
    help: 'Keeps the largest value in each window: downsamples, keeps strong features.',
    params: poolParams('max pool'),
  },
  AvgPool2d: {
    op: 'AvgPool2d', torch: 'nn.AvgPool2d', category: 'layer', shapes: '(N, C, H, W) → (N, C, H_out, W_out)',
    infer: pool, prefix: 'pool', fact: { kind: 'kernel', param: 'kernelSize' }, newParams: () => ({ kernelSize: 2 }),
    help: 'Averages each window: downsamples smoothly.',
    params: poolParams('average pool'),
  },
  AdaptiveAvgPool2d: {
    op: 'AdaptiveAvgPool2d', torch: 'nn.AdaptiveAvgPool2d', category: 'layer', shapes: '(N, C, H, W) → (N, C, *output_size)',
    infer: adaptivePool, prefix: 'pool', palette: false,
    help: 'Averages into a fixed output size, whatever the input size.',
    params: [int2('outputSize', 'output_size', 1, 'Target (H, W).', { min: 1 })],
  },
  Flatten: {
    op: 'Flatten', torch: 'nn.Flatten', category: 'layer', shapes: '(N, C, H, W) → (N, C·H·W)',
    infer: flatten,
    help: 'Joins dims start_dim..end_dim into one, e.g. images into vectors for Linear.',
    params: [
      int('startDim', 'start_dim', 1, 'First dim to flatten (0 is the batch).', { min: -8, max: 8 }),
      int('endDim', 'end_dim', -1, 'Last dim to flatten (-1 is the last).', { min: -8, max: 8 }),
    ],
  },
  Dropout: {
    op: 'Dropout', torch: 'nn.Dropout', category: 'layer', shapes: 'any → same',
    infer: sameShape, fact: { kind: 'p', param: 'p' },
    help: 'In training, zeroes each value with probability p and scales the rest by 1/(1-p).',
    params: [float('p', 'p', 0.5, 'Probability of zeroing a value.', { min: 0, max: 1 })],
  },
  BatchNorm1d: {
    op: 'BatchNorm1d', torch: 'nn.BatchNorm1d', category: 'layer', shapes: '(N, C) or (N, C, L) → same',
    infer: batchNorm(false), prefix: 'bn', newParams: (incoming) => ({ numFeatures: channels(incoming) ?? 1 }),
    help: 'Normalizes each feature over the batch, then scales and shifts.',
    params: bnParams,
  },
  BatchNorm2d: {
    op: 'BatchNorm2d', torch: 'nn.BatchNorm2d', category: 'layer', shapes: '(N, C, H, W) → same',
    infer: batchNorm(true), prefix: 'bn', newParams: (incoming) => ({ numFeatures: channels(incoming) ?? 1 }),
    help: 'Normalizes each channel over the batch and the image, then scales and shifts.',
    params: bnParams,
  },
  RNN: {
    op: 'RNN', torch: 'nn.RNN', category: 'recurrent', shapes: '(N, L, H_in) → (N, H) or (N, L, H)',
    infer: recurrent(1), ...recurrentRow('rnn'),
    help: 'Elman RNN: h_t = tanh(W_ih x_t + W_hh h_(t-1) + b).',
    params: [
      ...rnnParams(''),
      { name: 'nonlinearity', torchName: 'nonlinearity', type: 'enum', default: 'tanh', options: ['tanh', 'relu'], help: 'Activation of the hidden state.' },
    ],
  },
  LSTM: {
    op: 'LSTM', torch: 'nn.LSTM', category: 'recurrent', shapes: '(N, L, H_in) → (N, H) or (N, L, H)',
    infer: recurrent(4), ...recurrentRow('lstm'),
    help: 'Long short-term memory: input, forget and output gates guard a cell state.',
    params: rnnParams(' (and cell c)'),
  },
  GRU: {
    op: 'GRU', torch: 'nn.GRU', category: 'recurrent', shapes: '(N, L, H_in) → (N, H) or (N, L, H)',
    infer: recurrent(3), ...recurrentRow('gru'),
    help: 'Gated recurrent unit: reset and update gates, no separate cell.',
    params: rnnParams(''),
  },
  ReLU: { op: 'ReLU', torch: 'nn.ReLU', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'max(0, x).', params: [] },
  LeakyReLU: {
    op: 'LeakyReLU', torch: 'nn.LeakyReLU', category: 'activation', shapes: 'any → same', help: 'x if x > 0 else slope·x.',
    infer: sameShape,
    params: [float('negativeSlope', 'negative_slope', 0.01, 'Slope for negative inputs.', { min: 0, max: 1 })],
  },
  Sigmoid: { op: 'Sigmoid', torch: 'nn.Sigmoid', category: 'activation', infer: sameShape, shapes: 'any → same', help: '1 / (1 + e^-x), into (0, 1).', params: [] },
  Tanh: { op: 'Tanh', torch: 'nn.Tanh', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'tanh(x), into (-1, 1).', params: [] },
  GELU: {
    op: 'GELU', torch: 'nn.GELU', category: 'activation', shapes: 'any → same', help: 'x·Φ(x): a smooth ReLU.',
    infer: sameShape,
    params: [{ name: 'approximate', torchName: 'approximate', type: 'enum', default: 'none', options: ['none', 'tanh'], help: "'tanh' uses the tanh approximation." }],
  },
  ELU: {
    op: 'ELU', torch: 'nn.ELU', category: 'activation', shapes: 'any → same', help: 'x if x > 0 else α(e^x - 1).',
    infer: sameShape,
    params: [float('alpha', 'alpha', 1.0, 'Value approached for very negative inputs is -α.', { min: 0 })],
  },
  SiLU: { op: 'SiLU', torch: 'nn.SiLU', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'x·sigmoid(x) (swish).', params: [] },
  Softplus: {
    op: 'Softplus', torch: 'nn.Softplus', category: 'activation', shapes: 'any → same', help: 'log(1 + e^(βx)) / β: a smooth ReLU.',
    infer: sameShape, palette: false,
    params: [
      float('beta', 'beta', 1, 'Sharpness.', { min: 0, exclusiveMin: true }),
      float('threshold', 'threshold', 20, 'Above β·x > threshold the output is x.', { min: 0 }),
    ],
  },
  Softmax: {
    op: 'Softmax', torch: 'nn.Softmax', category: 'activation', shapes: 'any → same', help: 'Exponentiates and normalizes along dim into probabilities.',
    infer: sameShapeAlongDim,
    params: [int('dim', 'dim', 1, 'Dim that sums to 1.', { min: -8, max: 8 })],
  },
  LogSoftmax: {
    op: 'LogSoftmax', torch: 'nn.LogSoftmax', category: 'activation', shapes: 'any → same', help: 'log(softmax(x)), computed stably; pair with NLLLoss.',
    infer: sameShapeAlongDim,
    params: [int('dim', 'dim', 1, 'Dim to normalize over.', { min: -8, max: 8 })],
  },
  Identity: { op: 'Identity', torch: 'nn.Identity', category: 'activation', infer: sameShape, palette: false, shapes: 'any → same', help: 'Passes its input through unchanged.', params: [] },
  Add: { op: 'Add', torch: '+', category: 'merge', infer: addShapes, shapes: '(same, same, …) → same', help: 'Element-wise sum of its inputs (a residual connection).', params: [] },
  Concat: {
    op: 'Concat', torch: 'torch.cat', category: 'merge', shapes: 'inputs equal except along dim → joined',
    infer: concatShapes,
    help: 'Joins its inputs along dim (ordered by port).',
    params: [int('dim', 'dim', 1, 'Dim to join along (1 = features/channels).', { min: -8, max: 8 })],
  },
  ReLU6: { op: 'ReLU6', torch: 'nn.ReLU6', category: 'activation', infer: sameShape, prefix: 'relu6_', shapes: 'any → same', help: 'min(max(0, x), 6): a ReLU capped at 6.', params: [] },
  Hardtanh: {
    op: 'Hardtanh', torch: 'nn.Hardtanh', category: 'activation', shapes: 'any → same', help: 'x clipped to [min_val, max_val].',
    infer: sameShape,
    rule: (p, where) => (typeof p.minVal === 'number' && typeof p.maxVal === 'number' && !(p.maxVal > p.minVal)
      ? diagnostic('bounds-order', { where, low: 'min_val', high: 'max_val', got: `${p.minVal} and ${p.maxVal}` }) : null),
    params: [
      float('minVal', 'min_val', -1, 'Inputs below it come out as min_val.'),
      float('maxVal', 'max_val', 1, 'Inputs above it come out as max_val.'),
    ],
  },
  Hardswish: { op: 'Hardswish', torch: 'nn.Hardswish', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'x·relu6(x + 3) / 6: a cheap swish (MobileNetV3).', params: [] },
  Hardsigmoid: { op: 'Hardsigmoid', torch: 'nn.Hardsigmoid', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'relu6(x + 3) / 6: a piecewise-linear sigmoid.', params: [] },
  Mish: { op: 'Mish', torch: 'nn.Mish', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'x·tanh(softplus(x)): a smooth, non-monotonic ReLU.', params: [] },
  SELU: { op: 'SELU', torch: 'nn.SELU', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'scale·ELU(x, α) with fixed constants, so activations keep mean 0 and variance 1.', params: [] },
  CELU: {
    op: 'CELU', torch: 'nn.CELU', category: 'activation', shapes: 'any → same', help: 'x if x > 0 else α(e^(x/α) - 1): an ELU smooth at 0 for any α.',
    infer: sameShape,
    params: [float('alpha', 'alpha', 1.0, 'Value approached for very negative inputs is -α.', { min: 0, exclusiveMin: true })],
  },
  Softsign: { op: 'Softsign', torch: 'nn.Softsign', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'x / (1 + |x|), into (-1, 1): a slower-saturating tanh.', params: [] },
  LogSigmoid: { op: 'LogSigmoid', torch: 'nn.LogSigmoid', category: 'activation', infer: sameShape, shapes: 'any → same', help: 'log(sigmoid(x)) = -softplus(-x), computed stably.', params: [] },
  Softmin: {
    op: 'Softmin', torch: 'nn.Softmin', category: 'activation', shapes: 'any → same', help: 'softmax(-x) along dim: the smallest values get the most weight.',
    infer: sameShapeAlongDim,
    params: [int('dim', 'dim', 1, 'Dim that sums to 1.', { min: -8, max: 8 })],
  },
  PReLU: {
    op: 'PReLU', torch: 'nn.PReLU', category: 'activation', shapes: 'any → same', help: 'x if x > 0 else a·x, with the slope a learned (one, or one per channel).',
    infer: prelu,
    newParams: () => ({ numParameters: 1 }),
    params: [
      int('numParameters', 'num_parameters', 1, 'Slopes to learn: 1 shared, or one per channel (the input\'s dim 1).', { min: 1 }),
      float('init', 'init', 0.25, 'Starting value of every slope.'),
    ],
  },
  LayerNorm: {
    op: 'LayerNorm', torch: 'nn.LayerNorm', category: 'layer', shapes: '(N, *, *normalized_shape) → same',
    infer: layerNorm, prefix: 'ln', newParams: (incoming) => ({ normalizedShape: [lastDim(incoming) ?? 1] }),
    help: 'Normalizes each sample over its last dims (no batch statistics), then scales and shifts.',
    params: [
      {
        name: 'normalizedShape', torchName: 'normalized_shape', type: 'shape', default: null, required: true,
        help: 'The last dims to normalize over, e.g. [128] for (N, 128).',
      },
      float('eps', 'eps', 1e-5, 'Added to the variance for stability.', { min: 0, exclusiveMin: true }),
      bool('elementwiseAffine', 'elementwise_affine', true, 'Learn a scale (weight) and shift (bias) per normalized value.'),
    ],
  },
  GroupNorm: {
    op: 'GroupNorm', torch: 'nn.GroupNorm', category: 'layer', shapes: '(N, C, *) → same',
    infer: groupNorm, prefix: 'gn',
    rule: (p, where) => {
      if (!isInt(p.numGroups) || !isInt(p.numChannels) || p.numChannels % p.numGroups === 0) return null;
      return diagnostic('num-groups-divide', { where, groups: p.numGroups, channels: p.numChannels });
    },
    newParams: (incoming) => {
      const numChannels = channels(incoming) ?? 1;
      return { numGroups: [8, 4, 2, 1].find((g) => numChannels % g === 0)!, numChannels };
    },
    help: 'Splits the channels into groups and normalizes each group of each sample, then scales and shifts per channel.',
    params: [
      int('numGroups', 'num_groups', null, 'Groups to split the channels into (must divide num_channels).', { required: true, min: 1 }),
      int('numChannels', 'num_channels', null, 'Channels C of the input.', { required: true, min: 1 }),
      float('eps', 'eps', 1e-5, 'Added to the variance for stability.', { min: 0, exclusiveMin: true }),
      bool('affine', 'affine', true, 'Learn a per-channel scale (weight) and shift (bias).'),
    ],
  },
  Conv1d: {
    op: 'Conv1d', torch: 'nn.Conv1d', category: 'layer', shapes: '(N, C_in, L) → (N, C_out, L_out)',
    infer: conv1d, prefix: 'conv', fact: { kind: 'filters', param: 'outChannels' },
    // Conv2d's: groups divides both channel counts, 'same' wants stride 1; a new node takes the channels it receives.
    rule: convRule,
    newParams: convNewParams,
    help: 'Slides learned filters along a sequence; each output channel is one filter.',
    params: [
      int('inChannels', 'in_channels', null, 'Channels of the input (C in (N, C, L)).', { required: true, min: 1 }),
      int('outChannels', 'out_channels', null, 'Number of filters.', { required: true, min: 1 }),
      int('kernelSize', 'kernel_size', null, 'Filter length.', { required: true, min: 1 }),
      int('stride', 'stride', 1, 'Step between filter positions.', { min: 1 }),
      convPadding('int', 'end'),
      int('dilation', 'dilation', 1, 'Spacing between filter taps.', { min: 1 }),
      int('groups', 'groups', 1, 'Split channels into independent groups (must divide both channel counts).', { min: 1 }),
      biasParam,
      convPaddingMode,
    ],
  },
  Unflatten: {
    op: 'Unflatten', torch: 'nn.Unflatten', category: 'layer', shapes: '(N, *, S, *) → (N, *, *unflattened_size, *)',
    infer: unflatten,
    newParams: (incoming) => {
      const features = lastDim(incoming) ?? 784;
      return { dim: 1, unflattenedSize: features === 784 ? [1, 28, 28] : [features, 1] };
    },
    help: 'Splits one dim into several, the inverse of Flatten, e.g. (N, 784) into images (N, 1, 28, 28).',
    params: [
      int('dim', 'dim', null, 'Dim to split (0 is the batch).', { required: true, min: -8, max: 8 }),
      {
        name: 'unflattenedSize', torchName: 'unflattened_size', type: 'shape', default: null, required: true,
        help: 'The sizes the dim becomes; they multiply to its size.',
      },
    ],
  },
  Dropout2d: {
    op: 'Dropout2d', torch: 'nn.Dropout2d', category: 'layer', shapes: '(N, C, H, W) or (N, C, L) → same',
    infer: dropout2d, fact: { kind: 'p', param: 'p' },
    help: 'In training, zeroes each whole channel with probability p and scales the rest by 1/(1-p); in eval, passes through.',
    params: [float('p', 'p', 0.5, 'Probability of zeroing a channel.', { min: 0, max: 1 })],
  },
  ConvTranspose2d: {
    op: 'ConvTranspose2d', torch: 'nn.ConvTranspose2d', category: 'layer', shapes: '(N, C_in, H, W) → (N, C_out, H_out, W_out)',
    infer: convTranspose2d, prefix: 'deconv', fact: { kind: 'filters', param: 'outChannels' },
    rule: (p, where) => {
      const groups = groupsDivideChannels(p, where);
      if (groups) return groups;
      const [oph, opw] = pair(p.outputPadding ?? 0), [sh, sw] = pair(p.stride ?? 1);
      return oph >= sh || opw >= sw ? diagnostic('output-padding-stride', { where }) : null;
    },
    // A new one doubles H and W; inserted into an edge it keeps the shape (3×3, padding 1, stride 1).
    newParams: (incoming, keep): Params => {
      const inChannels = channels(incoming) ?? 16;
      return keep ? { inChannels, outChannels: inChannels, kernelSize: 3, padding: 1 } : { inChannels, outChannels: 1, kernelSize: 2, stride: 2 };
    },
    help: 'Conv2d run backwards: spreads each input pixel over a learned filter, to upsample (stride 2 doubles H and W).',
    params: [
      int('inChannels', 'in_channels', null, 'Channels of the input image.', { required: true, min: 1 }),
      int('outChannels', 'out_channels', null, 'Channels of the output image.', { required: true, min: 1 }),
      int2('kernelSize', 'kernel_size', null, 'Filter size.', { required: true, min: 1 }),
      int2('stride', 'stride', 1, 'Spacing of the input pixels in the output: 2 doubles H and W.', { min: 1 }),
      int2('padding', 'padding', 0, 'Rows and columns cut from each side of the output (the padding of the Conv2d it undoes).', { min: 0 }),
      int2('outputPadding', 'output_padding', 0, 'Extra rows and columns at the bottom and right (smaller than stride).', { min: 0 }),
      int('groups', 'groups', 1, 'Split channels into independent groups (must divide both channel counts).', { min: 1 }),
      biasParam,
      int2('dilation', 'dilation', 1, 'Spacing between filter taps.', { min: 1 }),
    ],
  },
  Upsample: {
    op: 'Upsample', torch: 'nn.Upsample', category: 'layer', shapes: '(N, C, H, W) → (N, C, H_out, W_out)',
    infer: upsample, prefix: 'up', newParams: () => ({ scaleFactor: 2 }),
    rule: (p, where) => {
      const size = p.size ?? null, scale = p.scaleFactor ?? null;
      if ((size === null) === (scale === null)) return diagnostic('upsample-size-or-scale', { where });
      return p.alignCorners === true && (p.mode ?? 'nearest') === 'nearest' ? diagnostic('align-corners-nearest', { where }) : null;
    },
    help: 'Enlarges each image without weights: nearest repeats pixels, bilinear blends neighbours.',
    params: [
      int2('size', 'size', null, 'Output (H, W); empty when scale_factor is given.', { nullable: true, min: 1 }),
      float('scaleFactor', 'scale_factor', null, 'Multiplies H and W (H_out = ⌊H · scale_factor⌋); empty when size is given.', { nullable: true, min: 0, exclusiveMin: true, max: 64 }),
      {
        name: 'mode', torchName: 'mode', type: 'enum', default: 'nearest', options: ['nearest', 'bilinear'],
        help: "'nearest' copies the closest pixel; 'bilinear' weighs the four around it.",
      },
      bool('alignCorners', 'align_corners', false, "bilinear only: the corner pixels of input and output line up (torch's default is False)."),
    ],
  },
} satisfies Record<string, OpRow>;

/** Every op's name: a key of the catalogue, so a new row is a new op with no list to edit. */
export type OpName = keyof typeof OP_ROWS;
type OpsIn<C extends OpCategory> = { [Op in OpName]: (typeof OP_ROWS)[Op]['category'] extends C ? Op : never }[OpName];
export type MergeOp = OpsIn<'merge'>;

/** Each row's `op` is its key (registry.test.ts checks it), which makes the cast sound. */
export const OP_CATALOGUE = OP_ROWS as Readonly<Record<OpName, OpInfo>>;

const opsIn = <C extends OpCategory>(...categories: C[]): OpsIn<C>[] =>
  (Object.keys(OP_CATALOGUE) as OpName[]).filter((op): op is OpsIn<C> => (categories as OpCategory[]).includes(OP_CATALOGUE[op].category));
/** The builder's groups, in catalogue order: layers (with Input and the recurrent ones), activations, merges. */
export const LAYER_OPS = opsIn('input', 'layer', 'recurrent');
export const ACTIVATION_OPS = opsIn('activation');
export const MERGE_OPS = opsIn('merge');
export const OPS: readonly OpName[] = [...LAYER_OPS, ...ACTIVATION_OPS, ...MERGE_OPS];


const reduction: ParamInfo = {
  name: 'reduction', torchName: 'reduction', type: 'enum', default: 'mean', options: ['mean', 'sum'],
  help: 'Average or sum the per-sample losses.',
};
/** The class-index losses' `weight` (torch's, a tensor of one number per class); the engine's three losses take it. */
const classWeight: ParamInfo = {
  name: 'weight', torchName: 'weight', type: 'floats', default: null, nullable: true, length: NUM_CLASSES, min: 0,
  help: "One weight per class, class 0 first (10 numbers ≥ 0): each sample's loss is scaled by its class's weight. Empty: all 1.",
};

export interface TypedInfo {
  type: string; torch: string; help: string; params: ParamInfo[];
  /**
   * A check on its params that ranges cannot express, e.g. a torch option MNIST's targets cannot feed, or one the
   * spec's other training pieces rule out (validateSpec).
   */
  rule?: (p: Params, where: Diagnostic, pieces: TrainingPieces) => Diagnostic | null;
}

/** The spec's other training pieces as a `rule` sees them: the optimizer's row, absent when its type is unknown. */
export interface TrainingPieces {
  optimizer?: OptimizerInfo;
}

export interface LossInfo extends TypedInfo {
  /** What the loss compares the output with: class indices, or one-hot float rows made from them. */
  targets: 'indices' | 'one-hot';
}

export interface OptimizerInfo extends TypedInfo {
  /** Tensors of state it keeps per parameter (momentum buffers, moment estimates), given its resolved params. */
  stateSlots: (p: Params) => number;
  /** Learning rates outside [low, high] are almost surely typos for this optimizer (lint's implausible-lr). */
  plausibleLr: [number, number];
}

export interface SchedulerInfo extends TypedInfo {
  /**
   * When a run steps it: after every batch ('batch': OneCycleLR, as PyTorch code steps it) or at the end of every
   * epoch ('epoch', the default when absent). Both training loops and the twin read it (schedulerStepsPer).
   */
  stepsPer?: 'batch' | 'epoch';
  /**
   * A length the run supplies when the learner leaves `param` and every `unlessGiven` empty: OneCycleLR's total_steps
   * becomes the run's epochs × batches per epoch (makeScheduler in the engine, `args.epochs * len(train_dl)` in the twin).
   */
  fromRun?: { param: string; unlessGiven: readonly string[] };
}

/** When a run steps this scheduler: per 'batch' or per 'epoch'. */
export function schedulerStepsPer(type: SchedulerName): 'batch' | 'epoch' {
  return SCHEDULER_CATALOGUE[type].stepsPer ?? 'epoch';
}

export const LOSS_CATALOGUE: Record<LossName, LossInfo> = {
  CrossEntropyLoss: {
    type: 'CrossEntropyLoss', targets: 'indices', torch: 'nn.CrossEntropyLoss', help: 'log_softmax + NLL on raw logits and class indices.',
    params: [reduction, float('labelSmoothing', 'label_smoothing', 0, 'Blend the target with a uniform distribution.', { min: 0, max: 1 }), classWeight],
  },
  NLLLoss: {
    type: 'NLLLoss', targets: 'indices', torch: 'nn.NLLLoss', help: 'Negative log-likelihood of log-probabilities (after LogSoftmax).',
    params: [reduction, classWeight],
  },
  MSELoss: { type: 'MSELoss', targets: 'one-hot', torch: 'nn.MSELoss', help: 'Mean squared error against one-hot targets.', params: [reduction] },
  L1Loss: { type: 'L1Loss', targets: 'one-hot', torch: 'nn.L1Loss', help: 'Mean absolute error against one-hot targets.', params: [reduction] },
  SmoothL1Loss: {
    type: 'SmoothL1Loss', targets: 'one-hot', torch: 'nn.SmoothL1Loss', help: 'Squared below beta, absolute above (Huber / beta).',
    params: [reduction, float('beta', 'beta', 1.0, 'Where the loss turns from squared to absolute.', { min: 0 })],
  },
  BCELoss: { type: 'BCELoss', targets: 'one-hot', torch: 'nn.BCELoss', help: 'Binary cross-entropy of probabilities (after Sigmoid) vs one-hot targets.', params: [reduction] },
  BCEWithLogitsLoss: { type: 'BCEWithLogitsLoss', targets: 'one-hot', torch: 'nn.BCEWithLogitsLoss', help: 'Sigmoid + BCE in one stable step, on raw logits.', params: [reduction] },
  HuberLoss: {
    type: 'HuberLoss', targets: 'one-hot', torch: 'nn.HuberLoss', help: 'Squared below delta, delta × absolute above, against one-hot targets.',
    params: [reduction, float('delta', 'delta', 1.0, 'Where the loss turns from squared to linear.', { min: 0, exclusiveMin: true })],
  },
  KLDivLoss: {
    type: 'KLDivLoss', targets: 'one-hot', torch: 'nn.KLDivLoss',
    help: 'KL divergence of the one-hot label rows (a distribution) from log-probabilities: end the model with LogSoftmax.',
    params: [
      { ...reduction, options: ['mean', 'sum', 'batchmean'], help: "'batchmean' is the KL divergence per sample; 'mean' also divides by the 10 classes." },
      bool('logTarget', 'log_target', false, 'Targets given as log-probabilities; one-hot labels are not, so keep it off.'),
    ],
    rule: (p, where) => (p.logTarget === true ? diagnostic('kl-div-log-target', { where }) : null),
  },
  MultiMarginLoss: {
    type: 'MultiMarginLoss', targets: 'indices', torch: 'nn.MultiMarginLoss',
    help: "Multi-class hinge (an SVM's loss) on raw scores and class indices: the true class must lead each other by margin.",
    params: [
      reduction,
      int('p', 'p', 1, '1 for the hinge, 2 for its square (torch has no other).', { min: 1, max: 2 }),
      float('margin', 'margin', 1.0, 'How far the true class must lead every other class.', { min: 0 }),
      classWeight,
    ],
  },
};

const lr = (dflt: number): ParamInfo => float('lr', 'lr', dflt, 'Learning rate: step size of each update.', { min: 0, exclusiveMin: true });
const weightDecay = (dflt = 0): ParamInfo => float('weightDecay', 'weight_decay', dflt, 'L2 penalty on the weights.', { min: 0 });
const eps = (dflt: number): ParamInfo => float('eps', 'eps', dflt, 'Added to the denominator for stability.', { min: 0 });
const betas: ParamInfo = {
  name: 'betas', torchName: 'betas', type: 'float2', default: [0.9, 0.999], min: 0, max: 1,
  help: 'Decay rates of the running mean of the gradient and of its square.',
};
const amsgrad = bool('amsgrad', 'amsgrad', false, 'Use the maximum of past squared gradients (AMSGrad).');

export const OPTIMIZER_CATALOGUE: Record<OptimizerName, OptimizerInfo> = {
  SGD: {
    type: 'SGD', torch: 'optim.SGD', help: 'Stochastic gradient descent, optionally with momentum.',
    stateSlots: (p) => (Number(p.momentum) > 0 ? 1 : 0), plausibleLr: [1e-6, 10],
    params: [
      lr(1e-3),
      float('momentum', 'momentum', 0, 'Fraction of the previous update kept.', { min: 0, max: 1 }),
      float('dampening', 'dampening', 0, 'Damps the momentum of the new gradient.', { min: 0, max: 1 }),
      weightDecay(),
      bool('nesterov', 'nesterov', false, 'Nesterov momentum (needs momentum > 0, dampening 0).'),
    ],
  },
  Adam: {
    type: 'Adam', torch: 'optim.Adam', help: 'Adaptive moments: per-parameter step sizes.',
    stateSlots: (p) => (p.amsgrad ? 3 : 2), plausibleLr: [1e-6, 0.1],
    params: [lr(1e-3), betas, eps(1e-8), weightDecay(), amsgrad],
  },
  AdamW: {
    type: 'AdamW', torch: 'optim.AdamW', help: 'Adam with decoupled weight decay.',
    stateSlots: (p) => (p.amsgrad ? 3 : 2), plausibleLr: [1e-6, 0.1],
    params: [lr(1e-3), betas, eps(1e-8), weightDecay(1e-2), amsgrad],
  },
  RMSprop: {
    type: 'RMSprop', torch: 'optim.RMSprop', help: 'Divides by a running RMS of the gradient.',
    stateSlots: (p) => 1 + (Number(p.momentum) > 0 ? 1 : 0) + (p.centered ? 1 : 0), plausibleLr: [1e-6, 0.1],
    params: [
      lr(1e-2),
      float('alpha', 'alpha', 0.99, 'Smoothing of the squared-gradient average.', { min: 0, max: 1 }),
      eps(1e-8), weightDecay(),
      float('momentum', 'momentum', 0, 'Momentum factor.', { min: 0, max: 1 }),
      bool('centered', 'centered', false, 'Normalize by the variance rather than the second moment.'),
    ],
  },
  Adagrad: {
    type: 'Adagrad', torch: 'optim.Adagrad', help: 'Step sizes shrink with the sum of past squared gradients.',
    stateSlots: () => 1, plausibleLr: [1e-6, 1],
    params: [
      lr(1e-2),
      float('lrDecay', 'lr_decay', 0, 'Learning-rate decay per step.', { min: 0 }),
      weightDecay(),
      float('initialAccumulatorValue', 'initial_accumulator_value', 0, 'Starting value of the sum of squares.', { min: 0 }),
      eps(1e-10),
    ],
  },
  Adadelta: {
    type: 'Adadelta', torch: 'optim.Adadelta', help: 'Adagrad with running averages instead of sums; lr 1.0 by default.',
    stateSlots: () => 2, plausibleLr: [1e-4, 10],
    params: [lr(1.0), float('rho', 'rho', 0.9, 'Running-average decay.', { min: 0, max: 1 }), eps(1e-6), weightDecay()],
  },
  NAdam: {
    type: 'NAdam', torch: 'optim.NAdam', help: 'Adam with Nesterov momentum that warms up; lr 2e-3 by default.',
    stateSlots: () => 2, plausibleLr: [1e-6, 0.1],
    params: [
      lr(2e-3), betas, eps(1e-8), weightDecay(),
      float('momentumDecay', 'momentum_decay', 4e-3, 'How fast the momentum warms up to beta1.', { min: 0 }),
    ],
  },
  RAdam: {
    type: 'RAdam', torch: 'optim.RAdam', help: 'Adam that starts as momentum SGD until its variance estimate can be trusted.',
    stateSlots: () => 2, plausibleLr: [1e-6, 0.1],
    params: [lr(1e-3), betas, eps(1e-8), weightDecay()],
  },
  Adamax: {
    type: 'Adamax', torch: 'optim.Adamax', help: 'Adam with the largest recent gradient in place of the RMS; lr 2e-3 by default.',
    stateSlots: () => 2, plausibleLr: [1e-6, 0.1],
    params: [lr(2e-3), betas, eps(1e-8), weightDecay()],
  },
};

export const SCHEDULER_CATALOGUE: Record<SchedulerName, SchedulerInfo> = {
  StepLR: {
    type: 'StepLR', torch: 'optim.lr_scheduler.StepLR', help: 'Multiplies the lr by gamma every step_size epochs.',
    params: [
      int('stepSize', 'step_size', null, 'Epochs between decays.', { required: true, min: 1 }),
      float('gamma', 'gamma', 0.1, 'Decay factor.', { min: 0, max: 1, exclusiveMin: true }),
    ],
  },
  MultiStepLR: {
    type: 'MultiStepLR', torch: 'optim.lr_scheduler.MultiStepLR', help: 'Multiplies the lr by gamma at each milestone epoch.',
    params: [
      { name: 'milestones', torchName: 'milestones', type: 'ints', default: null, required: true, min: 1, help: 'Epochs at which to decay, increasing.' },
      float('gamma', 'gamma', 0.1, 'Decay factor.', { min: 0, max: 1, exclusiveMin: true }),
    ],
  },
  ExponentialLR: {
    type: 'ExponentialLR', torch: 'optim.lr_scheduler.ExponentialLR', help: 'Multiplies the lr by gamma every epoch.',
    params: [float('gamma', 'gamma', null, 'Decay factor per epoch.', { required: true, min: 0, max: 1, exclusiveMin: true })],
  },
  CosineAnnealingLR: {
    type: 'CosineAnnealingLR', torch: 'optim.lr_scheduler.CosineAnnealingLR', help: 'Follows half a cosine from lr down to eta_min over T_max epochs.',
    params: [
      int('tMax', 'T_max', null, 'Epochs in the half cycle.', { required: true, min: 1 }),
      float('etaMin', 'eta_min', 0, 'Lowest lr.', { min: 0 }),
    ],
  },
  LinearLR: {
    type: 'LinearLR', torch: 'optim.lr_scheduler.LinearLR', help: 'Moves the lr in a straight line from lr·start_factor to lr·end_factor over total_iters epochs (a warm-up by default).',
    params: [
      float('startFactor', 'start_factor', 1 / 3, 'Fraction of the lr in the first epoch.', { min: 0, max: 1, exclusiveMin: true }),
      float('endFactor', 'end_factor', 1, 'Fraction of the lr from epoch total_iters on.', { min: 0, max: 1 }),
      int('totalIters', 'total_iters', 5, 'Epochs the line takes.', { min: 1 }),
    ],
  },
  PolynomialLR: {
    type: 'PolynomialLR', torch: 'optim.lr_scheduler.PolynomialLR', help: 'Decays the lr along (1 − epoch/total_iters)^power to 0 over total_iters epochs.',
    params: [
      int('totalIters', 'total_iters', 5, 'Epochs until the lr reaches 0.', { min: 1 }),
      float('power', 'power', 1, 'Power of the polynomial: 1 is a straight line.', { min: 0 }),
    ],
  },
  CosineAnnealingWarmRestarts: {
    type: 'CosineAnnealingWarmRestarts', torch: 'optim.lr_scheduler.CosineAnnealingWarmRestarts',
    help: 'Follows half a cosine from lr down to eta_min over T_0 epochs, then restarts at lr; each cycle is T_mult times longer.',
    params: [
      int('t0', 'T_0', null, 'Epochs in the first cycle.', { required: true, min: 1 }),
      int('tMult', 'T_mult', 1, 'How much longer each cycle is than the one before.', { min: 1 }),
      float('etaMin', 'eta_min', 0, 'Lowest lr.', { min: 0 }),
    ],
  },
  OneCycleLR: {
    type: 'OneCycleLR', torch: 'optim.lr_scheduler.OneCycleLR', stepsPer: 'batch',
    help: 'The 1cycle policy, stepped every batch: warms the lr up to max_lr, then anneals it far below where it started; momentum moves the other way.',
    fromRun: { param: 'totalSteps', unlessGiven: ['epochs', 'stepsPerEpoch'] },
    rule: oneCycleRule,
    params: [
      float('maxLr', 'max_lr', null, 'Highest lr, at the top of the cycle.', { required: true, min: 0, exclusiveMin: true }),
      int('totalSteps', 'total_steps', null, 'Batches in the cycle; empty: the run\'s epochs × batches per epoch.', { nullable: true, min: 1 }),
      int('epochs', 'epochs', null, 'With steps_per_epoch, instead of total_steps.', { nullable: true, min: 1 }),
      int('stepsPerEpoch', 'steps_per_epoch', null, 'With epochs, instead of total_steps.', { nullable: true, min: 1 }),
      float('pctStart', 'pct_start', 0.3, 'Share of the cycle spent warming up.', { min: 0, max: 1 }),
      { name: 'annealStrategy', torchName: 'anneal_strategy', type: 'enum', default: 'cos', options: ['cos', 'linear'], help: "Shape of each phase: 'cos' or 'linear'." },
      bool('cycleMomentum', 'cycle_momentum', true, "Move momentum (SGD, RMSprop) or Adam's beta1 opposite to the lr."),
      float('baseMomentum', 'base_momentum', 0.85, 'Momentum at the top of the lr.', { min: 0, max: 1 }),
      float('maxMomentum', 'max_momentum', 0.95, 'Momentum at the bottom of the lr.', { min: 0, max: 1 }),
      float('divFactor', 'div_factor', 25, 'Starting lr = max_lr / div_factor.', { min: 0, exclusiveMin: true }),
      float('finalDivFactor', 'final_div_factor', 1e4, 'Final lr = starting lr / final_div_factor.', { min: 0, exclusiveMin: true }),
      bool('threePhase', 'three_phase', false, 'Come back down to the starting lr before annealing (three phases).'),
    ],
  },
};

/**
 * What torch's OneCycleLR raises on, caught as the learner builds: epochs without steps_per_epoch (or the reverse)
 * when total_steps is empty, and cycle_momentum on an optimizer whose row has neither `momentum` nor `betas`
 * (Adagrad, Adadelta; torch looks for them in the optimizer's defaults the same way).
 */
function oneCycleRule(p: Params, where: Diagnostic, { optimizer }: TrainingPieces): Diagnostic | null {
  if (p.totalSteps == null && (p.epochs == null) !== (p.stepsPerEpoch == null)) {
    const [given, missing] = p.epochs == null ? ['steps_per_epoch', 'epochs'] : ['epochs', 'steps_per_epoch'];
    return diagnostic('one-cycle-half-length', { where, given, missing });
  }
  const cycled = optimizer?.params.some((param) => param.name === 'momentum' || param.name === 'betas') ?? true;
  if (p.cycleMomentum !== false && !cycled) return diagnostic('one-cycle-no-momentum', { where, optimizer: optimizer!.type });
  return null;
}

/** A node's params with catalogue defaults filled in (the spec may omit defaults). */
export function resolveParams(infos: readonly ParamInfo[], params: Params | undefined): Params {
  const out: Params = {};
  for (const info of infos) out[info.name] = params && params[info.name] !== undefined ? params[info.name] : info.default;
  return out;
}

export function opParams(node: { op: OpName; params?: Params }): Params {
  return resolveParams(OP_CATALOGUE[node.op].params, node.params);
}

/** A node's id prefix: conv for Conv2d, fc for Linear, relu for ReLU. */
export function idPrefix(op: OpName): string {
  return OP_CATALOGUE[op].prefix ?? op.toLowerCase();
}

/** Every row of the four catalogues by name (ops, losses, optimizers and schedulers have distinct names). */
export const PIECES: Readonly<Record<string, { help: string; params: readonly ParamInfo[] }>> = {
  ...OP_CATALOGUE, ...LOSS_CATALOGUE, ...OPTIMIZER_CATALOGUE, ...SCHEDULER_CATALOGUE,
};
