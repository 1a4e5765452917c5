/**
 * Every wasm kernel against the CPU reference kernel on random float32 inputs, including sizes that are not
 * multiples of the 4×8 block, 1-sized dims, transposed operands and batch offsets.
 *
 * Tolerance: 1e-5 relative (plus 1e-5 absolute, scaled by the sum's magnitude for reductions). The wasm kernels
 * add in another order than the CPU kernels (4 lanes, then across lanes), and float32 rounding depends on the
 * order; a sum of K terms may differ by about K·2⁻²⁴ relative to Σ|terms|, so the GEMM and reduction checks are
 * relative to Σ|a·b| (or Σ|x|) rather than to the possibly cancelling result.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../random';
import { cpuKernels } from '../cpu/index';
import type { Conv2dAttrs } from '../cpu/conv';
import { sizeOf } from '../arrays';
import { createWasmBackend, wasmSupported } from './index';
import type { KernelTable } from '../backend';
import { ResidentStore, WasmData } from './resident';
import { wasmKernels } from './kernels';
import { WasmRuntime } from './runtime';

const wasm = createWasmBackend().kernels as KernelTable;
const rng = new Random(7);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** |a − b| ≤ rtol·scale + atol, element by element; `scale` defaults to |b|. */
function expectNear(result: ArrayLike<number> | null, expected: ArrayLike<number> | null, scale?: ArrayLike<number>, rtol = 1e-5) {
  expect(result).not.toBeNull();
  const actual = onCpu(result);
  expect(actual!.length).toBe(expected!.length);
  for (let i = 0; i < expected!.length; i++) {
    if (Object.is(actual![i], expected![i])) continue; // also ±Infinity
    const s = scale ? scale[i] : Math.abs(expected![i]);
    const err = Math.abs(actual![i] - expected![i]);
    if (!(err <= rtol * s + 1e-6) && !(Number.isNaN(actual![i]) && Number.isNaN(expected![i]))) {
      expect.fail(`element ${i}: ${actual![i]} vs ${expected![i]} (scale ${s})`);
    }
  }
}

const abs = (x: Float32Array) => x.map(Math.abs);
/** A kernel result as a CPU array: the resident kernels (conv, relu, max-pool, matmul) return wasm handles. */
const onCpu = <T,>(x: T): T => (x instanceof WasmData ? (x.read() as T) : x);

describe('wasm runtime', () => {
  it('is supported here (Node has WebAssembly SIMD)', () => expect(wasmSupported()).toBe(true));
});

describe('wasm Matmul', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1], [1, 7, 1], [4, 8, 3], [5, 9, 17], [64, 128, 784], [64, 10, 784], [3, 13, 300], [7, 1, 260],
    [784, 128, 64], [33, 65, 129], [2, 300, 2], [16, 203, 150], [17, 203, 150], [784, 10, 64], [70, 16, 5], [100, 3, 33],
    // The dot kernel's (transB, k ≥ 256) last blocks of 3 and 2 columns, with a K tail and an odd row.
    [6, 7, 257], [9, 6, 256],
  ];
  for (const [m, n, k] of shapes) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      it(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`, () => {
        const a = randn(m * k);
        const b = randn(k * n);
        const attrs = { m, k, n, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0), transA, transB, dtype: 'float32' as const };
        const expected = cpuKernels.Matmul(a, b, attrs);
        const scale = cpuKernels.Matmul(abs(a), abs(b), attrs);
        expectNear(onCpu(wasm.Matmul(a, b, attrs)), expected, scale);
      });
    }
  }

  it('batched, with broadcast (repeated) offsets', () => {
    const [m, k, n] = [9, 33, 20];
    const a = randn(3 * m * k);
    const b = randn(2 * k * n);
    const attrs = {
      m, k, n, aOffsets: Int32Array.of(0, m * k, 2 * m * k, 0), bOffsets: Int32Array.of(0, 0, k * n, k * n), dtype: 'float32' as const,
    };
    expectNear(onCpu(wasm.Matmul(a, b, attrs)), cpuKernels.Matmul(a, b, attrs), cpuKernels.Matmul(abs(a), abs(b), attrs));
  });

  it('float64 falls back to the CPU kernel exactly', () => {
    const a = Float64Array.from(randn(6 * 70));
    const b = Float64Array.from(randn(70 * 5));
    const attrs = { m: 6, k: 70, n: 5, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0), dtype: 'float64' as const };
    const y = wasm.Matmul(a, b, attrs);
    expect(y).toBeInstanceOf(Float64Array);
    expect(Array.from(y)).toEqual(Array.from(cpuKernels.Matmul(a, b, attrs)));
  });
});

const convAttrs = (o: Partial<Conv2dAttrs> = {}): Conv2dAttrs => ({
  strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1, ...o,
});
const pad = (p: number) => ({ padTop: p, padBottom: p, padLeft: p, padRight: p });

describe('wasm Conv2d forward and backward', () => {
  const cases: Array<[string, number[], number[], Conv2dAttrs]> = [
    ['LeNet conv1 (pad 2)', [3, 1, 28, 28], [6, 1, 5, 5], convAttrs(pad(2))],
    ['LeNet conv2', [2, 6, 14, 14], [16, 6, 5, 5], convAttrs()],
    ['tutorial CNN conv (stride 2, pad 1)', [3, 16, 14, 14], [16, 16, 3, 3], convAttrs({ strideH: 2, strideW: 2, ...pad(1) })],
    ['odd sizes, uneven padding, stride 3x2', [2, 3, 11, 9], [5, 3, 3, 4], convAttrs({ strideH: 3, strideW: 2, padTop: 1, padBottom: 2, padLeft: 0, padRight: 3 })],
    ['dilation 2', [1, 2, 10, 12], [3, 2, 3, 3], convAttrs({ dilationH: 2, dilationW: 2, ...pad(1) })],
    ['1x1 kernel, one channel, one image', [1, 1, 5, 7], [1, 1, 1, 1], convAttrs()],
    ['large stride past the edge', [2, 2, 9, 9], [4, 2, 2, 2], convAttrs({ strideH: 4, strideW: 5, ...pad(3) })],
    // Padded rows are copied in blocks of 4 floats (the last one overlapping) or one float at a time under 4, and a
    // range of images zeroes the border only for its first: five images (two ranges), rows of 2, 5 and 4 floats.
    ['narrow padded rows over two ranges of images', [5, 2, 3, 2], [3, 2, 3, 3], convAttrs(pad(1))],
    ['padded rows of 5 and 4 floats', [5, 3, 4, 5], [4, 3, 2, 2], convAttrs({ strideH: 2, padTop: 1, padBottom: 0, padLeft: 0, padRight: 1 })],
    // A strided conv's input gradient runs in phases (assembly/conv-images.ts): the tutorial CNN's last conv (7×7 →
    // 4×4, no dy padding), 10 input channels (a panel of 8 and one of 2), stride with dilation (taps of one kernel row
    // in different phases), and a kernel smaller than the stride (phases no tap reaches: zeros).
    ['tutorial CNN conv3 (16 → 10, 7×7, stride 2)', [3, 16, 7, 7], [10, 16, 3, 3], convAttrs({ strideH: 2, strideW: 2, ...pad(1) })],
    ['10 input channels, stride 2', [2, 10, 9, 8], [6, 10, 3, 3], convAttrs({ strideH: 2, strideW: 2, ...pad(1) })],
    ['stride 2 with dilation 3', [2, 3, 13, 12], [4, 3, 3, 2], convAttrs({ strideH: 2, strideW: 3, dilationH: 3, dilationW: 2, padTop: 2, padBottom: 1, padLeft: 1, padRight: 0 })],
    ['kernel smaller than the stride', [3, 2, 10, 11], [3, 2, 1, 2], convAttrs({ strideH: 3, strideW: 3, padTop: 1, padBottom: 0, padLeft: 0, padRight: 1 })],
    // Output channels past the last 8 take a 4-wide panel when they are at most 4 (conv-implicit.ts panelWidth): 12 =
    // 8 + 4 fills it; 10 (conv3 above), 3 and 1 leave some of its lanes empty; 5 and 6 still take an 8-wide one.
    ['12 output channels (a full narrow panel), 15 positions', [3, 3, 9, 9], [12, 3, 3, 3], convAttrs({ strideH: 2, strideW: 3, ...pad(1) })],
  ];
  for (const [name, xShape, wShape, attrs] of cases) {
    it(name, () => {
      const x = randn(sizeOf(xShape));
      const w = randn(sizeOf(wShape));
      const bias = randn(wShape[0]);
      const ref = cpuKernels.Conv2d(x, xShape, w, wShape, bias, attrs);
      const got = wasm.Conv2d(x, xShape, w, wShape, bias, attrs);
      expect(got.shape).toEqual(ref.shape);
      const scale = cpuKernels.Conv2d(abs(x), xShape, abs(w), wShape, abs(bias), attrs).y;
      expectNear(got.y, ref.y, scale);
      expectNear(wasm.Conv2d(x, xShape, w, wShape, null, attrs).y, cpuKernels.Conv2d(x, xShape, w, wShape, null, attrs).y, scale);

      const dy = randn(ref.y.length);
      const r = cpuKernels.Conv2dBackward(dy, x, xShape, w, wShape, attrs);
      const g = wasm.Conv2dBackward(dy, x, xShape, w, wShape, attrs);
      const s = cpuKernels.Conv2dBackward(abs(dy), abs(x), xShape, abs(w), wShape, attrs);
      expectNear(g.dx, r.dx, s.dx!);
      expectNear(g.dw, r.dw, s.dw!);
      expectNear(g.db, r.db, s.db!);
      const only = wasm.Conv2dBackward(dy, x, xShape, w, wShape, attrs, { input: false, weight: true, bias: false });
      expect(only.dx).toBeNull();
      expect(only.db).toBeNull();
      expectNear(only.dw, r.dw, s.dw!);
    });
  }

  it('interleaved layers: each backward uses its own forward\'s kept patch matrix, and a backward without a forward works', () => {
    const a = convAttrs(pad(1));
    const xs1 = [2, 3, 9, 9], ws1 = [4, 3, 3, 3], xs2 = [2, 4, 9, 9], ws2 = [5, 4, 3, 3];
    const x1 = randn(sizeOf(xs1)), w1 = randn(sizeOf(ws1)), x2 = randn(sizeOf(xs2)), w2 = randn(sizeOf(ws2));
    wasm.Conv2d(x1, xs1, w1, ws1, null, a);
    wasm.Conv2d(x2, xs2, w2, ws2, null, a);
    const fresh = randn(sizeOf(xs1)); // never seen by a forward
    for (const [x, xs, w, ws] of [[x2, xs2, w2, ws2], [x1, xs1, w1, ws1], [fresh, xs1, w1, ws1], [x1, xs1, w1, ws1]] as const) {
      const dy = randn(2 * ws[0] * 81);
      const r = cpuKernels.Conv2dBackward(dy, x, xs, w, ws, a);
      const s = cpuKernels.Conv2dBackward(abs(dy), abs(x), xs, abs(w), ws, a);
      expectNear(wasm.Conv2dBackward(dy, x, xs, w, ws, a).dw, r.dw, s.dw!);
    }
    // Many forwards without a backward (evaluation) keep only a bounded number of matrices.
    for (let i = 0; i < 20; i++) wasm.Conv2d(randn(sizeOf(xs1)), xs1, w1, ws1, null, a);
    const dy = randn(2 * 4 * 81);
    expectNear(wasm.Conv2dBackward(dy, x1, xs1, w1, ws1, a).dw, cpuKernels.Conv2dBackward(dy, x1, xs1, w1, ws1, a).dw,
      cpuKernels.Conv2dBackward(abs(dy), abs(x1), xs1, abs(w1), ws1, a).dw!);
  });

  it('groups > 1 falls back to the CPU kernel', () => {
    const attrs = convAttrs({ groups: 2 });
    const x = randn(2 * 4 * 6 * 6);
    const w = randn(6 * 2 * 3 * 3);
    expect(Array.from(wasm.Conv2d(x, [2, 4, 6, 6], w, [6, 2, 3, 3], null, attrs).y)).toEqual(
      Array.from(cpuKernels.Conv2d(x, [2, 4, 6, 6], w, [6, 2, 3, 3], null, attrs).y),
    );
  });

  it('reports the CPU kernel errors (bias length)', () => {
    expect(() => wasm.Conv2d(randn(2 * 49), [2, 1, 7, 7], randn(9), [1, 1, 3, 3], randn(2), convAttrs())).toThrow(/bias/);
  });
});

describe('wasm elementwise kernels', () => {
  const binaries = ['Add', 'Sub', 'Mul', 'Div'] as const;
  const layouts: Array<[string, number[], number[], number[]]> = [
    ['same shape', [64, 130], [64, 130], [64, 130]],
    ['bias row [C] over [N, C]', [64, 131], [131], [64, 131]],
    ['row [1, C] on the left', [1, 129], [70, 129], [70, 129]],
    ['scalar right', [33, 41], [], [33, 41]],
    ['scalar left', [1], [1027], [1027]],
    ['general broadcast (CPU)', [64, 1], [1, 50], [64, 50]],
    ['below the size threshold (CPU)', [7, 3], [3], [7, 3]],
  ];
  for (const op of binaries) {
    for (const [name, aShape, bShape, outShape] of layouts) {
      it(`${op}: ${name}`, () => {
        const a = randn(sizeOf(aShape));
        const b = op === 'Div' ? randn(sizeOf(bShape)).map((v) => v + Math.sign(v)) : randn(sizeOf(bShape));
        expectNear(wasm[op](a, aShape, b, bShape, outShape, 'float32'), cpuKernels[op](a, aShape, b, bShape, outShape, 'float32'));
      });
    }
  }

  it('Relu and ReluGrad, NaN passing through like the CPU kernel', () => {
    const x = randn(4099);
    x[5] = NaN;
    x[6] = 0;
    x[4098] = -0;
    const dy = randn(4099);
    const y = wasm.Relu(x);
    expectNear(y, cpuKernels.Relu(x));
    expectNear(wasm.ReluGrad(x, y, dy), cpuKernels.ReluGrad(x, y, dy));
  });

  it('Sum over leading dims (bias gradients), and other reductions on the CPU', () => {
    for (const [shape, dims] of [[[64, 130], [0]], [[8, 9, 31], [0, 1]], [[8, 9, 31], [1]], [[2000], [0]], [[40, 50], [0, 1]]] as const) {
      const x = randn(sizeOf(shape));
      const scale = cpuKernels.Sum(abs(x), shape, dims, 'float32');
      expectNear(wasm.Sum(x, shape, dims, 'float32'), cpuKernels.Sum(x, shape, dims, 'float32'), scale);
    }
  });

  it('Softmax and LogSoftmax over the last dim (and others on the CPU)', () => {
    for (const [shape, dim] of [[[64, 10], 1], [[3, 700], 1], [[5, 7, 40], 2], [[64, 10], 0]] as const) {
      const x = randn(sizeOf(shape)).map((v) => 5 * v);
      expectNear(wasm.Softmax(x, shape, dim), cpuKernels.Softmax(x, shape, dim));
      expectNear(wasm.LogSoftmax(x, shape, dim), cpuKernels.LogSoftmax(x, shape, dim));
    }
  });

  it('Permute: 2-D transposes in wasm, other permutations on the CPU', () => {
    for (const [shape, perm] of [[[128, 784], [1, 0]], [[37, 61], [1, 0]], [[4, 5, 60], [2, 0, 1]]] as const) {
      const x = randn(sizeOf(shape));
      expect(Array.from(wasm.Permute(x, shape, perm))).toEqual(Array.from(cpuKernels.Permute(x, shape, perm)));
    }
  });
});

describe('wasm MaxPool2d forward and backward', () => {
  const pool = (o: Partial<import('../cpu/pool').MaxPool2dAttrs>) => ({
    kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ceilMode: false, ...o,
  });
  const cases: Array<[string, number[], ReturnType<typeof pool>]> = [
    ['LeNet 2x2 on [4, 6, 28, 28]', [4, 6, 28, 28], pool({})],
    ['2x2 on odd sizes (the last block of four overlaps the one before)', [2, 3, 11, 13], pool({})],
    ['LeNet 2x2 on [4, 16, 10, 10] (rows of five outputs)', [4, 16, 10, 10], pool({})],
    ['2x2 with rows of three outputs (scalar)', [2, 3, 6, 7], pool({})],
    ['2x2 in ceil mode past the edge (generic path)', [2, 3, 11, 13], pool({ ceilMode: true })],
    ['3x3 stride 2 pad 1, ceil mode, odd sizes', [3, 5, 13, 11], pool({ kernelH: 3, kernelW: 3, padH: 1, padW: 1, ceilMode: true })],
    ['dilation 2, stride 1, unbatched [C, H, W]', [7, 15, 16], pool({ kernelH: 3, kernelW: 2, strideH: 1, strideW: 1, dilationH: 2, dilationW: 2 })],
  ];
  for (const [name, shape, attrs] of cases) {
    it(name, () => {
      const x = randn(sizeOf(shape)).map((v) => Math.round(v * 4) / 4); // ties, to check the first max is kept
      x[3] = NaN;
      x[1] = NaN; // two NaNs in one window: the later one's index wins, as in the CPU kernel
      x[x.length - 1] = -Infinity;
      const ref = cpuKernels.MaxPool2d(x, shape, attrs);
      const got = wasm.MaxPool2d(x, shape, attrs);
      expect(got.shape).toEqual(ref.shape);
      expect(Array.from(got.indices)).toEqual(Array.from(ref.indices));
      expectNear(got.y, ref.y);
      const dy = randn(ref.y.length);
      expectNear(wasm.MaxPool2dBackward(dy, ref.indices, shape), cpuKernels.MaxPool2dBackward(dy, ref.indices, shape));
    });
  }
});

describe('wasm AvgPool2d forward and backward: the CPU kernel\'s bits', () => {
  const pool = (o: Partial<import('../cpu/pool').AvgPool2dAttrs>) => ({
    kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, ceilMode: false, countIncludePad: true,
    divisorOverride: null, ...o,
  });
  const cases: Array<[string, number[], ReturnType<typeof pool>]> = [
    ['Mnist_CNN 4x4 on [64, 10, 4, 4]', [64, 10, 4, 4], pool({ kernelH: 4, kernelW: 4, strideH: 4, strideW: 4 })],
    ['3x3 stride 2 pad 1, ceil mode (a last window past the padded edge), odd sizes', [3, 5, 13, 11], pool({ kernelH: 3, kernelW: 3, padH: 1, padW: 1, ceilMode: true })],
    ['the same without countIncludePad', [3, 5, 13, 11], pool({ kernelH: 3, kernelW: 3, padH: 1, padW: 1, ceilMode: true, countIncludePad: false })],
    ['divisorOverride 3, unbatched [C, H, W], 3x2 stride 1', [7, 15, 16], pool({ kernelH: 3, kernelW: 2, strideH: 1, strideW: 1, divisorOverride: 3 })],
  ];
  for (const [name, shape, attrs] of cases) {
    it(name, () => {
      const x = randn(sizeOf(shape));
      const ref = cpuKernels.AvgPool2d(x, shape, attrs);
      const got = wasm.AvgPool2d(x, shape, attrs);
      expect(got.y).toBeInstanceOf(WasmData); // not handed to the CPU kernel
      expect(got.shape).toEqual(ref.shape);
      expect(Array.from(onCpu(got.y))).toEqual(Array.from(ref.y));
      const dy = randn(ref.y.length);
      expect(Array.from(onCpu(wasm.AvgPool2dBackward(dy, shape, attrs)))).toEqual(Array.from(cpuKernels.AvgPool2dBackward(dy, shape, attrs)));
    });
  }
  it('divisorOverride 0 is the CPU kernel\'s error', () => {
    expect(() => wasm.AvgPool2d(randn(2 * 3 * 16 * 16), [2, 3, 16, 16], pool({ divisorOverride: 0 }))).toThrow(/divisorOverride/);
  });
});

describe('wasm GatherBytes: the CPU kernel\'s bits, into a pinned batch in place', () => {
  const pixels = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.uniform() * 256));
  const bits = (x: Float32Array) => Array.from(new Int32Array(x.buffer, x.byteOffset, x.length));
  const cases: Array<[string, number, number[], number, number]> = [
    ['MNIST rows (784 = 49 × 16), standardised', 784, [5, 0, 17, 5, 99, 42, 3, 64, 1], 1 / (255 * 0.3081), -0.1307 / 0.3081],
    ['odd rows (a scalar tail), scaled to [0, 1]', 37, [2, 9, 0, 1], 1 / 255, -0],
    ['one-pixel rows, raw', 1, [7, 3], 1, 0],
  ];
  for (const [name, row, indices, scale, shift] of cases) {
    it(name, () => {
      const source = pixels(100 * row);
      const idx = Int32Array.from(indices);
      const want = cpuKernels.GatherBytes(source, row, idx, scale, shift, new Float32Array(idx.length * row));
      const out = new Float32Array(idx.length * row);
      expect(wasm.GatherBytes(source, row, idx, scale, shift, out)).toBe(out);
      expect(bits(out)).toEqual(bits(want));
      for (const k of [wasm, cpuKernels]) expect(() => k.GatherBytes(source, row, idx, scale, shift, out.subarray(1))).toThrow('need an output of');
    });
  }

  it('writes a pinned batch where it lives, and reads the pixels it copied in on the first call', () => {
    const backend = createWasmBackend({ name: 'wasm-gather-pinned' });
    const source = pixels(50 * 784);
    const batch = backend.pin!(new Float32Array(4 * 784))!;
    const idx = Int32Array.of(49, 0, 7, 7);
    const k = backend.kernels as KernelTable;
    expect(k.GatherBytes(source, 784, idx, 1 / 255, -0, batch)).toBe(batch);
    expect(bits(batch)).toEqual(bits(cpuKernels.GatherBytes(source, 784, idx, 1 / 255, -0, new Float32Array(4 * 784))));
    // The copy is made once per array: a later change to the source array is not seen (the dataset never changes it).
    source[7 * 784] = source[7 * 784] ^ 0xff;
    k.GatherBytes(source, 784, Int32Array.of(7), 1, 0, batch.subarray(0, 784));
    expect(batch[0]).not.toBe(source[7 * 784]);
  });
});

describe('wasm kernels of a small classifier step (Mnist_Logistic): its [64, 10] logits stay resident', () => {
  // A backend of its own, to place inputs in wasm memory as a resident matmul output would be.
  const rt = new WasmRuntime({ shared: true });
  const store = new ResidentStore(rt, 'wasm');
  const k = wasmKernels(rt, null, store) as KernelTable;
  const resident = (x: Float32Array): Float32Array => {
    rt.reset();
    const d = store.alloc(x.length);
    rt.f32.set(x, d.ptr >> 2);
    return d as unknown as Float32Array;
  };
  const rows = 64, classes = 10;
  /** Logits with an ignored row, a NaN, an all −inf row and a row with a +inf, and targets for them. */
  function batch(rows = 64) {
    const x = randn(rows * classes).map((v) => 4 * v);
    x[3 * classes + 2] = NaN;
    x.fill(-Infinity, 5 * classes, 6 * classes);
    x[7 * classes + 1] = Infinity;
    const targets = Int32Array.from({ length: rows }, () => Math.floor(rng.uniform() * classes));
    targets[9] = -100;
    return { x, targets };
  }

  it('CrossEntropy and its backward give the CPU kernel\'s values, from a CPU array or a resident one', () => {
    for (const n of [64, 11]) checkCrossEntropy(n); // 11: a last group of three rows in the four lanes
  });

  function checkCrossEntropy(rows: number) {
    const { x, targets } = batch(rows);
    const ref = cpuKernels.CrossEntropy(x, classes, targets, -100);
    const scale = Float64Array.from({ length: rows }, (_, i) => (i % 3) - 0.7);
    const dxRef = cpuKernels.CrossEntropyBackward(x, classes, targets, -100, ref.lse, scale);
    for (const input of [x, resident(x)]) {
      const got = k.CrossEntropy(input, classes, targets, -100);
      expectNear(got.losses, ref.losses);
      expectNear(got.lse, ref.lse);
      expect(got.losses[9]).toBe(0); // the ignored row
      const dx = k.CrossEntropyBackward(input, classes, targets, -100, got.lse, scale);
      expect(dx).toBeInstanceOf(WasmData); // left resident for the Linear's backward
      expectNear(dx, dxRef);
      expect(Array.from(onCpu(dx).subarray(9 * classes, 10 * classes))).toEqual(new Array(classes).fill(0));
    }
  }

  it('CrossEntropy on float64 is the CPU kernel\'s', () => {
    const { x, targets } = batch();
    const x64 = Float64Array.from(x);
    expect(k.CrossEntropy(x64, classes, targets, -100)).toEqual(cpuKernels.CrossEntropy(x64, classes, targets, -100));
  });

  it('MaxDim over the last dim of a resident input: the CPU kernel\'s values and first indices (ties, NaN)', () => {
    const x = randn(rows * classes).map((v) => Math.round(v * 2) / 2); // ties
    x[classes + 4] = NaN;
    x[classes + 7] = NaN; // the first NaN wins
    x.fill(-Infinity, 2 * classes, 3 * classes);
    const ref = cpuKernels.MaxDim(x, [rows, classes], 1);
    const got = k.MaxDim(resident(x), [rows, classes], 1);
    expect(Array.from(got.indices)).toEqual(Array.from(ref.indices));
    expect(Array.from(got.values)).toEqual(Array.from(ref.values));
    // A CPU array, and another dim, stay on the CPU kernel.
    expect(k.MaxDim(x, [rows, classes], 0)).toEqual(cpuKernels.MaxDim(x, [rows, classes], 0));
  });

  it('a bias add and a bias-gradient sum below the size threshold stay in wasm when an input is resident', () => {
    const x = randn(rows * classes), bias = randn(classes);
    const y = k.Add(resident(x), [rows, classes], bias, [classes], [rows, classes], 'float32');
    expect(y).toBeInstanceOf(WasmData);
    expectNear(y, cpuKernels.Add(x, [rows, classes], bias, [classes], [rows, classes], 'float32'));
    const scale = cpuKernels.Sum(abs(x), [rows, classes], [0], 'float32');
    expectNear(k.Sum(resident(x), [rows, classes], [0], 'float32'), cpuKernels.Sum(x, [rows, classes], [0], 'float32'), scale);
    // From CPU arrays, the CPU kernel's result itself.
    expect(k.Add(x, [rows, classes], bias, [classes], [rows, classes], 'float32')).toEqual(
      cpuKernels.Add(x, [rows, classes], bias, [classes], [rows, classes], 'float32'),
    );
  });
});
