/**
 * Kernel-level checks and figures for the gpu-parity page, written against GpujsRunner.runAsync so they work on
 * every gpu.js mode, WebGPU included: each plan runs on gpu.js and its CPU reference kernel runs on the same
 * inputs; the worst relative error |got − want| / max(1, |want|) must stay within 1e-4.
 */
import { cpuKernels } from '../../engine/backend/cpu/index';
import type { Conv2dAttrs } from '../../engine/backend/cpu/conv';
import type { AvgPool2dAttrs } from '../../engine/backend/cpu/pool';
import { Random } from '../../engine/random';
import { plans as P, RemoteRunner, type GpujsBackend, type GpujsRunner, type Launch, type Thresholds } from '../../engine/backend/gpujs/index';
import type { SplitSum } from '../../engine/backend/gpujs/plans';
import { endStep, setBackend } from '../../engine/backend/backend';
import { batches, cnn, mlp, STEP_READ_BYTES, train } from '../../engine/backend/gpujs/test-support/training-check';
import type { TestResult } from './vitest-shim';

export interface Figure {
  label: string;
  gflops: number;
  ms: number;
}

const ALL: Thresholds = { macs: 0, elements: 0 };
const TOLERANCE = 1e-4;

const rng = new Random(11);
const rand = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

function worst(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let w = 0;
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]) !== Number.isNaN(got[i])) return Infinity;
    if (!Number.isFinite(want[i]) || !Number.isFinite(got[i])) {
      if (!Object.is(want[i], got[i]) && !(Number.isNaN(want[i]) && Number.isNaN(got[i]))) return Infinity;
      continue;
    }
    w = Math.max(w, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  return w;
}

interface Case {
  name: string;
  /** One launch, or a sum split over the batch (its partials, then their sum: two launches). */
  launch: Launch | SplitSum | null;
  want: ArrayLike<number>;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const m = 33, k = 47, n = 29;
    const a = rand(2 * m * k);
    const b = rand(k * n);
    const attrs = { m, k, n, aOffsets: new Int32Array([0, m * k]), bOffsets: new Int32Array([0, 0]), transA, transB, dtype: 'float32' as const };
    out.push({ name: `matmul transA=${transA} transB=${transB}`, launch: P.planMatmul(a, b, attrs, ALL), want: cpuKernels.Matmul(a, b, attrs) });
  }
  for (const [name, aShape, bShape] of [['Add', [40, 30], [30]], ['Sub', [40, 30], [40, 30]], ['Mul', [2, 3, 4, 5], [3, 1, 1]], ['Div', [40, 30], [40, 1]]] as const) {
    const a = rand(aShape.reduce((x: number, y: number) => x * y, 1));
    const b = rand(bShape.reduce((x: number, y: number) => x * y, 1), 0.5, 2);
    out.push({ name: `${name} ${aShape} with ${bShape}`, launch: P.planBinary(P.BINARY[name], a, aShape, b, bShape, aShape, 'float32', ALL), want: cpuKernels[name](a, aShape, b, bShape, aShape, 'float32') });
  }
  const x = rand(1000, -20, 20);
  for (const name of Object.keys(P.UNARY) as (keyof typeof P.UNARY)[]) {
    const input = name === 'Log' || name === 'Sqrt' ? rand(1000, 1e-3, 50) : x;
    out.push({ name, launch: P.planUnary(P.UNARY[name], input, P.unaryParam(name, { slope: 0.2 }), ALL), want: cpuKernels[name](input, { slope: 0.2 }) });
  }
  const edges = new Float32Array([0, -1, 1, 1e-30, 2, 0.5]);
  out.push({ name: 'Log at 0 and below (−inf, NaN)', launch: P.planUnary(P.UNARY.Log, edges, P.unaryParam('Log', {}), ALL), want: cpuKernels.Log(edges) });
  const dy = rand(1000);
  const y = { SigmoidGrad: cpuKernels.Sigmoid(x), TanhGrad: cpuKernels.Tanh(x), ReluGrad: x, LeakyReluGrad: x };
  for (const name of Object.keys(P.UNARY_GRAD) as (keyof typeof P.UNARY_GRAD)[]) {
    out.push({ name, launch: P.planUnaryGrad(P.UNARY_GRAD[name], x, y[name], dy, P.unaryParam(name, { slope: 0.3 }), ALL), want: cpuKernels[name](x, y[name], dy, { slope: 0.3 }) });
  }
  for (const [shape, dims] of [[[64, 10], [0]], [[3, 4, 5], [1, 2]], [[8, 300], [1]]] as const) {
    const v = rand(shape.reduce((a: number, b: number) => a * b, 1));
    out.push({ name: `sum ${shape} over ${dims}`, launch: P.planSum(v, shape, dims, 'float32', ALL), want: cpuKernels.Sum(v, shape, dims, 'float32') });
  }
  for (const log of [false, true]) {
    const v = rand(640, -20, 20);
    const want = log ? cpuKernels.LogSoftmax(v, [64, 10], 1) : cpuKernels.Softmax(v, [64, 10], 1);
    out.push({ name: log ? 'logSoftmax [64,10]' : 'softmax [64,10]', launch: P.planSoftmax(v, [64, 10], 1, log, ALL), want });
  }
  const attrs: Conv2dAttrs = { strideH: 2, strideW: 1, padTop: 1, padBottom: 1, padLeft: 2, padRight: 0, dilationH: 1, dilationW: 2, groups: 2 };
  const xShape = [2, 4, 9, 8];
  const wShape = [6, 2, 3, 3];
  const cx = rand(2 * 4 * 9 * 8);
  const cw = rand(6 * 2 * 3 * 3);
  const cb = rand(6);
  const fwd = cpuKernels.Conv2d(cx, xShape, cw, wShape, cb, attrs);
  out.push({ name: 'conv2d forward (stride, padding, dilation, groups)', launch: P.planConvForward(cx, xShape, cw, wShape, cb, attrs, ALL), want: fwd.y });
  const cdy = rand(fwd.y.length);
  const grads = cpuKernels.Conv2dBackward(cdy, cx, xShape, cw, wShape, attrs);
  const plan = P.planConvBackward(cdy, cx, xShape, cw, wShape, attrs, { input: true, weight: true, bias: true }, ALL);
  out.push({ name: 'conv2d dx', launch: plan?.dx ?? null, want: grads.dx! });
  out.push({ name: 'conv2d dw', launch: plan?.dw ?? null, want: grads.dw! });
  out.push({ name: 'conv2d db', launch: plan?.db ?? null, want: grads.db! });
  // The dropout mask: integers below 2^24 all through, so the device's float32 gives the CPU's mask exactly.
  const maskAttrs = { keep: 0.75, seedA: 4092, seedB: 17, dtype: 'float32' as const };
  out.push({ name: 'dropout mask (bit for bit)', launch: P.planDropoutMask(2 * 9216 + 7, maskAttrs, ALL), want: cpuKernels.DropoutMask(2 * 9216 + 7, maskAttrs) });
  // A step's metrics, [loss, correct]: rounded logits tie often, and the first index must win as in argmax.
  const logits = Float32Array.from({ length: 64 * 10 }, () => Math.round(rng.uniform(-2, 2)));
  const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 3) % 10);
  out.push({ name: 'step metrics [loss, correct] with ties', launch: P.planStepMetrics(Float32Array.of(0.8125), logits, [64, 10], labels, ALL), want: cpuKernels.StepMetrics(Float32Array.of(0.8125), logits, [64, 10], labels) });
  // Average pooling (Mnist_CNN ends in one): windows cut by the padding and by ceil mode, both divisors and an
  // override; the backwards are gathers over the windows covering each cell.
  const avg = (o: Partial<AvgPool2dAttrs>): AvgPool2dAttrs => ({
    kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, ceilMode: false, countIncludePad: true, divisorOverride: null, ...o,
  });
  const avgCases: [string, number[], AvgPool2dAttrs][] = [
    ['4x4 over 4x4, Mnist_CNN', [64, 10, 4, 4], avg({ kernelH: 4, kernelW: 4, strideH: 4, strideW: 4, padH: 0, padW: 0 })],
    ['3x3 stride 2 padding 1', [2, 3, 9, 8], avg({})],
    ['3x3 stride 2 padding 1, ceil mode, count_include_pad false', [2, 3, 8, 9], avg({ ceilMode: true, countIncludePad: false })],
    ['2x3 stride (1, 2) padding (1, 1), divisor_override 5', [2, 2, 7, 8], avg({ kernelH: 2, strideH: 1, divisorOverride: 5 })],
  ];
  for (const [label, shape, pool] of avgCases) {
    const px = rand(shape.reduce((a, b) => a * b, 1), -4, 4);
    const fwd = cpuKernels.AvgPool2d(px, shape, pool);
    const pdy = rand(fwd.y.length, -3, 3);
    out.push({ name: `avg pool forward, ${label}`, launch: P.planAvgPool(px, shape, pool, ALL)?.y ?? null, want: fwd.y });
    out.push({ name: `avg pool backward, ${label}`, launch: P.planAvgPoolBackward(pdy, shape, pool, ALL), want: cpuKernels.AvgPool2dBackward(pdy, shape, pool) });
  }
  for (const [shape, oh, ow] of [[[2, 3, 7, 9], 3, 4], [[1, 2, 3, 4], 5, 7]] as const) {
    const px = rand(shape.reduce((a: number, b: number) => a * b, 1), -4, 4);
    const fwd = cpuKernels.AdaptiveAvgPool2d(px, shape, oh, ow);
    const pdy = rand(fwd.y.length, -3, 3);
    const label = `[${shape.slice(-2)}] to [${oh},${ow}]`;
    out.push({ name: `adaptive avg pool forward, ${label}`, launch: P.planAdaptiveAvgPool(px, shape, oh, ow, ALL)?.y ?? null, want: fwd.y });
    out.push({ name: `adaptive avg pool backward, ${label}`, launch: P.planAdaptiveAvgPoolBackward(pdy, shape, oh, ow, ALL), want: cpuKernels.AdaptiveAvgPool2dBackward(pdy, shape, oh, ow) });
  }
  // The optimizer updates: one launch per array written, from the old values (CPU reference: in place on copies).
  const param = rand(300), grad = rand(300), m = rand(300, -0.1, 0.1), v = rand(300, 0, 0.01);
  const adamAttrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3 };
  const adam = { p: param.slice(), m: m.slice(), v: v.slice() };
  cpuKernels.AdamStep(adam.p, grad, adam.m, adam.v, null, adamAttrs);
  const adamLaunches = P.planAdamStep(param, grad, m, v, null, adamAttrs, ALL);
  (['m', 'v', 'p'] as const).forEach((key, i) => out.push({ name: `Adam update: new ${key}`, launch: adamLaunches?.[i] ?? null, want: adam[key] }));
  const sgdAttrs = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.001, nesterov: true, maximize: false, first: false };
  const sgd = { b: m.slice(), p: param.slice() };
  cpuKernels.SgdStep(sgd.p, grad, sgd.b, sgdAttrs);
  const sgdLaunches = P.planSgdStep(param, grad, m, sgdAttrs, ALL);
  (['b', 'p'] as const).forEach((key, i) => out.push({ name: `SGD nesterov update: new ${key === 'b' ? 'buffer' : 'p'}`, launch: sgdLaunches?.[i] ?? null, want: sgd[key] }));
  return out;
}

export async function kernelChecks(runner: GpujsRunner, onResult: (r: TestResult) => void): Promise<void> {
  for (const c of cases()) {
    const name = `kernel ${runner.mode}: ${c.name}`;
    if (!c.launch) {
      onResult({ name, status: 'fail', error: 'no gpu.js plan for this case' });
      continue;
    }
    try {
      const launch = c.launch;
      const got = P.isSplitSum(launch)
        ? await runner.runAsync(P.sumChunks(await runner.runAsync(launch.partial), launch.chunks, launch.len))
        : await runner.runAsync(launch);
      const err = worst(got, c.want);
      const sample = (v: ArrayLike<number>) => Array.from(v).slice(0, 6).map((x) => x.toPrecision(4)).join(', ');
      const detail = `max rel error ${err.toExponential(2)}${err > TOLERANCE ? ` (got ${sample(got)}…, want ${sample(c.want)}…)` : ''}`;
      onResult(err <= TOLERANCE ? { name, status: 'pass', detail } : { name, status: 'fail', error: detail });
    } catch (error) {
      onResult({ name, status: 'fail', error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * A whole training step on the device (resident mode, engine/backend/gpujs/device.ts), with the resident tests'
 * models (engine/backend/gpujs/test-support/training-check.ts): an MLP with Adam and a small CNN with nesterov SGD
 * train five steps on gpu.js and on the CPU reference; the losses and weights must agree, the weights must stay on
 * the device between steps, and from the second step on only the loss may come back (STEP_READ_BYTES). On WebGPU
 * (gpu.js in a Worker) the later steps must also have run as resident step plans (step-plans.ts): one encoder per
 * step, with the weights left on the device.
 */
export async function residencyCheck(backend: GpujsBackend): Promise<TestResult[]> {
  const store = backend.store!;
  const results: TestResult[] = [];
  const cases = [
    ['MLP 48-32-16-10, Adam', mlp, [16, 48]],
    ['CNN conv-relu-conv(stride 2)-linear, nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const;
  for (const [label, build, shape] of cases) {
    const name = `${backend.name}: a training step stays on the device (${label})`;
    try {
      const data = batches([...shape], 5);
      const want = train(build, data, 'cpu', store);
      const got = train(build, data, backend.name, store);
      const onDevice = got.model.parameters().every((p) => p.device !== null);
      const weights = got.model.parameters().map((p) => p.data);
      const wantWeights = want.model.parameters().map((p) => p.data);
      setBackend(backend.name);
      const err = Math.max(worst(got.losses, want.losses), ...weights.map((w, i) => worst(w, wantWeights[i])));
      const resident = onDevice && got.downloadedBytes.slice(1).every((b) => b === STEP_READ_BYTES);
      const remote = backend.runner instanceof RemoteRunner ? backend.runner : null;
      const planned = remote ? remote.stats() : null;
      const plansUsed = planned === null || (planned.planCalls > 0 && planned.executors.includes('resident-encoder'));
      const detail = `max rel error ${err.toExponential(2)}; weights on the device between steps: ${onDevice}; bytes read back per step: ${got.downloadedBytes.join(', ')} (the loss: ${STEP_READ_BYTES})` +
        (planned ? `; step plans called ${planned.planCalls} times, executors ${planned.executors.join(', ') || 'none'}` : '');
      results.push(resident && plansUsed && err <= TOLERANCE ? { name, status: 'pass', detail } : { name, status: 'fail', error: detail });
    } catch (error) {
      results.push({ name, status: 'fail', error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
    }
  }
  endStep();
  return results;
}

/** The acceptance's tolerance between a step plan and the same kernels run one by one (issue #14). */
const PLAN_TOLERANCE = 1e-5;

/**
 * The step plans against the eager path in the browser: the same two training runs on a worker that plans
 * (resident) and on one that runs every launch on its own; losses, weights and optimizer state within 1e-5.
 */
export async function planParityCheck(planned: GpujsBackend, eager: GpujsBackend): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const cases = [
    ['MLP 48-32-16-10, Adam', mlp, [16, 48]],
    ['CNN conv-relu-conv(stride 2)-linear, nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const;
  for (const [label, build, shape] of cases) {
    const name = `${planned.name}: step plans train as the eager path (${label})`;
    try {
      const data = batches([...shape], 8);
      const runner = planned.runner as RemoteRunner;
      const calls = runner.stats().planCalls;
      const got = train(build, data, planned.name, planned.store!);
      const stats = runner.stats();
      const want = train(build, data, eager.name, eager.store!);
      const gotState = Object.values(got.optimizer.stateDict().state).flatMap((s) => Object.values(s).filter((v) => v instanceof Float32Array));
      const wantState = Object.values(want.optimizer.stateDict().state).flatMap((s) => Object.values(s).filter((v) => v instanceof Float32Array));
      const err = Math.max(
        worst(got.losses, want.losses),
        ...got.model.parameters().map((p, i) => worst(p.data, want.model.parameters()[i].data)),
        ...gotState.map((v, i) => worst(v as Float32Array, wantState[i] as Float32Array)),
      );
      const planCalls = stats.planCalls - calls;
      const detail = `max rel error ${err.toExponential(2)} over losses, weights and ${gotState.length} optimizer tensors; ` +
        `${planCalls} plan calls in ${data.length} steps, executors ${stats.executors.join(', ') || 'none'}`;
      const ok = err <= PLAN_TOLERANCE && planCalls >= data.length - 4 && stats.executors.includes('resident-encoder') && stats.planFailures.length === 0;
      results.push(ok ? { name, status: 'pass', detail } : { name, status: 'fail', error: `${detail}; plan failures: ${stats.planFailures.join('; ') || 'none'}` });
    } catch (error) {
      results.push({ name, status: 'fail', error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
    }
  }
  endStep();
  return results;
}

/** Matmul GFLOP/s including upload and readback: best of 3 after a warm-up, per shape. */
export async function matmulFigures(runner: GpujsRunner): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [label, m, k, n] of [['MLP fc1 64×784·784×128', 64, 784, 128], ['256³', 256, 256, 256], ['512³', 512, 512, 512]] as const) {
    const a = rand(m * k);
    const b = rand(k * n);
    const launch = P.planMatmul(a, b, { m, k, n, aOffsets: new Int32Array([0]), bOffsets: new Int32Array([0]), dtype: 'float32' }, ALL)!;
    await runner.runAsync(launch);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await runner.runAsync(launch);
      best = Math.min(best, performance.now() - t0);
    }
    figures.push({ label, ms: best, gflops: (2 * m * n * k) / best / 1e6 });
  }
  return figures;
}
