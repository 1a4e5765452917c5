/**
 * The gpu.js backend's kernel table: each kernel has exactly the CPU kernel's signature (KernelTable), runs its
 * plan (./plans.ts) on gpu.js when there is one, and calls the CPU reference kernel otherwise.
 *
 * With a store (resident mode, ./device.ts), results stay on the device as GpujsDeviceData (typed as the CPU array
 * the signature names, as the wasm backend's handles are) and inputs may be such handles: a whole training step
 * chains textures, and only what the CPU reads comes back. A case that falls to the CPU downloads its device inputs.
 */
import type { KernelTable } from '../backend';
import { cpuKernels } from '../cpu/index';
import type { FloatArray } from '../arrays';
import * as P from './plans';
import type { LaunchRunner } from './runner';
import { GpujsDeviceData, host, type GpujsStore } from './device';

/** An index array as the CPU kernels take it: int32 (this backend's indices are floats, maybe on the device). */
function hostInt(xs: Int32Array): Int32Array {
  const values = host(xs);
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

/** Per-row values as the CPU kernels take them: float64 (this backend's are float32, maybe on the device). */
function hostF64(xs: Float64Array): Float64Array {
  const values = host(xs);
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

export function gpujsKernels(runner: LaunchRunner, t: P.Thresholds, store: GpujsStore | null = null): Partial<KernelTable> {
  const run = (launch: P.Launch): Float32Array =>
    store ? (store.output(runner.runOnDevice(launch), launch.n) as unknown as Float32Array) : runner.run(launch);

  /**
   * An in-place update (the optimizers'): `writes[i]` takes launch i's result. A kept device value swaps in its new
   * texture; a CPU array is written back (only on an update's first step, before its state is kept on the device).
   * The launches all read the old values, so they run before anything is replaced.
   */
  const update = (launches: P.Launch[], writes: FloatArray[]): void => {
    const results = launches.map((l) => (store ? runner.runOnDevice(l) : runner.run(l)));
    results.forEach((result, i) => {
      const target = writes[i] as unknown;
      if (target instanceof GpujsDeviceData) target.replace(result);
      else (target as Float32Array).set(store ? store.take(result, launches[i].n) : (result as Float32Array));
    });
  };

  /** The CPU kernel on device values: downloaded, updated, and the kept ones given their new values. */
  const updateOnCpu = (arrays: (FloatArray | null)[], apply: (hostArrays: (FloatArray | null)[]) => void): void => {
    const device = arrays.map((a) => ((a as unknown) instanceof GpujsDeviceData ? (a as unknown as GpujsDeviceData) : null));
    const hostArrays = arrays.map((a, i) => device[i]?.read() ?? a);
    apply(hostArrays);
    device.forEach((d, i) => {
      if (d?.persistent) d.replace(runner.upload(hostArrays[i] as Float32Array));
    });
  };

  /** A split sum: the partials stay on the device for the second launch, and are freed after it. */
  const runSplit = ({ partial, chunks, len }: P.SplitSum): FloatArray => {
    const parts = store ? runner.runOnDevice(partial) : runner.run(partial);
    try {
      return run(P.sumChunks(parts, chunks, len));
    } finally {
      if (!(parts instanceof Float32Array)) parts.delete?.();
    }
  };

  const matmul: KernelTable['Matmul'] = (a, b, attrs) => {
    const plan = P.planMatmul(a, b, attrs, t);
    return plan ? run(plan) : cpuKernels.Matmul(host(a), host(b), attrs);
  };

  const binary = (name: keyof typeof P.BINARY): KernelTable['Add'] => (a, aShape, b, bShape, outShape, dtype) => {
    const plan = P.planBinary(P.BINARY[name], a, aShape, b, bShape, outShape, dtype, t);
    return plan ? run(plan) : cpuKernels[name](host(a), aShape, host(b), bShape, outShape, dtype);
  };

  const unary = (name: keyof typeof P.UNARY): KernelTable['Relu'] => (x, attrs) => {
    const plan = P.planUnary(P.UNARY[name], x, P.unaryParam(name, attrs), t);
    return plan ? run(plan) : cpuKernels[name](host(x), attrs);
  };

  const unaryGrad = (name: keyof typeof P.UNARY_GRAD): KernelTable['ReluGrad'] => (x, y, dy, attrs) => {
    const plan = P.planUnaryGrad(P.UNARY_GRAD[name], x, y, dy, P.unaryParam(name, attrs), t);
    return plan ? run(plan) : cpuKernels[name](host(x), host(y), host(dy), attrs);
  };

  const sum: KernelTable['Sum'] = (x, shape, dims, dtype) => {
    const plan = P.planSum(x, shape, dims, dtype, t);
    return plan ? run(plan) : cpuKernels.Sum(host(x), shape, dims, dtype);
  };

  const softmax: KernelTable['Softmax'] = (x, shape, dim) => {
    const plan = P.planSoftmax(x, shape, dim, false, t);
    return plan ? run(plan) : cpuKernels.Softmax(host(x), shape, dim);
  };

  const logSoftmax: KernelTable['LogSoftmax'] = (x, shape, dim) => {
    const plan = P.planSoftmax(x, shape, dim, true, t);
    return plan ? run(plan) : cpuKernels.LogSoftmax(host(x), shape, dim);
  };

  const conv2d: KernelTable['Conv2d'] = (x, xShape, w, wShape, bias, attrs) => {
    const plan = P.planConvForward(x, xShape, w, wShape, bias, attrs, t);
    if (!plan) return cpuKernels.Conv2d(host(x), xShape, host(w), wShape, host(bias), attrs);
    const [n, , , , o, , , oh, ow] = plan.args[3] as Float32Array;
    return { y: run(plan), shape: [n, o, oh, ow] };
  };

  const conv2dBackward: KernelTable['Conv2dBackward'] = (dy, x, xShape, w, wShape, attrs, mask = { input: true, weight: true, bias: true }) => {
    const plan = P.planConvBackward(dy, x, xShape, w, wShape, attrs, mask, t);
    if (!plan) return cpuKernels.Conv2dBackward(host(dy), host(x), xShape, host(w), wShape, attrs, mask);
    const out = (l: P.Launch | P.SplitSum | null): FloatArray | null => (l === null ? null : P.isSplitSum(l) ? runSplit(l) : run(l));
    return { dx: out(plan.dx), dw: out(plan.dw), db: out(plan.db) };
  };

  const crossEntropy: KernelTable['CrossEntropy'] = (x, classes, targets, ignoreIndex) => {
    // Resident, logits handed over as a CPU array mean a caller that is on the CPU already: launching would only
    // add a read-back of the losses, so that forward stays on the CPU kernel. Logits on the device (nn/loss.ts
    // hands them over with kernelInput) keep both results there.
    const onDevice = !store || (x as unknown) instanceof GpujsDeviceData;
    const plan = onDevice ? P.planCrossEntropy(x, classes, targets, ignoreIndex, t) : null;
    if (!plan) return cpuKernels.CrossEntropy(host(x), classes, hostInt(targets), ignoreIndex);
    // float32 (or device values) where the CPU kernel has float64: the same per-row values, one per row.
    return { losses: run(plan.losses), lse: run(plan.lse) } as unknown as ReturnType<KernelTable['CrossEntropy']>;
  };

  const crossEntropyBackward: KernelTable['CrossEntropyBackward'] = (x, classes, targets, ignoreIndex, lse, scale) => {
    const plan = P.planCrossEntropyBackward(x, classes, targets, ignoreIndex, lse, scale, t);
    if (plan) return run(plan);
    return cpuKernels.CrossEntropyBackward(host(x), classes, hostInt(targets), ignoreIndex, hostF64(lse), hostF64(scale));
  };

  const dropoutMask: KernelTable['DropoutMask'] = (size, attrs) => {
    const plan = P.planDropoutMask(size, attrs, t);
    return plan ? run(plan) : cpuKernels.DropoutMask(size, attrs);
  };

  const nllLoss: KernelTable['NllLoss'] = (x, classes, targets, ignoreIndex) => {
    // As crossEntropy: resident, log-probabilities already on the CPU stay there.
    const plan = !store || (x as unknown) instanceof GpujsDeviceData ? P.planNllLoss(x, classes, targets, ignoreIndex, t) : null;
    if (!plan) return cpuKernels.NllLoss(host(x), classes, hostInt(targets), ignoreIndex);
    return run(plan) as unknown as ReturnType<KernelTable['NllLoss']>; // float32 (or a device value) per row
  };

  const nllLossBackward: KernelTable['NllLossBackward'] = (x, classes, targets, ignoreIndex, scale) => {
    const plan = P.planNllLossBackward(x, classes, targets, ignoreIndex, scale, t);
    return plan ? run(plan) : cpuKernels.NllLossBackward(host(x), classes, hostInt(targets), ignoreIndex, hostF64(scale));
  };

  /** Each max-pool index output and the geometry its backward needs (the CPU signature passes only the indices). */
  const poolGeometry = new WeakMap<object, Float32Array>();

  const maxPool2d: KernelTable['MaxPool2d'] = (x, shape, attrs) => {
    const plan = P.planMaxPool(x, shape, attrs, t);
    if (!plan) return cpuKernels.MaxPool2d(host(x), shape, attrs);
    const indices = run(plan.indices);
    poolGeometry.set(indices, plan.geometry);
    // The indices are floats (exact below 2^24), on the device like y; only this backend's backward reads them.
    return { y: run(plan.y), indices: indices as unknown as Int32Array, shape: plan.shape };
  };

  const maxPool2dBackward: KernelTable['MaxPool2dBackward'] = (dy, indices, xShape) => {
    const plan = P.planMaxPoolBackward(dy, indices, xShape, poolGeometry.get(indices), t);
    return plan ? run(plan) : cpuKernels.MaxPool2dBackward(host(dy), hostInt(indices), xShape);
  };

  const avgPool2d: KernelTable['AvgPool2d'] = (x, shape, attrs) => {
    const plan = P.planAvgPool(x, shape, attrs, t);
    return plan ? { y: run(plan.y), shape: plan.shape } : cpuKernels.AvgPool2d(host(x), shape, attrs);
  };

  const avgPool2dBackward: KernelTable['AvgPool2dBackward'] = (dy, xShape, attrs) => {
    const plan = P.planAvgPoolBackward(dy, xShape, attrs, t);
    return plan ? run(plan) : cpuKernels.AvgPool2dBackward(host(dy), xShape, attrs);
  };

  const adaptiveAvgPool2d: KernelTable['AdaptiveAvgPool2d'] = (x, shape, outH, outW) => {
    const plan = P.planAdaptiveAvgPool(x, shape, outH, outW, t);
    return plan ? { y: run(plan.y), shape: plan.shape } : cpuKernels.AdaptiveAvgPool2d(host(x), shape, outH, outW);
  };

  const adaptiveAvgPool2dBackward: KernelTable['AdaptiveAvgPool2dBackward'] = (dy, xShape, outH, outW) => {
    const plan = P.planAdaptiveAvgPoolBackward(dy, xShape, outH, outW, t);
    return plan ? run(plan) : cpuKernels.AdaptiveAvgPool2dBackward(host(dy), xShape, outH, outW);
  };

  const adamStep: KernelTable['AdamStep'] = (param, grad, expAvg, expAvgSq, maxExpAvgSq, attrs) => {
    const launches = P.planAdamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, attrs, t);
    if (launches) return update(launches, [expAvg, expAvgSq, param]);
    updateOnCpu([param, expAvg, expAvgSq, maxExpAvgSq], ([p, m, v, vMax]) =>
      cpuKernels.AdamStep(p!, host(grad), m!, v!, vMax, attrs));
  };

  const sgdStep: KernelTable['SgdStep'] = (param, grad, buffer, attrs) => {
    const launches = P.planSgdStep(param, grad, buffer, attrs, t);
    if (launches) return update(launches, launches.length === 2 ? [buffer!, param] : [param]);
    updateOnCpu([param, buffer], ([p, b]) => cpuKernels.SgdStep(p!, host(grad), b, attrs));
  };

  const adadeltaStep: KernelTable['AdadeltaStep'] = (param, grad, squareAvg, accDelta, attrs) => {
    const launches = P.planAdadeltaStep(param, grad, squareAvg, accDelta, attrs, t);
    if (launches) return update(launches, [squareAvg, accDelta, param]);
    updateOnCpu([param, squareAvg, accDelta], ([p, v, u]) => cpuKernels.AdadeltaStep(p!, host(grad), v!, u!, attrs));
  };

  const stepMetrics: KernelTable['StepMetrics'] = (loss, logits, shape, labels) => {
    // As crossEntropy: resident, logits already on the CPU stay there (launching would only add a read).
    const plan = !store || (logits as unknown) instanceof GpujsDeviceData ? P.planStepMetrics(loss, logits, shape, labels, t) : null;
    return plan ? run(plan) : cpuKernels.StepMetrics(host(loss), host(logits), shape, hostInt(labels));
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
    CrossEntropy: crossEntropy,
    CrossEntropyBackward: crossEntropyBackward,
    DropoutMask: dropoutMask,
    NllLoss: nllLoss,
    NllLossBackward: nllLossBackward,
    MaxPool2d: maxPool2d,
    MaxPool2dBackward: maxPool2dBackward,
    AvgPool2d: avgPool2d,
    AvgPool2dBackward: avgPool2dBackward,
    AdaptiveAvgPool2d: adaptiveAvgPool2d,
    AdaptiveAvgPool2dBackward: adaptiveAvgPool2dBackward,
    AdamStep: adamStep,
    SgdStep: sgdStep,
    AdadeltaStep: adadeltaStep,
    StepMetrics: stepMetrics,
  };
}
