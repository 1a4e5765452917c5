/**
 * Every gpu.js kernel against the CPU reference on gpu.js's webasm mode (the one Node has here), with thresholds
 * at zero so each case really runs on gpu.js; plus the CPU fallbacks (float64, general broadcasting) and the
 * WebGPU-in-Node report.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GPU } from 'gpu.js';
import { cpuKernels } from '../cpu/index';
import type { Conv2dAttrs } from '../cpu/conv';
import type { AvgPool2dAttrs, MaxPool2dAttrs } from '../cpu/pool';
import { registerBackend, setBackend } from '../backend';
import { crossEntropy } from '../../nn/index';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../../ops/index';
import { Tensor } from '../../tensor';
import { Random } from '../../random';
import { calibrate, createGpujsBackend, describeGpujsFailure, GpujsDeviceData, type GpujsRunner } from './index';
import { gpujsFailureText, NO_WEBGPU_ADAPTER } from './modes';
import { engineText } from '../../../common/engine-text';
import { breakEven } from './calibrate';
import { planBinary, operandLayout } from './plans';
import * as plans from './plans';
import * as sources from './sources';

const gpu = new GPU({ mode: 'webasm' });
const backend = createGpujsBackend({ gpu, mode: 'webasm', thresholds: { macs: 0, elements: 0 } });
const k = backend.kernels;
afterAll(() => {
  backend.dispose();
  void gpu.destroy();
});

const rng = new Random(7);
const rand = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e)) {
      expect(a).toBeNaN();
      continue;
    }
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst).toBeLessThanOrEqual(rel);
}

/** Element by element, relative to each expected value (for values far below 1). */
function closeRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1e-30, Math.abs(expected[i])));
  expect(worst).toBeLessThanOrEqual(rel);
}

describe('gpujs-webasm kernels match the CPU reference', () => {
  it.each([
    [false, false], [true, false], [false, true], [true, true],
  ])('matmul transA=%s transB=%s, batched with a broadcast operand', (transA, transB) => {
    const m = 5, kk = 7, n = 3;
    const a = rand(2 * m * kk);
    const b = rand(kk * n);
    const attrs = { m, k: kk, n, aOffsets: new Int32Array([0, m * kk]), bOffsets: new Int32Array([0, 0]), transA, transB, dtype: 'float32' as const };
    const before = backend.runner.launches;
    close(k.Matmul!(a, b, attrs), cpuKernels.Matmul(a, b, attrs));
    expect(backend.runner.launches).toBe(before + 1);
  });

  it.each([
    ['Add', [4, 3], [3]], ['Sub', [4, 3], [4, 3]], ['Mul', [2, 3, 4, 5], [3, 1, 1]], ['Div', [4, 3], [4, 1]], ['Add', [6], []],
  ] as const)('%s %j with %j', (name, aShape, bShape) => {
    const a = rand(aShape.reduce((x, y) => x * y, 1));
    const b = rand(bShape.reduce((x: number, y: number) => x * y, 1), 0.5, 2);
    close(k[name]!(a, aShape, b, bShape, aShape, 'float32'), cpuKernels[name](a, aShape, b, bShape, aShape, 'float32'));
    close(k[name]!(b, bShape, a, aShape, aShape, 'float32'), cpuKernels[name](b, bShape, a, aShape, aShape, 'float32'));
  });

  it('unary kernels and their gradients', () => {
    const x = rand(300, -30, 30);
    x[0] = 0;
    const dy = rand(300);
    for (const name of ['Neg', 'Exp', 'Abs', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh'] as const) {
      close(k[name]!(x, { slope: 0.2 }), cpuKernels[name](x, { slope: 0.2 }), 2e-6);
    }
    const pos = rand(100, 1e-3, 50);
    close(k.Log!(pos), cpuKernels.Log(pos), 1e-6);
    close(k.Sqrt!(pos), cpuKernels.Sqrt(pos), 1e-6);
    const edges = new Float32Array([0, -1, 1, 1e-30, -0]);
    expect(Array.from(k.Log!(edges))).toEqual(Array.from(cpuKernels.Log(edges))); // -inf, NaN, 0, -69.07…, -inf
    const y = cpuKernels.Sigmoid(x);
    const th = cpuKernels.Tanh(x);
    close(k.ReluGrad!(x, x, dy), cpuKernels.ReluGrad(x, x, dy));
    close(k.LeakyReluGrad!(x, x, dy, { slope: 0.3 }), cpuKernels.LeakyReluGrad(x, x, dy, { slope: 0.3 }));
    close(k.SigmoidGrad!(x, y, dy), cpuKernels.SigmoidGrad(x, y, dy));
    close(k.TanhGrad!(x, th, dy), cpuKernels.TanhGrad(x, th, dy));
  });

  it.each([[[3, 4, 5], [0]], [[3, 4, 5], [1, 2]], [[3, 4, 5], [2]], [[64, 10], [0]]] as const)('sum %j over %j', (shape, dims) => {
    const x = rand(shape.reduce((a: number, b: number) => a * b, 1));
    close(k.Sum!(x, shape, dims, 'float32'), cpuKernels.Sum(x, shape, dims, 'float32'));
  });

  it.each([[[4, 10], 1], [[3, 4, 5], 1], [[3, 4, 5], 0]] as const)('softmax and logSoftmax %j along %d', (shape, dim) => {
    const x = rand(shape.reduce((a: number, b: number) => a * b, 1), -20, 20);
    close(k.Softmax!(x, shape, dim), cpuKernels.Softmax(x, shape, dim));
    close(k.LogSoftmax!(x, shape, dim), cpuKernels.LogSoftmax(x, shape, dim));
  });

  const convCases: [string, number[], number[], Partial<Conv2dAttrs>][] = [
    ['plain 3x3', [2, 3, 6, 5], [4, 3, 3, 3], {}],
    ['stride 2, padding 1, bias-less', [1, 2, 7, 7], [3, 2, 3, 3], { strideH: 2, strideW: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 }],
    ['dilation 2, groups 2, uneven padding', [2, 4, 6, 6], [6, 2, 2, 3], { dilationH: 2, dilationW: 2, groups: 2, padTop: 0, padBottom: 1, padLeft: 1, padRight: 1 }],
  ];
  it.each(convCases)('conv2d forward and backward: %s', (label, xShape, wShape, overrides) => {
    const attrs: Conv2dAttrs = { strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1, ...overrides };
    const x = rand(xShape.reduce((a, b) => a * b, 1));
    const w = rand(wShape.reduce((a, b) => a * b, 1));
    const bias = label.includes('bias-less') ? null : rand(wShape[0]);
    const want = cpuKernels.Conv2d(x, xShape, w, wShape, bias, attrs);
    const got = k.Conv2d!(x, xShape, w, wShape, bias, attrs);
    expect(got.shape).toEqual(want.shape);
    close(got.y, want.y);
    const dy = rand(want.y.length);
    const wantGrads = cpuKernels.Conv2dBackward(dy, x, xShape, w, wShape, attrs);
    const grads = k.Conv2dBackward!(dy, x, xShape, w, wShape, attrs);
    close(grads.dx!, wantGrads.dx!);
    close(grads.dw!, wantGrads.dw!);
    close(grads.db!, wantGrads.db!);
    const onlyWeight = k.Conv2dBackward!(dy, x, xShape, w, wShape, attrs, { input: false, weight: true, bias: false });
    expect(onlyWeight.dx).toBeNull();
    expect(onlyWeight.db).toBeNull();
  });

  it.each([
    ['a batch of 8: each gradient is partial sums per image, then their sum (two launches)', 8, 2],
    ['a single image: one launch each, nothing to split', 1, 1],
  ] as const)('conv2d weight and bias gradients, %s', (_, batch, launchesEach) => {
    // LeNet's first convolution: without the split, 150 threads would each sum batch·784 products.
    const xShape = [batch, 1, 28, 28], wShape = [6, 1, 5, 5];
    const attrs: Conv2dAttrs = { strideH: 1, strideW: 1, padTop: 2, padBottom: 2, padLeft: 2, padRight: 2, dilationH: 1, dilationW: 1, groups: 1 };
    const x = rand(batch * 784);
    const w = rand(150);
    const dy = rand(batch * 6 * 28 * 28);
    const want = cpuKernels.Conv2dBackward(dy, x, xShape, w, wShape, attrs);
    const before = backend.runner.launches;
    const got = k.Conv2dBackward!(dy, x, xShape, w, wShape, attrs, { input: false, weight: true, bias: true });
    expect(backend.runner.launches - before).toBe(2 * launchesEach);
    // float32 sums of thousands of products, in another order than the CPU's: the error is bounded by the sum of
    // the terms' magnitudes (the gradients of |dy| and |x|), not by the result, which cancellation may make small.
    const magnitude = cpuKernels.Conv2dBackward(dy.map(Math.abs), x.map(Math.abs), xShape, w, wShape, attrs);
    const within = (g: ArrayLike<number>, r: ArrayLike<number>, m: ArrayLike<number>) =>
      Array.from(r).every((v, i) => Math.abs(g[i] - v) <= 1e-5 * m[i] + 1e-7);
    expect(within(got.dw!, want.dw!, magnitude.dw!)).toBe(true);
    expect(within(got.db!, want.db!, magnitude.db!)).toBe(true);
  });

  it('conv2d weight gradient with several images per chunk (the form for layers too large for one per image)', () => {
    // Batch 8 in chunks of 3, 3 and 2: the last chunk is short, and the partials still add up to the CPU's dW.
    const xShape = [8, 2, 6, 6], wShape = [3, 2, 3, 3];
    const attrs: Conv2dAttrs = { strideH: 1, strideW: 1, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, dilationH: 1, dilationW: 1, groups: 1 };
    const x = rand(8 * 72), w = rand(54), dy = rand(8 * 3 * 36);
    const plan = plans.planConvBackward(dy, x, xShape, w, wShape, attrs, { input: false, weight: true, bias: false }, { macs: 0, elements: 0 })!;
    const split = plan.dw as plans.SplitSum;
    expect(split.chunks).toBe(8); // one image per chunk at this size
    const perThree = { ...split.partial, n: 3 * 54, args: [...split.partial.args.slice(0, -1), 3] };
    const runner = backend.runner as GpujsRunner;
    const dw = runner.run(plans.sumChunks(runner.run(perThree), 3, 54));
    close(dw, cpuKernels.Conv2dBackward(dy, x, xShape, w, wShape, attrs).dw!, 1e-4);
  });

  it.each([
    ['Adam with L2 decay', { weightDecay: 0.01, decoupledDecay: 0 }],
    ['AdamW (decoupled decay)', { weightDecay: 0, decoupledDecay: 0.002 }],
  ])('AdamStep in place, %s, over several steps', (_, decay) => {
    const n = 257;
    const want = { p: rand(n), m: new Float32Array(n), v: new Float32Array(n) };
    const got = { p: want.p.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    const before = backend.runner.launches;
    for (let step = 1; step <= 3; step++) {
      const grad = rand(n);
      const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, ...decay };
      cpuKernels.AdamStep(want.p, grad, want.m, want.v, null, attrs);
      k.AdamStep!(got.p, grad, got.m, got.v, null, attrs);
    }
    expect(backend.runner.launches).toBe(before + 9); // m, v and the parameter per step
    close(got.p, want.p);
    close(got.m, want.m);
    close(got.v, want.v);
  });

  it.each([
    ['plain, weight decay, maximize', { momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false, maximize: true }],
    ['momentum with dampening', { momentum: 0.9, dampening: 0.1, weightDecay: 0, nesterov: false, maximize: false }],
    ['nesterov', { momentum: 0.8, dampening: 0, weightDecay: 0.001, nesterov: true, maximize: false }],
  ])('SgdStep in place: %s', (_, options) => {
    const n = 130;
    const want = { p: rand(n), b: new Float32Array(n) };
    const got = { p: want.p.slice(), b: new Float32Array(n) };
    for (let step = 0; step < 3; step++) {
      const grad = rand(n);
      const attrs = { lr: 0.1, ...options, first: step === 0 };
      const buffer = (x: Float32Array) => (options.momentum === 0 ? null : x);
      cpuKernels.SgdStep(want.p, grad, buffer(want.b), attrs);
      k.SgdStep!(got.p, grad, buffer(got.b), attrs);
    }
    close(got.p, want.p);
    close(got.b, want.b);
  });

  it.each([
    ['defaults', { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 }],
    ['weight decay', { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1 }],
  ])('AdadeltaStep in place, %s, over several steps', (_, attrs) => {
    const n = 257;
    const want = { p: rand(n), v: new Float32Array(n), u: new Float32Array(n) };
    const got = { p: want.p.slice(), v: new Float32Array(n), u: new Float32Array(n) };
    const start = want.p.slice();
    const before = backend.runner.launches;
    for (let step = 0; step < 3; step++) {
      const grad = rand(n);
      cpuKernels.AdadeltaStep(want.p, grad, want.v, want.u, attrs);
      k.AdadeltaStep!(got.p, grad, got.v, got.u, attrs);
    }
    expect(backend.runner.launches).toBe(before + 9); // square_avg, acc_delta and the parameter per step
    // acc_delta is of the order of eps and each step moves the parameter by ~√eps: compared relatively, as
    // `close` (absolute below 1) would pass them even if they were 0. The parameter is checked against the size of
    // its moves: a float32 parameter near 1 carries ulp-sized (~6e-8) rounding per step, which a per-element
    // relative check of a move that happens to be near 0 would magnify without bound.
    const moves = want.p.map((x, i) => Math.abs(x - start[i]));
    const scale = Math.max(...moves);
    expect(scale).toBeGreaterThan(1e-4); // the steps did move it
    const worst = Math.max(...got.p.map((x, i) => Math.abs(x - want.p[i])));
    expect(worst).toBeLessThanOrEqual(1e-3 * scale);
    closeRelative(got.v, want.v, 1e-5);
    closeRelative(got.u, want.u, 1e-5);
  });

  it('AdadeltaStep in float64 takes the CPU kernel', () => {
    const before = backend.runner.launches;
    const attrs = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0.1 };
    const make = () => ({ p: new Float64Array([0.5, -1, 2]), v: new Float64Array(3), u: new Float64Array(3) });
    const got = make(), want = make();
    const grad = new Float64Array([0.3, -0.2, 1.5]);
    k.AdadeltaStep!(got.p, grad, got.v, got.u, attrs);
    cpuKernels.AdadeltaStep(want.p, grad, want.v, want.u, attrs);
    expect([got.p, got.v, got.u].map((a) => Array.from(a))).toEqual([want.p, want.v, want.u].map((a) => Array.from(a)));
    expect(backend.runner.launches).toBe(before);
  });

  it('AMSGrad and float64 updates take the CPU kernel', () => {
    const before = backend.runner.launches;
    const p = rand(40), m = new Float32Array(40), v = new Float32Array(40), vMax = new Float32Array(40);
    const want = { p: p.slice(), m: m.slice(), v: v.slice(), vMax: vMax.slice() };
    const grad = rand(40);
    const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    k.AdamStep!(p, grad, m, v, vMax, attrs);
    cpuKernels.AdamStep(want.p, grad, want.m, want.v, want.vMax, attrs);
    expect(Array.from(p)).toEqual(Array.from(want.p));
    const p64 = new Float64Array([1, 2]);
    k.SgdStep!(p64, new Float64Array([1, 1]), null, { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, first: true });
    expect(Array.from(p64)).toEqual([0.5, 1.5]);
    expect(backend.runner.launches).toBe(before);
  });

  it('ran every case on webasm itself, never on gpu.js’s silent cpu fallback', () => {
    expect(backend.runner.fallbacks).toEqual([]);
  });
});

describe('the training step’s loss and pooling on gpu.js (no read-back before the step ends)', () => {
  /** Logits for `rows` rows; targets with every `ignoreEvery`-th row ignored (0: none). */
  const ceCase = (rows: number, classes: number, ignoreIndex = -100, ignoreEvery = 3) => {
    const x = rand(rows * classes, -8, 8);
    const targets = Int32Array.from({ length: rows }, (_, i) => (ignoreEvery > 0 && i % ignoreEvery === 1 ? ignoreIndex : (i * 7) % classes));
    return { x, targets };
  };
  const count = (targets: Int32Array, ignoreIndex: number) => targets.filter((v) => v !== ignoreIndex).length;

  it.each([
    ['ignored rows (ignoreIndex −100)', 13, 10, -100, 3],
    ['no ignored row, one class', 5, 1, -100, 0],
    ['an ignoreIndex that is also a class index', 9, 4, 2, 2],
  ] as const)('CrossEntropy forward and backward: %s', (_, rows, classes, ignoreIndex, every) => {
    const { x, targets } = ceCase(rows, classes, ignoreIndex, every);
    if (classes > 1) x.set([50, 50, 50], 0); // a tie for the max, and logits whose exp would overflow unshifted
    const before = backend.runner.launches;
    const got = k.CrossEntropy!(x, classes, targets, ignoreIndex);
    const want = cpuKernels.CrossEntropy(x, classes, targets, ignoreIndex);
    expect(backend.runner.launches).toBe(before + 2); // lse and the losses
    close(got.losses, want.losses);
    close(got.lse, want.lse);
    targets.forEach((target, i) => target === ignoreIndex && expect(got.losses[i]).toBe(0));
    // The upstream shares of each reduction, as nn/loss.ts makes them: 'none' one per row, 'sum' 1, 'mean' 1/kept.
    const g = rand(rows, 0.1, 2);
    for (const scale of [Float64Array.from(g), new Float64Array(rows).fill(1), new Float64Array(rows).fill(0.7 / count(targets, ignoreIndex))]) {
      const mid = backend.runner.launches;
      const dx = k.CrossEntropyBackward!(x, classes, targets, ignoreIndex, got.lse, scale);
      expect(backend.runner.launches).toBe(mid + 1);
      close(dx, cpuKernels.CrossEntropyBackward(x, classes, targets, ignoreIndex, want.lse, scale));
      // Each row's gradient sums to 0 (the kernel renormalises with its own exp; sources.ts says why).
      for (let r = 0; r < rows; r++) expect(Math.abs(Array.from(dx.slice(r * classes, (r + 1) * classes)).reduce((a, b) => a + b, 0))).toBeLessThan(1e-6 * (scale[r] + 1));
    }
  });

  it.each([
    ['ignored rows (ignoreIndex −100)', 13, 10, -100, 3],
    ['an ignoreIndex that is also a class index', 9, 4, 2, 2],
  ] as const)('NllLoss forward and backward: %s', (_, rows, classes, ignoreIndex, every) => {
    const { x, targets } = ceCase(rows, classes, ignoreIndex, every);
    const before = backend.runner.launches;
    const got = k.NllLoss!(x, classes, targets, ignoreIndex);
    expect(backend.runner.launches).toBe(before + 1);
    close(got, cpuKernels.NllLoss(x, classes, targets, ignoreIndex));
    targets.forEach((target, i) => target === ignoreIndex && expect(got[i]).toBe(0));
    for (const scale of [Float64Array.from(rand(rows, 0.1, 2)), new Float64Array(rows).fill(0.7 / count(targets, ignoreIndex))]) {
      const mid = backend.runner.launches;
      const dx = k.NllLossBackward!(x, classes, targets, ignoreIndex, scale);
      expect(backend.runner.launches).toBe(mid + 1);
      expect(Array.from(dx)).toEqual(Array.from(cpuKernels.NllLossBackward(x, classes, targets, ignoreIndex, scale)).map(Math.fround));
    }
  });

  it.each([
    ['keep 0.75 over a 9216-wide layer of 8 rows', 8 * 9216, 0.75],
    ['keep 0.5 across the P1 = 4093 boundary of the hash', 3 * 4093 + 5, 0.5],
    ['keep 0 (p = 1): all zeros', 1000, 0],
  ] as const)('DropoutMask: %s, the CPU mask bit for bit', (_, size, keep) => {
    const attrs = { keep, seedA: 4092, seedB: 4090, dtype: 'float32' as const };
    const before = backend.runner.launches;
    const got = k.DropoutMask!(size, attrs);
    expect(backend.runner.launches).toBe(before + 1);
    expect(Array.from(got)).toEqual(Array.from(cpuKernels.DropoutMask(size, attrs)));
  });

  it('CrossEntropy with every target ignored: zero losses and gradients, as the CPU kernel', () => {
    const { x, targets } = ceCase(4, 5);
    targets.fill(-100);
    const got = k.CrossEntropy!(x, 5, targets, -100);
    expect(Array.from(got.losses)).toEqual([0, 0, 0, 0]);
    close(got.lse, cpuKernels.CrossEntropy(x, 5, targets, -100).lse);
    expect(Array.from(k.CrossEntropyBackward!(x, 5, targets, -100, got.lse, new Float64Array(4).fill(1)))).toEqual(new Array(20).fill(0));
  });

  /**
   * `run` through the public ops on the CPU, then on gpu.js (the backend active for it); gpu.js must have launched
   * at least `launches` kernels for it. Leaves the CPU active.
   */
  const onBoth = <T>(run: (on: string) => T, launches: number): { want: T; got: T } => {
    registerBackend(backend);
    try {
      const want = run('cpu');
      const before = backend.runner.launches;
      const got = run(backend.name);
      expect(backend.runner.launches).toBeGreaterThanOrEqual(before + launches);
      return { want, got };
    } finally {
      setBackend('cpu');
    }
  };

  it.each(['mean', 'sum', 'none'] as const)('crossEntropy(reduction %s) through nn: loss and dlogits as on the CPU, on gpu.js', (reduction) => {
    const { x, targets } = ceCase(11, 7);
    const run = (on: string) => {
      setBackend(on);
      const logits = new Tensor(x.slice(), [11, 7], true);
      const loss = crossEntropy(logits, new Tensor(targets, [11]), { reduction });
      (reduction === 'none' ? loss.sum() : loss).backward();
      return { loss: Float32Array.from(loss.data), grad: logits.grad!.data };
    };
    const { want, got } = onBoth(run, 3);
    close(got.loss, want.loss);
    close(got.grad, want.grad);
    // All targets ignored: 'mean' is 0/0 = NaN (torch), which nn/loss.ts composes without the fused kernel.
    const allIgnored = (on: string) => {
      setBackend(on);
      return Float32Array.from(crossEntropy(new Tensor(x.slice(0, 14), [2, 7]), new Tensor(new Int32Array([-100, -100]), [2]), { reduction }).data);
    };
    const ignored = onBoth(allIgnored, 0);
    close(ignored.got, ignored.want);
  });

  const pool = (o: Partial<MaxPool2dAttrs> & { kernelH: number; kernelW: number }): MaxPool2dAttrs => ({
    strideH: o.kernelH, strideW: o.kernelW, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ceilMode: false, ...o,
  });
  const poolCases: [string, number[], MaxPool2dAttrs][] = [
    ['2x2, stride = kernel (LeNet)', [2, 3, 8, 10], pool({ kernelH: 2, kernelW: 2 })],
    ['3x3, stride 2, padding 1: overlapping windows', [2, 2, 7, 9], pool({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['3x3, stride 1: every cell in up to 9 windows', [1, 2, 6, 6], pool({ kernelH: 3, kernelW: 3, strideH: 1, strideW: 1 })],
    ['2x3, stride (1, 2), padding (1, 1), dilation (2, 1)', [2, 2, 7, 8], pool({ kernelH: 2, kernelW: 3, strideH: 1, strideW: 2, padH: 1, padW: 1, dilationH: 2 })],
    ['3x2, stride 2, ceil mode, [C, H, W] input', [3, 7, 6], pool({ kernelH: 3, kernelW: 2, strideH: 2, strideW: 2, padH: 1, ceilMode: true })],
  ];
  it.each(poolCases)('MaxPool2d forward and backward: %s, with ties', (_, shape, attrs) => {
    // Values on a coarse grid, so most windows hold tied maxima: the first in row-major order must win.
    const x = Float32Array.from(rand(shape.reduce((a, b) => a * b, 1)), (v) => Math.round(v * 2));
    const before = backend.runner.launches;
    const got = k.MaxPool2d!(x, shape, attrs);
    const want = cpuKernels.MaxPool2d(x, shape, attrs);
    expect(backend.runner.launches).toBe(before + 2); // the max and its index
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.y)).toEqual(Array.from(want.y));
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    const dy = rand(want.y.length);
    const mid = backend.runner.launches;
    const dx = k.MaxPool2dBackward!(dy, got.indices, shape);
    expect(backend.runner.launches).toBe(mid + 1);
    close(dx, cpuKernels.MaxPool2dBackward(dy, want.indices, shape), 0); // same terms, summed in the same order
  });

  it('MaxPool2d: a NaN wins its window, −∞ windows keep their first cell, padding never wins', () => {
    const shape = [1, 1, 4, 4];
    const x = Float32Array.from([-Infinity, -Infinity, -5, -6, -Infinity, -Infinity, NaN, -7, -1, -2, -3, -4, -9, -9, -9, -9]);
    const attrs = pool({ kernelH: 2, kernelW: 2, strideH: 1, strideW: 1, padH: 1, padW: 1 });
    const got = k.MaxPool2d!(x, shape, attrs);
    const want = cpuKernels.MaxPool2d(x, shape, attrs);
    expect(Array.from(got.y)).toEqual(Array.from(want.y));
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    const dy = rand(want.y.length);
    close(k.MaxPool2dBackward!(dy, got.indices, shape), cpuKernels.MaxPool2dBackward(dy, want.indices, shape), 0);
  });

  it('maxPool2d through ops: y and dx as on the CPU, on gpu.js', () => {
    const x = Float32Array.from(rand(2 * 3 * 9 * 9), (v) => Math.round(v * 3));
    const run = (on: string) => {
      setBackend(on);
      const t = new Tensor(x.slice(), [2, 3, 9, 9], true);
      const y = maxPool2d(t, { kernelSize: 3, stride: 2, padding: 1 });
      y.mul(new Tensor(Float32Array.from({ length: y.size }, (_, i) => 1 + (i % 5)), y.shape)).sum().backward();
      return { y: y.data, dx: t.grad!.data };
    };
    const { want, got } = onBoth(run, 3);
    expect(Array.from(got.y)).toEqual(Array.from(want.y));
    close(got.dx, want.dx);
  });

  const avg = (o: Partial<AvgPool2dAttrs> & { kernelH: number; kernelW: number }): AvgPool2dAttrs => ({
    strideH: o.kernelH, strideW: o.kernelW, padH: 0, padW: 0, ceilMode: false, countIncludePad: true, divisorOverride: null, ...o,
  });
  const avgCases: [string, number[], AvgPool2dAttrs][] = [
    ['4x4 over 4x4 (Mnist_CNN’s last layer)', [5, 10, 4, 4], avg({ kernelH: 4, kernelW: 4 })],
    ['3x3, stride 2, padding 1: windows partly in padding, overlapping', [2, 2, 7, 9], avg({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['the same, count_include_pad false', [2, 2, 7, 9], avg({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: false })],
    ['3x3, stride 1: every cell in up to 9 windows', [1, 2, 6, 6], avg({ kernelH: 3, kernelW: 3, strideH: 1, strideW: 1 })],
    ['3x2, stride 2, padding (1, 0), ceil mode (last windows cut by the input), [C, H, W] input', [3, 8, 7], avg({ kernelH: 3, kernelW: 2, strideH: 2, strideW: 2, padH: 1, ceilMode: true })],
    ['the same, count_include_pad false', [3, 8, 7], avg({ kernelH: 3, kernelW: 2, strideH: 2, strideW: 2, padH: 1, ceilMode: true, countIncludePad: false })],
    ['2x3, stride (1, 2), padding (1, 1), divisor_override 5', [2, 2, 5, 8], avg({ kernelH: 2, kernelW: 3, strideH: 1, strideW: 2, padH: 1, padW: 1, divisorOverride: 5 })],
    ['4x4, stride 3, padding 2, ceil mode, divisor_override −2', [1, 3, 9, 10], avg({ kernelH: 4, kernelW: 4, strideH: 3, strideW: 3, padH: 2, padW: 2, ceilMode: true, divisorOverride: -2 })],
  ];
  it.each(avgCases)('AvgPool2d forward and backward: %s', (_, shape, attrs) => {
    const x = rand(shape.reduce((a, b) => a * b, 1), -4, 4);
    const before = backend.runner.launches;
    const got = k.AvgPool2d!(x, shape, attrs);
    const want = cpuKernels.AvgPool2d(x, shape, attrs);
    expect(backend.runner.launches).toBe(before + 1);
    expect(got.shape).toEqual(want.shape);
    close(got.y, want.y, 1e-6);
    const dy = rand(want.y.length, -3, 3);
    const dx = k.AvgPool2dBackward!(dy, shape, attrs);
    expect(backend.runner.launches).toBe(before + 2); // one gather, no scatter and no second pass
    close(dx, cpuKernels.AvgPool2dBackward(dy, shape, attrs), 1e-6);
  });

  it('AvgPool2d: a window with no cell inside the input gives 0 and takes no gradient (the kernel, past torch’s padding check)', () => {
    // One cell, kernel 2, stride 2, padding 2: torch refuses padding above half the kernel, so no valid call has
    // such a window; the kernel must still give 0 there, not 0/0. Windows: rows [−2, 0) (empty) and [0, 2).
    const x = Float32Array.from([6]);
    for (const [countIncludePad, divisor] of [[1, 4], [0, 1]]) {
      const geo = Float32Array.from([1, 1, 2, 2, 2, 2, 2, 2, 2, 2, countIncludePad, 0]);
      expect(geo).toHaveLength(sources.AVG_POOL_GEOMETRY_LENGTH);
      expect(Array.from(backend.runner.run({ source: sources.avgPoolSource, n: 4, args: [x, geo] }))).toEqual([0, 0, 0, 6 / divisor]);
      const dy = Float32Array.from([1, 2, 3, 8]);
      expect(Array.from(backend.runner.run({ source: sources.avgPoolBackwardSource, n: 1, args: [dy, geo] }))).toEqual([8 / divisor]);
    }
  });

  it('avgPool2d and adaptiveAvgPool2d through ops: y and dx as on the CPU, on gpu.js', () => {
    const x = rand(2 * 3 * 9 * 9);
    const run = (on: string) => {
      setBackend(on);
      const t = new Tensor(x.slice(), [2, 3, 9, 9], true);
      const y = avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
      const z = adaptiveAvgPool2d(y, [3, 2]);
      z.mul(new Tensor(Float32Array.from({ length: z.size }, (_, i) => 1 + (i % 5)), z.shape)).sum().backward();
      return { y: y.data, z: z.data, dx: t.grad!.data };
    };
    const { want, got } = onBoth(run, 4);
    close(got.y, want.y, 1e-6);
    close(got.z, want.z, 1e-6);
    close(got.dx, want.dx, 1e-6);
  });

  const adaptiveCases: [string, number[], number, number][] = [
    ['[7, 9] to [3, 4]: bins of two sizes that overlap', [2, 3, 7, 9], 3, 4],
    ['[5, 6] to 1: the global average', [2, 3, 5, 6], 1, 1],
    ['[3, 4] to [5, 7]: more bins than cells, each cell in up to three', [1, 2, 3, 4], 5, 7],
    ['[6, 6] to [3, 3], [C, H, W] input', [4, 6, 6], 3, 3],
  ];
  it.each(adaptiveCases)('AdaptiveAvgPool2d forward and backward: %s', (_, shape, oh, ow) => {
    const x = rand(shape.reduce((a, b) => a * b, 1), -4, 4);
    const before = backend.runner.launches;
    const got = k.AdaptiveAvgPool2d!(x, shape, oh, ow);
    const want = cpuKernels.AdaptiveAvgPool2d(x, shape, oh, ow);
    expect(backend.runner.launches).toBe(before + 1);
    expect(got.shape).toEqual(want.shape);
    close(got.y, want.y, 1e-6);
    const dy = rand(want.y.length, -3, 3);
    close(k.AdaptiveAvgPool2dBackward!(dy, shape, oh, ow), cpuKernels.AdaptiveAvgPool2dBackward(dy, shape, oh, ow), 1e-6);
    expect(backend.runner.launches).toBe(before + 2);
  });

  it('stay on the CPU: float64, indices the CPU forward made (no geometry), a fractional ignoreIndex', () => {
    const before = backend.runner.launches;
    const shape = [1, 2, 4, 4];
    const attrs = pool({ kernelH: 2, kernelW: 2 });
    const x64 = Float64Array.from(rand(32));
    expect(k.MaxPool2d!(x64, shape, attrs).y).toBeInstanceOf(Float64Array);
    const x = rand(32);
    const cpu = cpuKernels.MaxPool2d(x, shape, attrs);
    const dy = rand(8);
    expect(Array.from(k.MaxPool2dBackward!(dy, cpu.indices, shape))).toEqual(Array.from(cpuKernels.MaxPool2dBackward(dy, cpu.indices, shape)));
    const { targets } = ceCase(4, 8, -100, 0);
    const logits64 = Float64Array.from(rand(32));
    expect(k.CrossEntropy!(logits64, 8, targets, -100).losses).toBeInstanceOf(Float64Array);
    k.CrossEntropy!(rand(32), 8, targets, 1.0000001); // rounds onto class 1 in float32
    const avgAttrs = avg({ kernelH: 2, kernelW: 2 });
    expect(k.AvgPool2d!(x64, shape, avgAttrs).y).toBeInstanceOf(Float64Array);
    expect(k.AvgPool2dBackward!(Float64Array.from(dy), shape, avgAttrs)).toBeInstanceOf(Float64Array);
    expect(k.AdaptiveAvgPool2d!(x64, shape, 3, 3).y).toBeInstanceOf(Float64Array);
    expect(k.AdaptiveAvgPool2dBackward!(Float64Array.from(rand(18)), shape, 3, 3)).toBeInstanceOf(Float64Array);
    // The CPU kernel's errors stay the CPU kernel's: a divisor_override of 0, padding above half the kernel.
    expect(() => k.AvgPool2d!(x, shape, avg({ kernelH: 2, kernelW: 2, divisorOverride: 0 }))).toThrow(/divisorOverride must not be 0/);
    expect(() => k.AvgPool2dBackward!(dy, shape, avg({ kernelH: 2, kernelW: 2, padH: 2 }))).toThrow(/at most half/);
    expect(backend.runner.launches).toBe(before);
  });

  it('resident: device logits and activations give device results, and nothing is read back', () => {
    const resident = createGpujsBackend({ gpu, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-resident-kernels' });
    const store = resident.store!;
    const onDevice = (values: Float32Array) => store.output(resident.runner.upload(values), values.length) as unknown as Float32Array;
    try {
      const { x, targets } = ceCase(6, 5);
      const want = cpuKernels.CrossEntropy(x, 5, targets, -100);
      const scale = new Float64Array(6).fill(1 / count(targets, -100));
      const wantDx = cpuKernels.CrossEntropyBackward(x, 5, targets, -100, want.lse, scale);
      const px = Float32Array.from(rand(2 * 2 * 6 * 6), (v) => Math.round(v * 2));
      const attrs = pool({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 });
      const wantPool = cpuKernels.MaxPool2d(px, [2, 2, 6, 6], attrs);
      const dy = rand(wantPool.y.length);

      const got = resident.kernels.CrossEntropy!(onDevice(x), 5, targets, -100);
      const dx = resident.kernels.CrossEntropyBackward!(onDevice(x), 5, targets, -100, got.lse, scale);
      const pooled = resident.kernels.MaxPool2d!(onDevice(px), [2, 2, 6, 6], attrs);
      const dpx = resident.kernels.MaxPool2dBackward!(onDevice(dy), pooled.indices, [2, 2, 6, 6]);
      const avgAttrs = avg({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: false });
      const wantAvg = cpuKernels.AvgPool2d(px, [2, 2, 6, 6], avgAttrs);
      const avgPooled = resident.kernels.AvgPool2d!(onDevice(px), [2, 2, 6, 6], avgAttrs);
      const avgDx = resident.kernels.AvgPool2dBackward!(avgPooled.y, [2, 2, 6, 6], avgAttrs); // dy: the forward's device result
      const adaptive = resident.kernels.AdaptiveAvgPool2d!(onDevice(px), [2, 2, 6, 6], 4, 4);
      const adaptiveDx = resident.kernels.AdaptiveAvgPool2dBackward!(adaptive.y, [2, 2, 6, 6], 4, 4);
      const deviceResults = [got.losses, got.lse, dx, pooled.y, pooled.indices, dpx, avgPooled.y, avgDx, adaptive.y, adaptiveDx];
      for (const value of deviceResults) expect(value).toBeInstanceOf(GpujsDeviceData);
      expect(store.downloads).toBe(0);
      const read = (v: unknown) => (v as GpujsDeviceData).read();
      close(read(got.losses), want.losses);
      close(read(dx), wantDx);
      expect(Array.from(read(pooled.indices))).toEqual(Array.from(wantPool.indices));
      close(read(dpx), cpuKernels.MaxPool2dBackward(dy, wantPool.indices, [2, 2, 6, 6]), 0);
      close(read(avgPooled.y), wantAvg.y, 1e-6);
      close(read(avgDx), cpuKernels.AvgPool2dBackward(wantAvg.y, [2, 2, 6, 6], avgAttrs), 1e-6);
      const wantAdaptive = cpuKernels.AdaptiveAvgPool2d(px, [2, 2, 6, 6], 4, 4);
      close(read(adaptive.y), wantAdaptive.y, 1e-6);
      close(read(adaptiveDx), cpuKernels.AdaptiveAvgPool2dBackward(wantAdaptive.y, [2, 2, 6, 6], 4, 4), 1e-6);

      // Logits from the CPU (nn/loss.ts reads them there and sums the losses there): the forward stays on the CPU
      // kernel rather than add a read-back of the losses; the backward still runs on gpu.js.
      const launches = resident.runner.launches;
      const hostLogits = resident.kernels.CrossEntropy!(x, 5, targets, -100);
      expect(hostLogits.losses).toBeInstanceOf(Float64Array);
      expect(resident.runner.launches).toBe(launches);
      expect(resident.kernels.CrossEntropyBackward!(x, 5, targets, -100, hostLogits.lse, scale)).toBeInstanceOf(GpujsDeviceData);
      expect(resident.runner.fallbacks).toEqual([]);
    } finally {
      resident.dispose();
    }
  });

  it.each([
    ['a batch of 64 × 10 with ties', [64, 10], 64],
    ['a per-pixel classifier, [N, C, H, W] logits', [3, 4, 2, 5], 30],
  ] as const)('StepMetrics, [loss, correct], in one launch as on the CPU: %s', (_, shape, rows) => {
    // Rounded logits tie often: the first index must win, as the CPU's maxDim (argmax) decides.
    const x = Float32Array.from(rand(rows * shape[1], -2, 2), (v) => Math.round(v));
    x[5] = NaN; // a NaN wins its row
    const labels = Int32Array.from({ length: rows }, (_, i) => (i * 3) % shape[1]);
    const loss = Float32Array.of(0.8125);
    const want = cpuKernels.StepMetrics(loss, x, shape, labels);
    expect(want[1]).toBeGreaterThan(0);
    const launches = backend.runner.launches;
    const got = k.StepMetrics!(loss, x, shape, labels);
    expect(backend.runner.launches).toBe(launches + 1);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('StepMetrics resident: device logits and loss give a device result, read once', () => {
    const resident = createGpujsBackend({ gpu, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-resident-metrics' });
    const store = resident.store!;
    const onDevice = (values: Float32Array) => store.output(resident.runner.upload(values), values.length) as unknown as Float32Array;
    try {
      const x = Float32Array.from(rand(16 * 10, -3, 3), (v) => Math.round(v));
      const labels = Int32Array.from({ length: 16 }, (_, i) => i % 10);
      const got = resident.kernels.StepMetrics!(onDevice(Float32Array.of(2.5)), onDevice(x), [16, 10], labels);
      expect(got).toBeInstanceOf(GpujsDeviceData);
      expect(store.downloads).toBe(0);
      expect(Array.from((got as unknown as GpujsDeviceData).read())).toEqual(Array.from(cpuKernels.StepMetrics(Float32Array.of(2.5), x, [16, 10], labels)));
      expect(store.downloads).toBe(1);
    } finally {
      resident.dispose();
    }
  });

  it('ran on webasm itself, never on gpu.js’s silent cpu fallback', () => {
    expect(backend.runner.fallbacks).toEqual([]);
  });
});

describe('what stays on the CPU', () => {
  it('float64, general broadcasting and tiny work take the CPU kernel', () => {
    const before = backend.runner.launches;
    const a64 = new Float64Array([1, 2, 3]);
    expect(k.Add!(a64, [3], a64, [3], [3], 'float64')).toBeInstanceOf(Float64Array);
    // [2,1,3] with [1,4,1]: neither is one contiguous run of the output's dims
    expect(operandLayout([2, 1, 3], [2, 4, 3])).toBeNull();
    expect(planBinary('va + vb', rand(6), [2, 1, 3], rand(4), [1, 4, 1], [2, 4, 3], 'float32', { macs: 0, elements: 0 })).toBeNull();
    const general = k.Add!(rand(6), [2, 1, 3], rand(4), [1, 4, 1], [2, 4, 3], 'float32');
    expect(general).toHaveLength(24);
    expect(backend.runner.launches).toBe(before);
    const measured = createGpujsBackend({ gpu, mode: 'webasm' });
    expect(measured.name).toBe('gpujs-webasm');
    const small = rand(16);
    measured.kernels.Relu!(small);
    const poolAttrs = { kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, ceilMode: false, countIncludePad: true, divisorOverride: null };
    measured.kernels.AvgPool2dBackward!(measured.kernels.AvgPool2d!(small, [1, 4, 4], poolAttrs).y, [1, 4, 4], poolAttrs);
    measured.kernels.AdaptiveAvgPool2dBackward!(measured.kernels.AdaptiveAvgPool2d!(small, [1, 4, 4], 3, 3).y, [1, 4, 4], 3, 3);
    expect(measured.runner.launches).toBe(0);
  });

  it('calibrate measures both sides per size and sets the thresholds where gpu.js wins from there on (or Infinity)', () => {
    const measured = createGpujsBackend({ gpu, mode: 'webasm' });
    const result = calibrate(measured, 1);
    expect(result.matmul.map((r) => r.size)).toEqual([32 ** 3, 64 ** 3, 128 ** 3, 256 ** 3]);
    expect(measured.thresholds.macs).toBe(breakEven(result.matmul));
    const row = (size: number, gpujsMs: number) => ({ size, gpujsMs, cpuMs: 1 });
    expect(breakEven([row(1, 0.5), row(2, 2), row(3, 0.5), row(4, 0.5)])).toBe(3);
    expect(breakEven([row(1, 0.5), row(2, 2)])).toBe(Infinity);
    expect(measured.thresholds).toEqual(result.thresholds);
    console.log(`calibrate(gpujs-webasm): ${JSON.stringify(result.thresholds)}`);
  });

  it('operandLayout: div and len for bias, per-channel, scalar and full operands', () => {
    expect(operandLayout([3], [4, 3])).toEqual([1, 3]);
    expect(operandLayout([3, 1, 1], [2, 3, 4, 5])).toEqual([20, 3]);
    expect(operandLayout([], [4, 3])).toEqual([1, 1]);
    expect(operandLayout([4, 3], [4, 3])).toEqual([1, 12]);
    expect(operandLayout([4, 1], [4, 3])).toEqual([3, 4]);
  });
});

describe('gpu.js modes in Node', () => {
  it('explains a WebGPU that cannot load (Dawn needs glibc ≥ 2.38)', async () => {
    let reason = 'loaded';
    try {
      await import(/* @vite-ignore */ ['web', 'gpu'].join(''));
    } catch (error) {
      reason = describeGpujsFailure('webgpu', error);
    }
    // Either Dawn loads on this system, or the reason says why in plain words.
    if (reason !== 'loaded') expect(reason).toMatch(/glibc ≥ 2\.38|not installed|\w/);
    console.log(`gpu.js webgpu in Node: ${reason}`);
    expect(describeGpujsFailure('webgpu', new Error("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found"))).toBe(
      "Dawn's webgpu package needs glibc ≥ 2.38 (the system lacks GLIBC_2.38)",
    );
  });

  it("says why as a code the header words in the learner's language, the English kept inside it", () => {
    const glibc = new Error("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBCXX_3.4.32' not found");
    expect(gpujsFailureText('webgpu', glibc)).toEqual(engineText('backend.unavailable.oldGlibc', { wanted: 'GLIBCXX_3.4.32' }));
    expect(gpujsFailureText('webgpu', new Error(NO_WEBGPU_ADAPTER))).toEqual(engineText('backend.unavailable.noWebgpuAdapter', {}));
    expect(describeGpujsFailure('webgpu', new Error(NO_WEBGPU_ADAPTER))).toBe(NO_WEBGPU_ADAPTER);
    expect(gpujsFailureText('headlessgl', new Error("Cannot find module 'gl'"))).toEqual(engineText('backend.unavailable.noGlPackage', {}));
    // Anything else is a developer's message: shown as it came, first line only.
    expect(gpujsFailureText('webgpu', new Error('device lost\n  at x'))).toEqual(engineText('backend.unavailable', { error: 'device lost' }));
    expect(describeGpujsFailure('webgpu', new Error('device lost\n  at x'))).toBe('device lost');
  });
});
