/**
 * LayerLab's engine: a PyTorch-style library (tensors, autograd, nn, optim, data) in plain TypeScript.
 * Each area has its own barrel; this file only gathers them. See engine/README.md for the tour.
 */
export * from './tensor';
export * from './autograd';
export * from './random';
export { setBackend, getBackend, registerBackend, listBackends, endStep } from './backend/index';
export * from './ops/index';
export * as nn from './nn/index';
export * as optim from './optim/index';
export * as data from './data/index';
export * as io from './io/index';
export * as spec from './spec/index';
