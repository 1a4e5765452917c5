/**
 * LayerLab's engine: a PyTorch-style library (tensors, autograd, nn, optim, data) in plain TypeScript.
 * Each area has its own barrel; this file only gathers them. It is the engine's public face: the engine host
 * imports the engine through it alone (scripts/check-boundaries.ts). See engine/README.md for the tour.
 */
export * from './tensor';
export * from './autograd';
export * from './random';
export { setBackend, getBackend, registerBackend, listBackends, endStep } from './backend/index';
export { chooseBackend, likelyFastestFirst, trainingStep, type BackendChoice, type BackendFigure } from './backend/choose';
export * from './ops/index';
export * as nn from './nn/index';
export * as optim from './optim/index';
export * as data from './data/index';
export * as io from './io/index';
export * as spec from './model-spec/index';
export * as train from './train/index';
export * as inspect from './inspect/index';
export { TorchNnTutorial, tutorialData, type TutorialData } from './lessons/torch-nn-tutorial';
