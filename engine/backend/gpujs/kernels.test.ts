/**
 * Every gpu.js kernel against the CPU reference on gpu.js's webasm mode (the one Node has here), with thresholds
 * at zero so each case really runs on gpu.js; plus the CPU fallbacks (float64, general broadcasting) and the
 * WebGPU-in-Node report.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GPU } from 'gpu.js';
import { cpuKernels } from '../cpu/index';
import type { Conv2dAttrs } from '../cpu/conv';
import { Random } from '../../random';
import { calibrate, createGpujsBackend, describeGpujsFailure } from './index';
import { breakEven } from './calibrate';
import { planBinary, operandLayout } from './plans';

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
});
