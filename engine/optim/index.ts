/**
 * torch.optim for LayerLab: optimizers (one per-parameter loop each, pseudo-code in the doc comment) and
 * learning-rate schedulers. To add an optimizer: subclass Optimizer, write `validate` and `updateParameter`.
 */
export { Optimizer, type OptimizerStateDict, type ParamGroup, type Params, type ParamState } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
export { RMSprop, type RMSpropOptions } from './rmsprop';
export { Adagrad, type AdagradOptions } from './adagrad';
export { Adadelta, type AdadeltaOptions } from './adadelta';
export { NAdam, type NAdamOptions } from './nadam';
export { RAdam, type RAdamOptions } from './radam';
export { Adamax, type AdamaxOptions } from './adamax';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ConstantLR,
  LinearLR,
  OneCycleLR,
  type OneCycleLROptions,
  ExponentialLR,
  CosineAnnealingLR,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type SchedulerStateDict,
  type HasLrGroups,
} from './lr-scheduler';
export { PolynomialLR, CosineAnnealingWarmRestarts } from './lr-scheduler';
export { clipGradNorm } from '../nn/clip-grad';
