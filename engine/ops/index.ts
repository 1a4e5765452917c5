/**
 * The functional ops (torch.nn.functional-style): `import { add, matmul, relu } from 'engine'`. Tensor methods
 * call these same functions. See README.md in this folder for how to add an op.
 */
export { add, sub, mul, div, pow, maximum, minimum, eq, gt, ge, lt, le, where } from './elementwise';
export { neg, exp, log, sqrt, abs, sign, clamp, cast, fullLike, unaryForward, unaryGrad } from './elementwise';
export { relu, leakyRelu, sigmoid, tanh, gelu, elu, silu, softplus } from './activation';
export { sum, mean, max, min, argmax, stepMetrics } from './reduce';
export { matmul, matmulFlops } from './matmul';
export { linear } from './linear';
export { reshape, view, flatten, permute, transpose, unsqueeze, squeeze, expand, cat, slice, gather, pad, type PadMode } from './shape';
export { softmax, logSoftmax } from './softmax';
export { asTensor, broadcastShapes, broadcastTo, floatData, floatDType, normalizeDim, operands, sumToShape } from './util';
export { recordOp } from '../autograd';
// conv area (ops/{conv,pool,batchnorm,dropout}.ts)
export { conv2d, type Conv2dOptions } from './conv';
export { conv1d, type Conv1dOptions } from './conv';
export { maxPool2d, maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './pool';
export { batchNorm } from './batchnorm';
export { dropout } from './dropout';
export { dropout2d } from './dropout';
export { convTranspose2d, convTransposeOut, type ConvTranspose2dOptions } from './conv-transpose';
export { interpolate, UPSAMPLE_MODES, type InterpolateOptions } from './upsample';
