/**
 * The gpu.js backend's kernel table: each kernel has exactly the CPU kernel's signature (KernelTable), runs its
 * plan (./plans.ts) on gpu.js when there is one, and calls the CPU reference kernel otherwise.
 */
import type { KernelTable } from '../backend';
import { cpuKernels } from '../cpu/index';
import type { FloatArray } from '../arrays';
import * as P from './plans';
import type { GpujsRunner } from './runner';

export function gpujsKernels(runner: GpujsRunner, t: P.Thresholds): Partial<KernelTable> {
  const run = (launch: P.Launch): Float32Array => runner.run(launch);

  const matmul: KernelTable['Matmul'] = (a, b, attrs) => {
    const plan = P.planMatmul(a, b, attrs, t);
    return plan ? run(plan) : cpuKernels.Matmul(a, b, attrs);
  };

  const binary = (name: keyof typeof P.BINARY): KernelTable['Add'] => (a, aShape, b, bShape, outShape, dtype) => {
    const plan = P.planBinary(P.BINARY[name], a, aShape, b, bShape, outShape, dtype, t);
    return plan ? run(plan) : cpuKernels[name](a, aShape, b, bShape, outShape, dtype);
  };

  const unary = (name: keyof typeof P.UNARY): KernelTable['Relu'] => (x, attrs) => {
    const plan = P.planUnary(P.UNARY[name], x, P.unaryParam(name, attrs), t);
    return plan ? run(plan) : cpuKernels[name](x, attrs);
  };

  const unaryGrad = (name: keyof typeof P.UNARY_GRAD): KernelTable['ReluGrad'] => (x, y, dy, attrs) => {
    const plan = P.planUnaryGrad(P.UNARY_GRAD[name], x, y, dy, P.unaryParam(name, attrs), t);
    return plan ? run(plan) : cpuKernels[name](x, y, dy, attrs);
  };

  const sum: KernelTable['Sum'] = (x, shape, dims, dtype) => {
    const plan = P.planSum(x, shape, dims, dtype, t);
    return plan ? run(plan) : cpuKernels.Sum(x, shape, dims, dtype);
  };

  const softmax: KernelTable['Softmax'] = (x, shape, dim) => {
    const plan = P.planSoftmax(x, shape, dim, false, t);
    return plan ? run(plan) : cpuKernels.Softmax(x, shape, dim);
  };

  const logSoftmax: KernelTable['LogSoftmax'] = (x, shape, dim) => {
    const plan = P.planSoftmax(x, shape, dim, true, t);
    return plan ? run(plan) : cpuKernels.LogSoftmax(x, shape, dim);
  };

  const conv2d: KernelTable['Conv2d'] = (x, xShape, w, wShape, bias, attrs) => {
    const plan = P.planConvForward(x, xShape, w, wShape, bias, attrs, t);
    if (!plan) return cpuKernels.Conv2d(x, xShape, w, wShape, bias, attrs);
    const [n, , , , o, , , oh, ow] = plan.args[3] as Float32Array;
    return { y: run(plan), shape: [n, o, oh, ow] };
  };

  const conv2dBackward: KernelTable['Conv2dBackward'] = (dy, x, xShape, w, wShape, attrs, mask = { input: true, weight: true, bias: true }) => {
    const plan = P.planConvBackward(dy, x, xShape, w, wShape, attrs, mask, t);
    if (!plan) return cpuKernels.Conv2dBackward(dy, x, xShape, w, wShape, attrs, mask);
    const out = (l: P.Launch | null): FloatArray | null => (l ? run(l) : null);
    return { dx: out(plan.dx), dw: out(plan.dw), db: out(plan.db) };
  };

  return {
    Matmul: matmul,
    Add: binary('Add'),
    Sub: binary('Sub'),
    Mul: binary('Mul'),
    Div: binary('Div'),
    Neg: unary('Neg'),
    Exp: unary('Exp'),
    Log: unary('Log'),
    Sqrt: unary('Sqrt'),
    Abs: unary('Abs'),
    Relu: unary('Relu'),
    LeakyRelu: unary('LeakyRelu'),
    Sigmoid: unary('Sigmoid'),
    Tanh: unary('Tanh'),
    ReluGrad: unaryGrad('ReluGrad'),
    LeakyReluGrad: unaryGrad('LeakyReluGrad'),
    SigmoidGrad: unaryGrad('SigmoidGrad'),
    TanhGrad: unaryGrad('TanhGrad'),
    Sum: sum,
    Softmax: softmax,
    LogSoftmax: logSoftmax,
    Conv2d: conv2d,
    Conv2dBackward: conv2dBackward,
  };
}
