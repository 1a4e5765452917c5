/**
 * torch.nn for LayerLab: the Module base, layers, recurrent layers, losses and initialisation.
 *
 * To add a layer: subclass Module in the file of its family, register parameters/buffers/children in the
 * constructor, put their initial values in resetParameters() (and call it at the end of the constructor), write
 * forward() from ops, give extraRepr() torch's text, and document "Shape:" as PyTorch does.
 */
export { Module, pyFloat, pyRepr, type ForwardHook, type LoadResult, type RemovableHandle, type StateDict, type TensorLike } from './module';
export { Sequential, ModuleList } from './container';
export { Linear, Identity, Flatten, linear, type LinearOptions } from './linear';
export { Conv2d, type Conv2dOptions, type PaddingMode } from './conv';
export { Conv1d, type Conv1dOptions } from './conv';
export { Unflatten } from './linear';
export { Dropout2d } from './dropout';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './pooling';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './batchnorm';
export * from './activation';
export { RNN, LSTM, GRU, type RNNOptions, type RNNBaseOptions } from './rnn';
export { LayerNorm, layerNorm, type LayerNormOptions } from './normalization';
export { GroupNorm, groupNorm, type GroupNormOptions } from './normalization';
export {
  crossEntropy,
  nllLoss,
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  klDiv,
  KLDivLoss,
  type KLDivLossOptions,
  multiMarginLoss,
  MultiMarginLoss,
  type MultiMarginLossOptions,
  type Reduction,
  type CrossEntropyLossOptions,
  type NLLLossOptions,
  type RegressionLossOptions,
  type SmoothL1LossOptions,
  type HuberLossOptions,
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
} from './loss';
export { clipGradNorm } from './clip-grad';
export * as init from './init';
export { ConvTranspose2d, type ConvTranspose2dOptions } from './conv-transpose';
export { Upsample } from './upsample';
