/**
 * The CPU reference backend: every kernel, written to be read. It is the oracle that faster backends are tested
 * against and the fallback for any kernel they do not implement.
 *
 * The table below is the explicit registration list (no import side effects): to add a kernel, declare its name in
 * ../kernel-names.ts, write it in one of these files, and add one line here. Its type becomes the kernel's
 * signature for every backend (see KernelTable in ../backend.ts).
 */
import * as K from '../kernel-names';
import * as ew from './elementwise';
import * as reduce from './reduce';
import { matmul } from './matmul';
import * as layout from './layout';
import * as softmax from './softmax';
import { conv2dBackward, conv2dForward } from './conv';
import { crossEntropy, crossEntropyBackward, nllLoss, nllLossBackward } from './loss';
import { dropoutMask } from './dropout';
import {
  adaptiveAvgPool2dBackward,
  adaptiveAvgPool2dForward,
  avgPool2dBackward,
  avgPool2dForward,
  maxPool2dBackward,
  maxPool2dForward,
} from './pool';
import { batchNormBackward, batchNormForward, batchNormUpdateRunningStats } from './batchnorm';
import { adadeltaStep, adamStep, sgdStep } from './optim';
import { upsample2dBackward, upsample2dForward } from './upsample';
import { gatherBytes } from './data';

export const cpuKernels = {
  [K.Add]: ew.add,
  [K.Sub]: ew.sub,
  [K.Mul]: ew.mul,
  [K.Div]: ew.div,
  [K.Pow]: ew.pow,
  [K.Maximum]: ew.maximum,
  [K.Minimum]: ew.minimum,
  [K.Equal]: ew.equal,
  [K.Greater]: ew.greater,
  [K.GreaterEqual]: ew.greaterEqual,
  [K.Less]: ew.less,
  [K.LessEqual]: ew.lessEqual,
  [K.Where]: ew.where,

  [K.Neg]: ew.neg,
  [K.Exp]: ew.exp,
  [K.Log]: ew.log,
  [K.Sqrt]: ew.sqrt,
  [K.Abs]: ew.abs,
  [K.Sign]: ew.sign,
  [K.PowScalar]: ew.powScalar,
  [K.Clamp]: ew.clamp,
  [K.ClampGrad]: ew.clampGrad,
  [K.Relu]: ew.relu,
  [K.ReluGrad]: ew.reluGrad,
  [K.LeakyRelu]: ew.leakyRelu,
  [K.LeakyReluGrad]: ew.leakyReluGrad,
  [K.Sigmoid]: ew.sigmoid,
  [K.SigmoidGrad]: ew.sigmoidGrad,
  [K.Tanh]: ew.tanh,
  [K.TanhGrad]: ew.tanhGrad,
  [K.Gelu]: ew.gelu,
  [K.GeluGrad]: ew.geluGrad,
  [K.GeluTanh]: ew.geluTanh,
  [K.GeluTanhGrad]: ew.geluTanhGrad,
  [K.Elu]: ew.elu,
  [K.EluGrad]: ew.eluGrad,
  [K.Silu]: ew.silu,
  [K.SiluGrad]: ew.siluGrad,
  [K.Softplus]: ew.softplus,
  [K.SoftplusGrad]: ew.softplusGrad,

  [K.Sum]: reduce.sum,
  [K.MaxDim]: reduce.maxDim,
  [K.StepMetrics]: reduce.stepMetrics,

  [K.Matmul]: matmul,

  [K.Cast]: layout.cast,
  [K.Permute]: layout.permute,
  [K.BroadcastTo]: layout.broadcastTo,
  [K.Slice]: layout.slice,
  [K.SliceGrad]: layout.sliceGrad,
  [K.Concat]: layout.concat,
  [K.Gather]: layout.gather,
  [K.ScatterAdd]: layout.scatterAdd,

  [K.Softmax]: softmax.softmax,
  [K.LogSoftmax]: softmax.logSoftmax,

  [K.Conv2d]: conv2dForward,
  [K.Conv2dBackward]: conv2dBackward,
  [K.MaxPool2d]: maxPool2dForward,
  [K.MaxPool2dBackward]: maxPool2dBackward,
  [K.AvgPool2d]: avgPool2dForward,
  [K.AvgPool2dBackward]: avgPool2dBackward,
  [K.AdaptiveAvgPool2d]: adaptiveAvgPool2dForward,
  [K.AdaptiveAvgPool2dBackward]: adaptiveAvgPool2dBackward,
  [K.BatchNorm]: batchNormForward,
  [K.BatchNormBackward]: batchNormBackward,
  [K.BatchNormUpdateRunningStats]: batchNormUpdateRunningStats,

  [K.AdamStep]: adamStep,
  [K.SgdStep]: sgdStep,
  [K.AdadeltaStep]: adadeltaStep,

  [K.CrossEntropy]: crossEntropy,
  [K.CrossEntropyBackward]: crossEntropyBackward,
  [K.NllLoss]: nllLoss,
  [K.NllLossBackward]: nllLossBackward,
  [K.DropoutMask]: dropoutMask,
  [K.Upsample2d]: upsample2dForward,
  [K.Upsample2dBackward]: upsample2dBackward,
  [K.GatherBytes]: gatherBytes,
};
