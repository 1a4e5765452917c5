/**
 * The wasm backend with a worker thread (Node's adapter): GEMM-heavy kernels split across threads give the same
 * results as the CPU reference, and dispose() leaves a working single-threaded backend and no thread behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../random';
import { sizeOf } from '../backend/arrays';
import { cpuKernels } from '../backend/cpu/index';
import type { DeviceData, KernelTable } from '../backend/backend';
import { createNodeWasmBackend, nodeWorkerSpawner } from './wasm-threads';
import { createWasmBackend, type WasmBackend } from '../backend/wasm/index';
import { WasmRuntime } from '../backend/wasm/runtime';
import { CONTROL_BYTES, ThreadPool } from '../backend/wasm/threads';

const rng = new Random(11);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const abs = (x: Float32Array) => x.map(Math.abs);
/** A result as a CPU array (conv and matmul outputs stay in wasm memory as a DeviceData handle). */
const onCpu = <T,>(x: T): T => (x !== null && typeof x === 'object' && 'read' in x ? ((x as unknown as DeviceData).read() as T) : x);

function expectNear(actual: ArrayLike<number> | null, expected: ArrayLike<number> | null, scale: ArrayLike<number>) {
  expect(actual!.length).toBe(expected!.length);
  for (let i = 0; i < expected!.length; i++) {
    const err = Math.abs(actual![i] - expected![i]);
    if (!(err <= 1e-5 * scale[i] + 1e-6)) expect.fail(`element ${i}: ${actual![i]} vs ${expected![i]}`);
  }
}

describe('a job shared between the caller (from the front) and a worker (from the back)', () => {
  it('runs every chunk once, in rounds where it has more chunks than the shared counter holds (2047)', async () => {
    const rt = new WasmRuntime({ shared: true, reserveBytes: CONTROL_BYTES });
    const pool = new ThreadPool(rt, { workers: 1, spawn: nodeWorkerSpawner() });
    for (let i = 0; i < 200 && pool.readyWorkers() < 1; i++) await new Promise((r) => setTimeout(r, 25));
    expect(pool.readyWorkers()).toBe(1);
    try {
      for (const n of [100, 10_007]) { // chunks of 4 floats: 25 chunks, then 2,502 (two rounds)
        const x = randn(n);
        rt.reset();
        const px = rt.keep(n * 4), py = rt.keep(n * 4), block = rt.keep(8);
        rt.f32.set(x, px >> 2);
        rt.f32.fill(NaN, py >> 2, (py >> 2) + n); // a chunk that no thread ran stays NaN
        rt.i32.set([px, py], block >> 2);
        pool.ranges('reluRange', block, n, 4, 2);
        expect(Array.from(rt.f32.subarray(py >> 2, (py >> 2) + n))).toEqual(Array.from(x, (v) => Math.max(v, 0)));
        for (const [ptr, bytes] of [[px, n * 4], [py, n * 4], [block, 8]]) rt.release(ptr, bytes);
      }
    } finally {
      pool.dispose();
    }
  });
});

describe('wasm backend with a worker thread', () => {
  let backend: WasmBackend;
  let k: KernelTable;
  beforeAll(async () => {
    backend = createNodeWasmBackend(1);
    k = backend.kernels as KernelTable;
    for (let i = 0; i < 200 && backend.readyThreads() < 1; i++) await new Promise((r) => setTimeout(r, 25));
  });
  afterAll(() => backend.dispose());

  it('starts its worker', () => expect(backend.readyThreads()).toBe(1));

  for (const [m, n, k2, transA, transB] of [
    [64, 128, 784, false, false], [784, 128, 64, true, false], [64, 784, 128, false, true], [64, 10, 784, false, false],
    [16, 150, 6400, false, true], [150, 6400, 16, true, false], [33, 203, 129, true, true],
    // Each range of panels packs its own (gemm.ts): a transposed B with a partial last panel and k mod 4 = 3, the
    // MLP's first layer as linear.ts calls it (forward and weight gradient), and few rows with B read in place but
    // for the partial last panel, packed by the range that holds it.
    [64, 203, 131, false, true], [64, 128, 784, false, true], [128, 784, 64, true, false], [12, 1001, 100, false, false],
  ] as const) {
    it(`Matmul m=${m} n=${n} k=${k2} transA=${transA} transB=${transB}`, () => {
      const a = randn(m * k2);
      const b = randn(k2 * n);
      const attrs = { m, k: k2, n, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0), transA, transB, dtype: 'float32' as const };
      expectNear(onCpu(k.Matmul(a, b, attrs)), cpuKernels.Matmul(a, b, attrs), cpuKernels.Matmul(abs(a), abs(b), attrs));
    });
  }

  // im2col and col2im are split across the threads too (rows / input channels) above 2^16 floats.
  for (const [name, stride, pad, xs, ws] of [
    ['LeNet conv2', 1, 0, [16, 6, 14, 14], [16, 6, 5, 5]],
    ['tutorial CNN conv2 (stride 2, pad 1)', 2, 1, [32, 16, 14, 14], [16, 16, 3, 3]],
  ] as const) it(`Conv2d forward and backward (${name})`, () => {
    const attrs = {
      strideH: stride, strideW: stride, padTop: pad, padBottom: pad, padLeft: pad, padRight: pad, dilationH: 1, dilationW: 1, groups: 1,
    };
    const x = randn(sizeOf(xs)), w = randn(sizeOf(ws)), bias = randn(ws[0]);
    const ref = cpuKernels.Conv2d(x, xs, w, ws, bias, attrs);
    expectNear(onCpu(k.Conv2d(x, xs, w, ws, bias, attrs).y), ref.y, cpuKernels.Conv2d(abs(x), xs, abs(w), ws, abs(bias), attrs).y);
    const dy = randn(ref.y.length);
    const r = cpuKernels.Conv2dBackward(dy, x, xs, w, ws, attrs);
    const g = k.Conv2dBackward(dy, x, xs, w, ws, attrs);
    const s = cpuKernels.Conv2dBackward(abs(dy), abs(x), xs, abs(w), ws, attrs);
    expectNear(onCpu(g.dx), r.dx, s.dx!);
    expectNear(g.dw, r.dw, s.dw!);
  });

  it('gives a conv the same bits as the single-threaded backend (dW is summed per chunk of images)', () => {
    const single = createWasmBackend({ name: 'wasm-single-check' }).kernels as KernelTable;
    const xs = [64, 6, 14, 14], ws = [16, 6, 5, 5];
    const attrs = { strideH: 1, strideW: 1, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, dilationH: 1, dilationW: 1, groups: 1 };
    const x = randn(sizeOf(xs)), w = randn(sizeOf(ws)), bias = randn(ws[0]);
    expect(Array.from(onCpu(k.Conv2d(x, xs, w, ws, bias, attrs).y))).toEqual(Array.from(onCpu(single.Conv2d(x, xs, w, ws, bias, attrs).y)));
    const dy = randn(64 * 16 * 12 * 12);
    const threaded = k.Conv2dBackward(dy, x, xs, w, ws, attrs);
    const alone = single.Conv2dBackward(dy, x, xs, w, ws, attrs);
    expect(Array.from(threaded.dw!)).toEqual(Array.from(alone.dw!));
    expect(Array.from(onCpu(threaded.dx!))).toEqual(Array.from(onCpu(alone.dx!)));
  });

  it('shares a large Adam update between threads, with the single-threaded bits', () => {
    const single = createWasmBackend({ name: 'wasm-single-adam' }).kernels as KernelTable;
    const n = 100_003; // past the threaded size, and not a multiple of the chunk or of 4
    const init = randn(n), grad = randn(n);
    const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3 };
    const run = (kernels: KernelTable) => {
      const p = init.slice(), m = grad.map((g) => 0.1 * g), v = grad.map((g) => 0.01 * g * g);
      kernels.AdamStep(p, grad, m, v, null, attrs);
      return { p, m, v };
    };
    const threaded = run(k), alone = run(single);
    expect(Array.from(threaded.p)).toEqual(Array.from(alone.p));
    expect(Array.from(threaded.m)).toEqual(Array.from(alone.m));
    expect(Array.from(threaded.v)).toEqual(Array.from(alone.v));
    const cpu = { p: init.slice(), m: grad.map((g) => 0.1 * g), v: grad.map((g) => 0.01 * g * g) };
    cpuKernels.AdamStep(cpu.p, grad, cpu.m, cpu.v, null, attrs);
    expectNear(threaded.p, cpu.p, cpu.p.map((x) => Math.abs(x) + 1));
  });

  it('shares large relu and max-pool passes between threads, with the single-threaded bits', () => {
    const single = createWasmBackend({ name: 'wasm-single-elementwise' }).kernels as KernelTable;
    const shape = [64, 6, 28, 28]; // 301,056 floats: past the shared size
    const x = randn(sizeOf(shape)), dy = randn(sizeOf(shape));
    const bits = (v: unknown) => Array.from(onCpu(v as Float32Array));
    expect(bits(k.Relu(x, {}))).toEqual(bits(single.Relu(x, {})));
    expect(bits(k.ReluGrad(x, x, dy, {}))).toEqual(bits(single.ReluGrad(x, x, dy, {})));
    const attrs = { kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ceilMode: false };
    const threaded = k.MaxPool2d(x, shape, attrs), alone = single.MaxPool2d(x, shape, attrs);
    expect(bits(threaded.y)).toEqual(bits(alone.y));
    expect(Array.from(threaded.indices)).toEqual(Array.from(alone.indices));
    const g = randn(threaded.indices.length);
    expect(bits(k.MaxPool2dBackward(g, alone.indices, shape))).toEqual(bits(single.MaxPool2dBackward(g, alone.indices, shape)));
    expect(bits(k.MaxPool2dBackward(g, alone.indices, shape))).toEqual(Array.from(cpuKernels.MaxPool2dBackward(g, alone.indices, shape)));
  });

  it('keeps working, single-threaded, after dispose', () => {
    backend.dispose();
    const a = randn(64 * 784), b = randn(784 * 128);
    const attrs = { m: 64, k: 784, n: 128, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0), dtype: 'float32' as const };
    expectNear(onCpu(k.Matmul(a, b, attrs)), cpuKernels.Matmul(a, b, attrs), cpuKernels.Matmul(abs(a), abs(b), attrs));
  });
});
