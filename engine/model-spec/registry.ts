/**
 * The engine's half of the catalogue (common/model-spec/catalogue.ts): for every row, the factory that makes its engine
 * object from the row's params (defaults already filled in). Keyed by the catalogue's names; the `Record` types make a
 * missing row a type error, and registry.test.ts checks both ways at run time. Input, Add and Concat are not modules:
 * buildModel and GraphModule wire them.
 */
import { pair, type LossName, type MERGE_OPS, type OpName, type OptimizerName, type Params, type SchedulerName } from '../../common/model-spec/index';
import { tensor, type Tensor } from '../tensor';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss, BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Dropout,
  ELU, Flatten, GELU, GRU, HuberLoss, Identity, KLDivLoss, L1Loss, LeakyReLU, Linear, LogSoftmax, LSTM, MaxPool2d, Module, MSELoss, MultiMarginLoss, NLLLoss,
  ReLU, RNN, SiLU, Sigmoid, SmoothL1Loss, Softmax, Softplus, Tanh,
  LayerNorm, GroupNorm, Conv1d, type PaddingMode, Unflatten, Dropout2d,
} from '../nn/index';
import { CELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, PReLU, ReLU6, SELU, Softmin, Softsign } from '../nn/activation';
import { ConvTranspose2d, Upsample } from '../nn/index';
import {
  Adadelta, Adagrad, Adam, Adamax, AdamW, CosineAnnealingLR, ExponentialLR, MultiStepLR, NAdam, RAdam, RMSprop, SGD, StepLR,
  type HasLrGroups, type LRScheduler,
} from '../optim/index';
// The schedulers #18 added, on their own line so that parallel additions to the list above merge cleanly.
import { CosineAnnealingWarmRestarts, LinearLR, OneCycleLR, PolynomialLR } from '../optim/index';

/** Ops that become a module; the Input and the merges are wiring. */
export type LayerOp = Exclude<OpName, 'Input' | (typeof MERGE_OPS)[number]>;

// Recurrent layers as single-output modules (the spec's `output` option), keeping torch's parameter names.
class RNNSequence extends RNN {
  override forward(input: Tensor): Tensor { return this.forwardSequence(input)[0]; }
}
class LSTMSequence extends LSTM {
  override forward(input: Tensor): Tensor { return this.forwardSequence(input)[0]; }
}
class GRUSequence extends GRU {
  override forward(input: Tensor): Tensor { return this.forwardSequence(input)[0]; }
}

const n = (p: Params, name: string) => p[name] as number;
const b = (p: Params, name: string) => p[name] as boolean;
const orNull = (v: Params[string]) => (v === null ? null : pair(v));
const recurrentOptions = (p: Params) =>
  ({ numLayers: n(p, 'numLayers'), bias: b(p, 'bias'), batchFirst: b(p, 'batchFirst'), returnLastStep: p.output === 'last' });
/** Conv2d's padding: torch's words 'same' and 'valid' as they are, a number or (h, w) as a pair. */
const convPadding = (p: Params) => (p.padding === 'same' || p.padding === 'valid' ? p.padding : pair(p.padding));
const batchNormOptions = (p: Params) => ({ eps: n(p, 'eps'), momentum: n(p, 'momentum'), affine: b(p, 'affine') });

export const LAYER_FACTORIES: Record<LayerOp, (p: Params) => Module> = {
  Linear: (p) => new Linear(n(p, 'inFeatures'), n(p, 'outFeatures'), { bias: b(p, 'bias') }),
  Conv2d: (p) => new Conv2d(n(p, 'inChannels'), n(p, 'outChannels'), pair(p.kernelSize), {
    stride: pair(p.stride), padding: convPadding(p), dilation: pair(p.dilation), groups: n(p, 'groups'), bias: b(p, 'bias'),
    paddingMode: p.paddingMode as PaddingMode,
  }),
  MaxPool2d: (p) => new MaxPool2d(pair(p.kernelSize), { stride: orNull(p.stride), padding: pair(p.padding) }),
  AvgPool2d: (p) => new AvgPool2d(pair(p.kernelSize), { stride: orNull(p.stride), padding: pair(p.padding) }),
  AdaptiveAvgPool2d: (p) => new AdaptiveAvgPool2d(pair(p.outputSize)),
  Flatten: (p) => new Flatten(n(p, 'startDim'), n(p, 'endDim')),
  Dropout: (p) => new Dropout(n(p, 'p')),
  BatchNorm1d: (p) => new BatchNorm1d(n(p, 'numFeatures'), batchNormOptions(p)),
  BatchNorm2d: (p) => new BatchNorm2d(n(p, 'numFeatures'), batchNormOptions(p)),
  RNN: (p) => {
    const options = { ...recurrentOptions(p), nonlinearity: p.nonlinearity as 'tanh' | 'relu' };
    return new (options.returnLastStep ? RNN : RNNSequence)(n(p, 'inputSize'), n(p, 'hiddenSize'), options);
  },
  LSTM: (p) => new (p.output === 'last' ? LSTM : LSTMSequence)(n(p, 'inputSize'), n(p, 'hiddenSize'), recurrentOptions(p)),
  GRU: (p) => new (p.output === 'last' ? GRU : GRUSequence)(n(p, 'inputSize'), n(p, 'hiddenSize'), recurrentOptions(p)),
  ReLU: () => new ReLU(),
  LeakyReLU: (p) => new LeakyReLU(n(p, 'negativeSlope')),
  Sigmoid: () => new Sigmoid(),
  Tanh: () => new Tanh(),
  GELU: (p) => new GELU(p.approximate as 'none' | 'tanh'),
  ELU: (p) => new ELU(n(p, 'alpha')),
  SiLU: () => new SiLU(),
  Softplus: (p) => new Softplus(n(p, 'beta'), n(p, 'threshold')),
  Softmax: (p) => new Softmax(n(p, 'dim')),
  LogSoftmax: (p) => new LogSoftmax(n(p, 'dim')),
  Identity: () => new Identity(),
  ReLU6: () => new ReLU6(),
  Hardtanh: (p) => new Hardtanh(n(p, 'minVal'), n(p, 'maxVal')),
  Hardswish: () => new Hardswish(),
  Hardsigmoid: () => new Hardsigmoid(),
  Mish: () => new Mish(),
  SELU: () => new SELU(),
  CELU: (p) => new CELU(n(p, 'alpha')),
  Softsign: () => new Softsign(),
  LogSigmoid: () => new LogSigmoid(),
  Softmin: (p) => new Softmin(n(p, 'dim')),
  PReLU: (p) => new PReLU(n(p, 'numParameters'), n(p, 'init')),
  LayerNorm: (p) => new LayerNorm(p.normalizedShape as number[], { eps: n(p, 'eps'), elementwiseAffine: b(p, 'elementwiseAffine') }),
  GroupNorm: (p) => new GroupNorm(n(p, 'numGroups'), n(p, 'numChannels'), { eps: n(p, 'eps'), affine: b(p, 'affine') }),
  Conv1d: (p) => new Conv1d(n(p, 'inChannels'), n(p, 'outChannels'), n(p, 'kernelSize'), {
    stride: n(p, 'stride'), padding: p.padding as number | 'same' | 'valid', dilation: n(p, 'dilation'), groups: n(p, 'groups'), bias: b(p, 'bias'),
    paddingMode: p.paddingMode as PaddingMode,
  }),
  Unflatten: (p) => new Unflatten(n(p, 'dim'), p.unflattenedSize as number[]),
  Dropout2d: (p) => new Dropout2d(n(p, 'p')),
  ConvTranspose2d: (p) => new ConvTranspose2d(n(p, 'inChannels'), n(p, 'outChannels'), pair(p.kernelSize), {
    stride: pair(p.stride), padding: pair(p.padding), outputPadding: pair(p.outputPadding), groups: n(p, 'groups'), bias: b(p, 'bias'),
    dilation: pair(p.dilation),
  }),
  Upsample: (p) => new Upsample({
    size: orNull(p.size), scaleFactor: p.scaleFactor as number | null, mode: p.mode as 'nearest' | 'bilinear',
    alignCorners: p.mode === 'bilinear' ? b(p, 'alignCorners') : null,
  }),
};

export type LossModule = Module & { forward(input: Tensor, target: Tensor): Tensor };
const reduction = (p: Params) => p.reduction as 'mean' | 'sum';
/** A class-index loss's `weight`: one number per class as a tensor, or null for all 1. */
const classWeight = (p: Params) => (Array.isArray(p.weight) ? tensor(p.weight) : null);

export const LOSS_FACTORIES: Record<LossName, (p: Params) => LossModule> = {
  CrossEntropyLoss: (p) => new CrossEntropyLoss({ reduction: reduction(p), labelSmoothing: n(p, 'labelSmoothing'), weight: classWeight(p) }),
  NLLLoss: (p) => new NLLLoss({ reduction: reduction(p), weight: classWeight(p) }),
  MSELoss: (p) => new MSELoss({ reduction: reduction(p) }),
  L1Loss: (p) => new L1Loss({ reduction: reduction(p) }),
  SmoothL1Loss: (p) => new SmoothL1Loss({ reduction: reduction(p), beta: n(p, 'beta') }),
  BCELoss: (p) => new BCELoss({ reduction: reduction(p) }),
  BCEWithLogitsLoss: (p) => new BCEWithLogitsLoss({ reduction: reduction(p) }),
  HuberLoss: (p) => new HuberLoss({ reduction: reduction(p), delta: n(p, 'delta') }),
  KLDivLoss: (p) => new KLDivLoss({ reduction: p.reduction as 'mean' | 'sum' | 'batchmean', logTarget: b(p, 'logTarget') }),
  MultiMarginLoss: (p) => new MultiMarginLoss({ reduction: reduction(p), p: n(p, 'p'), margin: n(p, 'margin'), weight: classWeight(p) }),
};

export type AnyOptimizer = SGD | Adam | AdamW | RMSprop | Adagrad | Adadelta | NAdam | RAdam | Adamax;
const adamOptions = (p: Params) =>
  ({ lr: n(p, 'lr'), betas: p.betas as [number, number], eps: n(p, 'eps'), weightDecay: n(p, 'weightDecay'), amsgrad: b(p, 'amsgrad') });

export const OPTIMIZER_FACTORIES: Record<OptimizerName, (params: Tensor[], p: Params) => AnyOptimizer> = {
  SGD: (list, p) => new SGD(list, {
    lr: n(p, 'lr'), momentum: n(p, 'momentum'), dampening: n(p, 'dampening'), weightDecay: n(p, 'weightDecay'), nesterov: b(p, 'nesterov'),
  }),
  Adam: (list, p) => new Adam(list, adamOptions(p)),
  AdamW: (list, p) => new AdamW(list, adamOptions(p)),
  RMSprop: (list, p) => new RMSprop(list, {
    lr: n(p, 'lr'), alpha: n(p, 'alpha'), eps: n(p, 'eps'), weightDecay: n(p, 'weightDecay'), momentum: n(p, 'momentum'), centered: b(p, 'centered'),
  }),
  Adagrad: (list, p) => new Adagrad(list, {
    lr: n(p, 'lr'), lrDecay: n(p, 'lrDecay'), weightDecay: n(p, 'weightDecay'), initialAccumulatorValue: n(p, 'initialAccumulatorValue'), eps: n(p, 'eps'),
  }),
  Adadelta: (list, p) => new Adadelta(list, { lr: n(p, 'lr'), rho: n(p, 'rho'), eps: n(p, 'eps'), weightDecay: n(p, 'weightDecay') }),
  NAdam: (list, p) => new NAdam(list, {
    lr: n(p, 'lr'), betas: p.betas as [number, number], eps: n(p, 'eps'), weightDecay: n(p, 'weightDecay'), momentumDecay: n(p, 'momentumDecay'),
  }),
  RAdam: (list, p) => new RAdam(list, { lr: n(p, 'lr'), betas: p.betas as [number, number], eps: n(p, 'eps'), weightDecay: n(p, 'weightDecay') }),
  Adamax: (list, p) => new Adamax(list, { lr: n(p, 'lr'), betas: p.betas as [number, number], eps: n(p, 'eps'), weightDecay: n(p, 'weightDecay') }),
};

export const SCHEDULER_FACTORIES: Record<SchedulerName, (optimizer: HasLrGroups, p: Params) => LRScheduler> = {
  StepLR: (o, p) => new StepLR(o, n(p, 'stepSize'), { gamma: n(p, 'gamma') }),
  MultiStepLR: (o, p) => new MultiStepLR(o, p.milestones as number[], { gamma: n(p, 'gamma') }),
  ExponentialLR: (o, p) => new ExponentialLR(o, n(p, 'gamma')),
  CosineAnnealingLR: (o, p) => new CosineAnnealingLR(o, n(p, 'tMax'), { etaMin: n(p, 'etaMin') }),
  LinearLR: (o, p) => new LinearLR(o, { startFactor: n(p, 'startFactor'), endFactor: n(p, 'endFactor'), totalIters: n(p, 'totalIters') }),
  PolynomialLR: (o, p) => new PolynomialLR(o, { totalIters: n(p, 'totalIters'), power: n(p, 'power') }),
  CosineAnnealingWarmRestarts: (o, p) => new CosineAnnealingWarmRestarts(o, n(p, 't0'), { tMult: n(p, 'tMult'), etaMin: n(p, 'etaMin') }),
  OneCycleLR: (o, p) => new OneCycleLR(o, n(p, 'maxLr'), {
    totalSteps: (p.totalSteps as number | null) ?? undefined, epochs: (p.epochs as number | null) ?? undefined,
    stepsPerEpoch: (p.stepsPerEpoch as number | null) ?? undefined, pctStart: n(p, 'pctStart'),
    annealStrategy: p.annealStrategy as 'cos' | 'linear', cycleMomentum: b(p, 'cycleMomentum'), baseMomentum: n(p, 'baseMomentum'),
    maxMomentum: n(p, 'maxMomentum'), divFactor: n(p, 'divFactor'), finalDivFactor: n(p, 'finalDivFactor'), threePhase: b(p, 'threePhase'),
  }),
};
