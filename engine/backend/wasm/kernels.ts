/**
 * The wasm backend's kernels, each with exactly the CPU kernel's signature (KernelTable), so ops cannot tell them
 * apart. Each handles the float32 cases that pay (see the thresholds) and hands everything else to the CPU kernel:
 * float64 (gradient checks), grouped convolutions, general broadcasting, tiny sizes where the copies cost more
 * than the arithmetic.
 *
 * Pattern of every kernel:  rt.reset(); ptr = rt.put(input) …; wasm call(s); return rt.take(out, n).
 *
 * With a ResidentStore (./resident.ts), the conv, relu, max-pool, avg-pool and matmul kernels (RESIDENT_KERNELS)
 * return their float outputs as WasmData handles left in wasm memory, and take such handles as inputs with no copy,
 * so the activations of a conv → relu → pool or linear → relu chain and their gradients never leave wasm memory
 * between those kernels.
 */
import type { KernelTable } from '../backend';
import { cpuKernels } from '../cpu/index';
import { conv2dGeometry, type Conv2dGeometry } from '../cpu/conv';
import { poolOutputSize, type AvgPool2dAttrs } from '../cpu/pool';
import { checkGatherOutput } from '../cpu/data';
import { metricsOf } from '../cpu/reduce';
import { sizeOf, type FloatArray, type TypedArray } from '../arrays';
import { wasmLossKernels } from './loss';
import { wasmAdamStep } from './optim';
import { wasmSgdStep } from './sgd';
import { host, inputPointer, isF32In, isResident, ResidentStore, WasmData } from './resident';
import type { WasmRuntime } from './runtime';
import type { RangeKernel, ThreadPool } from './threads';

/** Below this many multiply-adds a matmul stays on the CPU kernel (copy-in/out and call overhead dominate). */
export const MIN_MATMUL_MACS = 2048;
/** Aᵀ·B products with at most this many columns and at least SWAP_MIN_M rows are computed as (Bᵀ·A)ᵀ. */
const SWAP_MAX_N = 16;
const SWAP_MIN_M = 64;
/**
 * Below this many elements an elementwise kernel stays on the CPU, unless an input is resident: downloading it
 * would cost more than the kernel (Mnist_Logistic's [64, 10] logits + bias, and their bias gradient).
 */
export const MIN_ELEMENTWISE = 1024;

const OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3;

const isF32 = (x: TypedArray): x is Float32Array => x instanceof Float32Array;

/**
 * The kernels that take WasmData inputs (the backend's `deviceInputs`). With residency, those that make activations
 * and their gradients return WasmData too (the binary ones when an input is resident; CrossEntropyBackward, the
 * logits' gradient); Sum, MaxDim, StepMetrics, CrossEntropy, AdamStep and SgdStep only read.
 */
export const RESIDENT_KERNELS: ReadonlySet<string> = new Set([
  'Conv2d', 'Conv2dBackward', 'Relu', 'ReluGrad', 'MaxPool2d', 'MaxPool2dBackward', 'Matmul', 'AdamStep', 'Add', 'Sub',
  'Mul', 'Div', 'Sum', 'AvgPool2d', 'AvgPool2dBackward', 'CrossEntropy', 'CrossEntropyBackward',
  'SgdStep', 'MaxDim', 'StepMetrics',
]);

/**
 * How a binary operand lies against the output [rows, cols]: 0 full, 1 a row vector over the last dim (a bias),
 * 2 a scalar, -1 anything else (general broadcasting: CPU).
 */
function operandMode(length: number, shape: readonly number[], outShape: readonly number[], n: number): number {
  if (length === n) return 0;
  if (length === 1) return 2;
  const last = outShape[outShape.length - 1];
  if (length === last && shape.length > 0 && shape[shape.length - 1] === last) return 1;
  return -1;
}

/**
 * A conv runs over groups of images whose patch matrix holds at most this many floats (assembly/conv-images.ts):
 * 64 K floats, 256 KB, so that patches, GEMM output and scratch stay in L2 together.
 */
const CONV_GROUP_FLOATS = 1 << 16;
/** From this many floats, relu, its gradient and max-pool are shared between threads (LeNet's first activations). */
const SHARED_ELEMENTWISE = 1 << 17;
/** Floats per chunk of a shared elementwise kernel (a multiple of 4: each range starts aligned). */
const ELEMENTWISE_CHUNK = 1 << 14;
/** assembly/conv-images.ts's forms of the input gradient (its F_FORM), and the i32s of a phase's table row. */
const FORM_PATCHES = 0, FORM_PHASES = 1, PHASE_INTS = 5;

/** A strided conv's input gradient in phases: its tables (see phaseTables in wasmKernels). */
interface PhaseTables {
  /** Per phase: entries K, first offset, first position pair, position count (a multiple of 4), first panel float. */
  phases: Int32Array;
  offsets: Int32Array;
  positions: Int32Array;
  gather: Int32Array;
  dyHp: number;
  dyWp: number;
  dyPadTop: number;
  dyPadLeft: number;
}
/**
 * Tables per conv geometry (all but the batch size; hp and wp follow from it), for the few conv shapes of a model:
 * found by comparing fields, where a key string built from them on every call cost more than the lookup.
 */
class GeometryCache<T> {
  private entries: { g: Conv2dGeometry; value: T }[] = [];
  find(g: Conv2dGeometry): T | null {
    for (const e of this.entries) if (sameGeometry(e.g, g)) return e.value;
    return null;
  }

  add(g: Conv2dGeometry, value: T): T {
    if (this.entries.length >= 64) this.entries = []; // not a model's conv shapes: start over
    this.entries.push({ g, value });
    return value;
  }
}

function sameGeometry(a: Conv2dGeometry, b: Conv2dGeometry): boolean {
  return a.outChannels === b.outChannels && a.groupIn === b.groupIn && a.inH === b.inH && a.inW === b.inW
    && a.kernelH === b.kernelH && a.kernelW === b.kernelW && a.strideH === b.strideH && a.strideW === b.strideW
    && a.padTop === b.padTop && a.padBottom === b.padBottom && a.padLeft === b.padLeft && a.padRight === b.padRight
    && a.dilationH === b.dilationH && a.dilationW === b.dilationW;
}

/** Images per chunk of a conv pass: the unit threads take (../threads.ts) and the unit of dW's partial sums. */
const CONV_CHUNK_IMAGES = 4;

/** The conv geometry block read by assembly/conv.ts (order fixed there). */
function geometryInts(g: Conv2dGeometry, batch = g.batch): number[] {
  return [
    batch, g.groupIn, g.inH, g.inW, g.kernelH, g.kernelW, g.outH, g.outW,
    g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW,
  ];
}

/**
 * A kernel's output of n floats at `ptr`: a resident block, handed back as the result, or an arena region copied
 * out. A class rather than a closure per call: tsx (the bench, the CLI) names every closure it creates, which cost a
 * small step more than its arithmetic.
 */
export class KernelOutput {
  constructor(
    private readonly rt: WasmRuntime,
    readonly ptr: number,
    private readonly n: number,
    private readonly handle: WasmData | null,
  ) {}

  result(): Float32Array {
    return this.handle !== null ? (this.handle as unknown as Float32Array) : this.rt.take(this.ptr, this.n);
  }
}

/** The kernels over one runtime; with a thread pool, GEMMs split their columns across its workers. */
export function wasmKernels(rt: WasmRuntime, pool: ThreadPool | null = null, store: ResidentStore | null = null): Partial<KernelTable> {
  const ex = rt.exports;
  /** x's pointer for this call: its block when resident, else a copy put into the arena. After every `output`. */
  const input = (x: Float32Array) => inputPointer(rt, x);
  /**
   * An output of n floats: resident (a WasmData handed back as the result) or an arena region copied out. Right
   * after `rt.reset()` (and any `keep`), before `input`: a resident block may evict older ones.
   */
  function output(n: number): KernelOutput {
    if (store !== null) {
      const d = store.alloc(n);
      return new KernelOutput(rt, d.ptr, n, d);
    }
    return arenaOutput(n);
  }
  /** An output of n floats in the arena, copied out as a CPU array. */
  function arenaOutput(n: number): KernelOutput {
    return new KernelOutput(rt, rt.alloc(n * 4), n, null);
  }
  const gemm = pool
    ? (a: number, b: number, c: number, m: number, n: number, k: number, tA: boolean, tB: boolean, s: number) => pool.gemm(a, b, c, m, n, k, tA, tB, s)
    : (a: number, b: number, c: number, m: number, n: number, k: number, tA: boolean, tB: boolean, s: number) => ex.gemm(a, b, c, m, n, k, +tA, +tB, s);

  const matmul: KernelTable['Matmul'] = (a, b, attrs) => {
    const { m, k, n, aOffsets, bOffsets, transA = false, transB = false, dtype } = attrs;
    if (dtype !== 'float32' || !isF32In(a) || !isF32In(b) || m * n * k < MIN_MATMUL_MACS) return cpuKernels.Matmul(host(a), host(b), attrs);
    const batch = aOffsets.length;
    rt.reset();
    const c = output(batch * m * n);
    const pa = input(a);
    const pb = input(b);
    const pc = c.ptr;
    if (transA && !transB && n <= SWAP_MAX_N && m >= SWAP_MIN_M) {
      // A weight gradient with few outputs (Aᵀ·g, g [k, n≤16]): Cᵀ = gᵀ·A needs no transposed copy of the large
      // A and fills every SIMD lane (n = 10 would leave 6 of 16 lanes empty); only the small Cᵀ is transposed.
      const ct = rt.alloc(n * m * 4);
      const scratch = rt.alloc(ex.gemmScratchBytes(n, m, k, 1, 0));
      for (let i = 0; i < batch; i++) {
        gemm(pb + bOffsets[i] * 4, pa + aOffsets[i] * 4, ct, n, m, k, true, false, scratch);
        ex.transpose(ct, n, m, pc + i * m * n * 4);
      }
      return c.result();
    }
    const scratch = rt.alloc(ex.gemmScratchBytes(m, n, k, +transA, +transB));
    for (let i = 0; i < batch; i++) {
      gemm(pa + aOffsets[i] * 4, pb + bOffsets[i] * 4, pc + i * m * n * 4, m, n, k, transA, transB, scratch);
    }
    return c.result();
  };

  /**
   * Threads for an elementwise kernel over n floats: shared only from SHARED_ELEMENTWISE (these passes are
   * memory-bound and cheap, so only large activations repay handing out chunks).
   */
  const shareElementwise = (n: number) => (pool && n >= SHARED_ELEMENTWISE ? pool.threads() : 1);

  /** Threads and chunks for a conv pass over g's batch: its scratch regions and partial sums are sized by them. */
  function convSharing(g: Conv2dGeometry) {
    const threads = pool ? pool.threadsFor(g.batch * g.outChannels * g.patch * g.positions) : 1;
    const chunk = Math.min(CONV_CHUNK_IMAGES, g.batch);
    const chunks = Math.ceil(g.batch / chunk);
    const run = (kernel: RangeKernel, block: number) => {
      if (pool) pool.ranges(kernel, block, g.batch, chunk, threads);
      else for (let c = 0; c < chunks; c++) ex[kernel](block, c * chunk, Math.min(g.batch, (c + 1) * chunk), c, 0);
    };
    return { threads, chunk, chunks, run };
  }

  /**
   * The parameter block of a conv's input gradient over the batch's images (assembly/conv-images.ts F_* order), with
   * a scratch region per thread. Call after the call's outputs and inputs are placed. `w` is W [O, C, kh, kw], at
   * ptrs.w in wasm memory.
   */
  function inputGradBlock(g: Conv2dGeometry, w: Float32Array, ptrs: { dy: number; w: number; dx: number }) {
    const o = g.outChannels, k = g.patch, p = g.positions;
    const sharing = convSharing(g);
    const image = g.groupIn * g.inH * g.inW;
    const geo = rt.putInts(geometryInts(g, 1));
    if (g.strideH > 1 || g.strideW > 1) {
      // A strided conv: the phases form, a direct product over dy (no patch matrix, no col2im).
      const t = phaseTables(g);
      const panels = rt.alloc(t.gather.length * 4);
      const f = rt.f32, at = panels >> 2;
      for (let q = 0; q < t.gather.length; q++) f[at + q] = t.gather[q] < 0 ? 0 : w[t.gather[q]];
      const regionBytes = ex.convRegionBytes(o, k, p, 1, image, FORM_PHASES, t.dyHp, t.dyWp);
      const regions = rt.alloc(sharing.threads * regionBytes);
      const block = rt.putInts([
        ptrs.dy, panels, ptrs.dx, geo, o, k, p, image, regions, regionBytes, 1, FORM_PHASES,
        rt.putInts(t.phases), t.phases.length / PHASE_INTS, rt.putInts(t.offsets), rt.putInts(t.positions),
        t.dyHp, t.dyWp, t.dyPadTop, t.dyPadLeft,
      ]);
      return { run: () => sharing.run('convInputGradImages', block) };
    }
    // Images per group: a group's patch matrix within CONV_GROUP_FLOATS (L2-sized), and no more than a chunk has.
    const group = Math.max(1, Math.min(sharing.chunk, Math.floor(CONV_GROUP_FLOATS / (k * p))));
    const weights = rt.alloc(k * o * 4);
    ex.transpose(ptrs.w, o, k, weights);
    const regionBytes = ex.convRegionBytes(o, k, p, group, image, FORM_PATCHES, 0, 0);
    const regions = rt.alloc(sharing.threads * regionBytes);
    const block = rt.putInts([ptrs.dy, weights, ptrs.dx, geo, o, k, p, image, regions, regionBytes, group, FORM_PATCHES]);
    return { run: () => sharing.run('convInputGradImages', block) };
  }

  /**
   * The tables of a strided conv's input gradient in phases (assembly/conv-images.ts, cached per geometry). Input
   * pixel (iy, ix) is in phase ((iy + pt) mod sh, (ix + pl) mod sw); tap i reaches the pixels of row phase r when
   * r − i·dh is a multiple of sh, from dy row (iy + pt − r)/sh + (r − i·dh)/sh. dy is zero-padded (dyPadTop …) so
   * that every such row and column exists. Per phase: its entries (o, i, j) as offsets into the padded dy; its
   * pixels as pairs (base in the padded dy, index in dx's plane), repeated at the end to a multiple of 4; and its
   * weight panels [C/8][K][8] as indices into W (−1: a zero lane past C).
   */
  const phaseCache = new GeometryCache<PhaseTables>();
  const phaseTables = (g: Conv2dGeometry): PhaseTables => phaseCache.find(g) ?? phaseCache.add(g, buildPhaseTables(g));
  function buildPhaseTables(g: Conv2dGeometry): PhaseTables {
    const o = g.outChannels, c = g.groupIn, kh = g.kernelH, kw = g.kernelW;
    // Per axis and phase r: the taps (index, dy shift) that reach it.
    const taps = (s: number, d: number, kernel: number) => Array.from({ length: s }, (_, r) => {
      const list: { tap: number; shift: number }[] = [];
      for (let i = 0; i < kernel; i++) if ((((r - i * d) % s) + s) % s === 0) list.push({ tap: i, shift: (r - i * d) / s });
      return list;
    });
    const tapsY = taps(g.strideH, g.dilationH, kh), tapsX = taps(g.strideW, g.dilationW, kw);
    // dy's zero padding along an axis: the rows (columns) read below 0 and past the last.
    const padding = (size: number, pad: number, s: number, out: number, axisTaps: typeof tapsY) => {
      let lo = 0, hi = out - 1;
      for (let i = 0; i < size; i++) {
        const r = (i + pad) % s, m = (i + pad - r) / s;
        for (const t of axisTaps[r]) { lo = Math.min(lo, m + t.shift); hi = Math.max(hi, m + t.shift); }
      }
      return { before: -lo, after: hi - (out - 1) };
    };
    const py = padding(g.inH, g.padTop, g.strideH, g.outH, tapsY), px = padding(g.inW, g.padLeft, g.strideW, g.outW, tapsX);
    const dyHp = g.outH + py.before + py.after, dyWp = g.outW + px.before + px.after;
    const phases: number[] = [], offsets: number[] = [], positions: number[] = [], gather: number[] = [];
    const channelPanels = Math.ceil(c / 8);
    for (let ry = 0; ry < g.strideH; ry++) {
      for (let rx = 0; rx < g.strideW; rx++) {
        const pixels: number[] = [];
        for (let iy = 0; iy < g.inH; iy++) {
          if ((iy + g.padTop) % g.strideH !== ry) continue;
          const my = (iy + g.padTop - ry) / g.strideH + py.before;
          for (let ix = 0; ix < g.inW; ix++) {
            if ((ix + g.padLeft) % g.strideW !== rx) continue;
            pixels.push(my * dyWp + (ix + g.padLeft - rx) / g.strideW + px.before, iy * g.inW + ix);
          }
        }
        if (pixels.length === 0) continue;
        while (pixels.length % 8 !== 0) pixels.push(pixels[pixels.length - 2], pixels[pixels.length - 1]);
        const entries: number[] = []; // W index of (o, c = 0, i, j)
        for (let q = 0; q < o; q++) {
          for (const ty of tapsY[ry]) {
            for (const tx of tapsX[rx]) {
              offsets.push((q * dyHp + ty.shift) * dyWp + tx.shift);
              entries.push((q * c * kh + ty.tap) * kw + tx.tap);
            }
          }
        }
        phases.push(entries.length, offsets.length - entries.length, positions.length / 2, pixels.length / 2, gather.length);
        positions.push(...pixels);
        for (let jb = 0; jb < channelPanels; jb++) {
          for (const e of entries) for (let l = 0; l < 8; l++) gather.push(jb * 8 + l < c ? e + (jb * 8 + l) * kh * kw : -1);
        }
      }
    }
    return {
      phases: Int32Array.from(phases), offsets: Int32Array.from(offsets), positions: Int32Array.from(positions),
      gather: Int32Array.from(gather), dyHp, dyWp, dyPadTop: py.before, dyPadLeft: px.before,
    };
  }

  /**
   * An implicit-GEMM conv pass's parameter block (assembly/conv-implicit.ts F_* order), its index tables, a
   * scratch region per thread and a partial dW sum per chunk. Call after the call's outputs and inputs are placed.
   */
  function implicitBlock(g: Conv2dGeometry, ptrs: { x: number; panels?: number; bias?: number; out?: number; dy?: number }) {
    const o = g.outChannels, k = g.patch, p = g.positions;
    const hp = g.inH + g.padTop + g.padBottom, wp = g.inW + g.padLeft + g.padRight;
    const sharing = convSharing(g);
    const regionBytes = ex.implicitRegionBytes(g.groupIn, hp, wp, o, p);
    const regions = rt.alloc(sharing.threads * regionBytes);
    const partials = ptrs.dy === undefined ? 0 : rt.alloc(sharing.chunks * ex.implicitPartialBytes(o, k));
    const tables = indexTables(g, hp, wp);
    const block = rt.putInts([
      ptrs.x, ptrs.panels ?? 0, ptrs.bias ?? 0, ptrs.out ?? 0, rt.putInts(tables.offsets), rt.putInts(tables.positions), o, k, p,
      g.groupIn, g.inH, g.inW, g.padTop, g.padLeft, hp, wp, regions, regionBytes, ptrs.dy ?? 0, partials,
    ]);
    return {
      forward: () => sharing.run('implicitForward', block),
      /** dW [O, K] at `dw`: the chunks' partial sums, added in chunk order. */
      weightGrad: (dw: number) => {
        sharing.run('implicitWeightGrad', block);
        ex.implicitWeightGradReduce(block, sharing.chunks, dw);
      },
    };
  }

  /** Where patch entry (c, i, j) and output position (oy, ox) sit in the zero-padded image (cached per geometry). */
  const tableCache = new GeometryCache<{ offsets: Int32Array; positions: Int32Array }>();
  function indexTables(g: Conv2dGeometry, hp: number, wp: number) {
    const cached = tableCache.find(g);
    if (cached) return cached;
    const offsets = new Int32Array(g.patch);
    let e = 0;
    for (let c = 0; c < g.groupIn; c++) {
      for (let i = 0; i < g.kernelH; i++) for (let j = 0; j < g.kernelW; j++) offsets[e++] = (c * hp + i * g.dilationH) * wp + j * g.dilationW;
    }
    const positions = new Int32Array(g.positions);
    for (let oy = 0, q = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) positions[q++] = oy * g.strideH * wp + ox * g.strideW;
    return tableCache.add(g, { offsets, positions });
  }

  /** y = conv(x, W) + bias through the implicit-GEMM forward kernel; W [O, K] at pw, bias at pbias (0: none). */
  function implicitForward(g: Conv2dGeometry, px: number, pw: number, pbias: number, py: number): void {
    const panelCount = Math.ceil(g.outChannels / 8);
    const panels = rt.alloc(panelCount * g.patch * 32);
    const biasPanels = rt.alloc(panelCount * 32);
    ex.packWeightPanels(pw, g.outChannels, g.patch, panels, pbias, biasPanels);
    implicitBlock(g, { x: px, panels, bias: biasPanels, out: py }).forward();
  }

  const conv2d: KernelTable['Conv2d'] = (x, xShape, w, wShape, bias, attrs) => {
    if (!isF32In(x) || !isF32(w) || (bias !== null && !isF32(bias)) || attrs.groups !== 1) {
      return cpuKernels.Conv2d(host(x), xShape, w, wShape, bias, attrs);
    }
    const g = conv2dGeometry(xShape, wShape, attrs);
    if (bias !== null && bias.length !== g.outChannels) return cpuKernels.Conv2d(host(x), xShape, w, wShape, bias, attrs); // its error
    rt.reset();
    const y = output(g.outChannels * g.batch * g.positions);
    const px = input(x);
    implicitForward(g, px, rt.read(w), bias === null ? 0 : rt.read(bias), y.ptr);
    return { y: y.result(), shape: [g.batch, g.outChannels, g.outH, g.outW] };
  };

  const conv2dBackward: KernelTable['Conv2dBackward'] = (dy, x, xShape, w, wShape, attrs, mask = { input: true, weight: true, bias: true }) => {
    if (!isF32In(dy) || !isF32In(x) || !isF32(w) || attrs.groups !== 1) {
      return cpuKernels.Conv2dBackward(host(dy), host(x), xShape, w, wShape, attrs, mask);
    }
    const g = conv2dGeometry(xShape, wShape, attrs);
    const o = g.outChannels, k = g.patch, p = g.positions;
    if (dy.length !== o * g.batch * p) return cpuKernels.Conv2dBackward(host(dy), host(x), xShape, w, wShape, attrs, mask); // its error
    rt.reset();
    const dxOut = mask.input ? output(x.length) : null;
    const pdy = input(dy);
    let db: FloatArray | null = null;
    if (mask.bias) {
      // Σ over images and positions: each (image, channel) row of dy, then the images in order.
      const rows = rt.alloc(g.batch * o * 4);
      ex.rowSums(pdy, rows, g.batch * o, p);
      const sums = rt.f32.subarray(rows >> 2, (rows >> 2) + g.batch * o);
      db = new Float32Array(o);
      for (let n = 0; n < g.batch; n++) for (let c = 0; c < o; c++) db[c] += sums[n * o + c];
    }
    let dw: FloatArray | null = null;
    if (mask.weight) {
      const pdw = rt.alloc(o * k * 4);
      implicitBlock(g, { x: input(x), dy: pdy }).weightGrad(pdw);
      dw = rt.take(pdw, o * k);
    }
    if (dxOut) {
      // dx through patches after all (assembly/conv-images.ts): as a conv of dy with the flipped weights it would
      // multiply the zero padding too (LeNet's second conv: twice the work), and a stride would need gaps.
      inputGradBlock(g, w, { dy: pdy, w: rt.read(w), dx: dxOut.ptr }).run();
    }
    return { dx: dxOut ? dxOut.result() : null, dw, db };
  };

  function binary(op: number, cpu: KernelTable['Add']): KernelTable['Add'] {
    return (a, aShape, b, bShape, outShape, dtype) => {
      const n = sizeOf(outShape);
      const resident = isResident(a) || isResident(b);
      const small = n < MIN_ELEMENTWISE && !resident;
      const am = operandMode(a.length, aShape, outShape, n);
      const bm = operandMode(b.length, bShape, outShape, n);
      if (dtype !== 'float32' || !isF32In(a) || !isF32In(b) || small || am < 0 || bm < 0) {
        return cpu(host(a), aShape, host(b), bShape, outShape, dtype);
      }
      const cols = am === 1 || bm === 1 ? outShape[outShape.length - 1] : n;
      rt.reset();
      // The result stays where an input is: resident when either is (a Linear layer's product + its bias, which
      // the next relu reads in place), else a CPU array, so that values computed from CPU arrays (an optimizer's
      // state, running statistics) never become step-local handles.
      const out = resident ? output(n) : arenaOutput(n);
      const pa = input(a);
      const pb = input(b);
      ex.binary(op, pa, am, pb, bm, out.ptr, n / cols, cols);
      return out.result();
    };
  }

  const relu: KernelTable['Relu'] = (x, attrs) => {
    if (!isF32In(x) || x.length < MIN_ELEMENTWISE) return cpuKernels.Relu(host(x), attrs);
    rt.reset();
    const y = output(x.length);
    const px = input(x);
    const threads = shareElementwise(x.length);
    if (threads > 1) pool!.ranges('reluRange', rt.putInts([px, y.ptr]), x.length, ELEMENTWISE_CHUNK, threads);
    else ex.relu(px, y.ptr, x.length);
    return y.result();
  };

  const reluGrad: KernelTable['ReluGrad'] = (x, y, dy, attrs) => {
    if (!isF32In(x) || !isF32In(dy) || x.length < MIN_ELEMENTWISE) return cpuKernels.ReluGrad(host(x), host(y), host(dy), attrs);
    rt.reset();
    const dx = output(x.length);
    const px = input(x);
    const pdy = input(dy);
    const threads = shareElementwise(x.length);
    if (threads > 1) pool!.ranges('reluGradRange', rt.putInts([px, pdy, dx.ptr]), x.length, ELEMENTWISE_CHUNK, threads);
    else ex.reluGrad(px, pdy, dx.ptr, x.length);
    return dx.result();
  };

  /**
   * Sums over leading dims ([N, C] → [1, C], a bias gradient) in wasm, reading a resident x in place (a Linear
   * layer's output gradient, which its weight-gradient matmul reads too); any other reduction on the CPU.
   */
  const sum: KernelTable['Sum'] = (x, shape, dims, dtype) => {
    const lead = dims.length;
    const leading = lead > 0 && lead < shape.length && dims.every((d, i) => d === i);
    const small = x.length < MIN_ELEMENTWISE && !isResident(x);
    if (dtype !== 'float32' || !isF32In(x) || !leading || small) return cpuKernels.Sum(host(x), shape, dims, dtype);
    const cols = sizeOf(shape.slice(lead));
    const rows = x.length / cols;
    rt.reset();
    const po = rt.alloc(cols * 4);
    const px = input(x);
    ex.sumRows(px, po, rows, cols);
    return rt.take(po, cols);
  };

  /**
   * The max and its index along the last dim of a resident x (argmax over a Linear output: a step's accuracy), read
   * in place; anything else on the CPU kernel.
   */
  const maxDim: KernelTable['MaxDim'] = (x, shape, dim) => {
    if (!isResident(x) || dim !== shape.length - 1) return cpuKernels.MaxDim(host(x), shape, dim);
    const cols = shape[dim];
    const rows = x.length / cols;
    rt.reset();
    const px = input(x as Float32Array);
    const values = rt.alloc(rows * 4);
    const indices = rt.alloc(rows * 4);
    ex.maxRows(px, values, indices, rows, cols);
    return { values: rt.take(values, rows), indices: rt.i32.slice(indices >> 2, (indices >> 2) + rows) };
  };

  /** A step's [loss, correct] with the prediction by maxDim above: a resident Linear output is read in place. */
  const stepMetrics: KernelTable['StepMetrics'] = (loss, logits, shape, labels) =>
    metricsOf(host(loss), maxDim(logits, shape, 1).indices, labels);

  function softmaxFamily(log: boolean, cpu: KernelTable['Softmax']): KernelTable['Softmax'] {
    return (x, shape, dim) => {
      if (!isF32(x) || dim !== shape.length - 1 || x.length < MIN_ELEMENTWISE) return cpu(x, shape, dim);
      const cols = shape[dim];
      rt.reset();
      const px = rt.put(x);
      const py = rt.alloc(x.length * 4);
      ex.softmaxRows(px, py, x.length / cols, cols, +log);
      return rt.take(py, x.length);
    };
  }

  /** 2-D transposes (Linear's weightᵀ every step) in wasm; other permutations on the CPU. */
  function permute<T extends TypedArray>(x: T, shape: readonly number[], perm: readonly number[]): T {
    if (!isF32(x) || shape.length !== 2 || perm[0] !== 1 || x.length < MIN_ELEMENTWISE) return cpuKernels.Permute(x, shape, perm);
    rt.reset();
    const px = rt.put(x);
    const py = rt.alloc(x.length * 4);
    ex.transpose(px, shape[0], shape[1], py);
    return rt.take(py, x.length) as TypedArray as T;
  }

  const maxPool2d: KernelTable['MaxPool2d'] = (x, shape, attrs) => {
    if (!isF32In(x) || shape.length < 3 || x.length < MIN_ELEMENTWISE) return cpuKernels.MaxPool2d(host(x), shape, attrs);
    const inH = shape[shape.length - 2];
    const inW = shape[shape.length - 1];
    const planes = x.length / (inH * inW);
    const outH = poolOutputSize('maxPool2d', inH, attrs.kernelH, attrs.strideH, attrs.padH, attrs.dilationH, attrs.ceilMode);
    const outW = poolOutputSize('maxPool2d', inW, attrs.kernelW, attrs.strideW, attrs.padW, attrs.dilationW, attrs.ceilMode);
    const n = planes * outH * outW;
    rt.reset();
    const y = output(n);
    const px = input(x);
    const geo = rt.putInts([
      attrs.kernelH, attrs.kernelW, attrs.strideH, attrs.strideW, attrs.padH, attrs.padW, attrs.dilationH, attrs.dilationW,
      inH, inW, outH, outW,
    ]);
    const pi = rt.alloc(n * 4);
    const threads = shareElementwise(x.length);
    if (threads > 1) pool!.ranges('maxPoolRange', rt.putInts([px, y.ptr, pi, geo]), planes, Math.ceil(planes / (4 * threads)), threads);
    else ex.maxPool2d(px, y.ptr, pi, planes, geo);
    return { y: y.result(), indices: rt.i32.slice(pi >> 2, (pi >> 2) + n), shape: [...shape.slice(0, -2), outH, outW] };
  };

  const maxPool2dBackward: KernelTable['MaxPool2dBackward'] = (dy, indices, xShape) => {
    const planeSize = xShape.length >= 3 ? xShape[xShape.length - 2] * xShape[xShape.length - 1] : 0;
    const size = sizeOf(xShape);
    if (!isF32In(dy) || planeSize === 0 || size < MIN_ELEMENTWISE) return cpuKernels.MaxPool2dBackward(host(dy), indices, xShape);
    const planes = size / planeSize;
    rt.reset();
    const dx = output(size);
    const pdy = input(dy);
    const pi = rt.alloc(indices.length * 4);
    rt.i32.set(indices, pi >> 2);
    rt.f32.fill(0, dx.ptr >> 2, (dx.ptr >> 2) + size);
    const threads = shareElementwise(size);
    if (threads > 1) {
      const block = rt.putInts([pdy, pi, dx.ptr, dy.length / planes, planeSize]);
      pool!.ranges('maxPoolBackwardRange', block, planes, Math.ceil(planes / (4 * threads)), threads);
    } else {
      ex.maxPool2dBackward(pdy, pi, dx.ptr, planes, dy.length / planes, planeSize);
    }
    return dx.result();
  };

  /**
   * Average pooling's geometry block (assembly/pool.ts), or null where the CPU kernel should run: fewer than 3
   * dims, a divisorOverride that is not a non-zero integer (the CPU kernel's error for 0), or a small input.
   */
  function avgPoolGeometry(shape: readonly number[], attrs: AvgPool2dAttrs, size: number) {
    const override = attrs.divisorOverride;
    if (shape.length < 3 || size < MIN_ELEMENTWISE || (override !== null && (!Number.isInteger(override) || override === 0))) return null;
    const inH = shape[shape.length - 2], inW = shape[shape.length - 1];
    const outH = poolOutputSize('avgPool2d', inH, attrs.kernelH, attrs.strideH, attrs.padH, 1, attrs.ceilMode);
    const outW = poolOutputSize('avgPool2d', inW, attrs.kernelW, attrs.strideW, attrs.padW, 1, attrs.ceilMode);
    const ints = [
      attrs.kernelH, attrs.kernelW, attrs.strideH, attrs.strideW, attrs.padH, attrs.padW, inH, inW, outH, outW,
      attrs.countIncludePad ? 1 : 0, override ?? 0,
    ];
    return { planes: size / (inH * inW), inH, inW, outH, outW, ints };
  }

  const avgPool2d: KernelTable['AvgPool2d'] = (x, shape, attrs) => {
    const geo = isF32In(x) ? avgPoolGeometry(shape, attrs, x.length) : null;
    if (geo === null || !isF32In(x)) return cpuKernels.AvgPool2d(host(x), shape, attrs);
    rt.reset();
    const y = output(geo.planes * geo.outH * geo.outW);
    const px = input(x);
    ex.avgPool2d(px, y.ptr, geo.planes, rt.putInts(geo.ints), rt.alloc(16));
    return { y: y.result(), shape: [...shape.slice(0, -2), geo.outH, geo.outW] };
  };

  const avgPool2dBackward: KernelTable['AvgPool2dBackward'] = (dy, xShape, attrs) => {
    const geo = isF32In(dy) ? avgPoolGeometry(xShape, attrs, sizeOf(xShape)) : null;
    if (geo === null || !isF32In(dy) || dy.length !== geo.planes * geo.outH * geo.outW) return cpuKernels.AvgPool2dBackward(host(dy), xShape, attrs);
    rt.reset();
    const dx = output(sizeOf(xShape));
    const pdy = input(dy);
    ex.avgPool2dBackward(pdy, dx.ptr, geo.planes, rt.putInts(geo.ints), rt.alloc(16));
    return dx.result();
  };

  /**
   * A batch of a byte dataset (assembly/data.ts): the pixels are copied into the memory once (`pinBytes`), and the
   * rows are written where the batch array lives when it is pinned (the DataLoader's reused batch, trainer.ts
   * `pinBatch`), so the step's first kernel reads them in place. Then the next batch's rows are fetched towards the
   * cache, to be there when the next call reads them. On the caller's thread alone: shared with a worker,
   * Mnist_Logistic's gather took more of the engine thread's time (93 against 49 ms of CPU an epoch, load 8), which
   * waited for the worker's rows.
   */
  const gatherBytes: KernelTable['GatherBytes'] = (source, rowLength, indices, scale, shift, out, upcoming = null) => {
    const count = indices.length;
    checkGatherOutput(count, rowLength, out);
    const src = rt.pinBytes(source);
    if (src === null) return cpuKernels.GatherBytes(source, rowLength, indices, scale, shift, out);
    rt.reset();
    const dst = rt.pinnedPointer(out) ?? rt.alloc(count * rowLength * 4);
    ex.gatherBytes(src, rowLength, rt.putInts(indices), count, scale, shift, dst);
    rt.writeBack(out, dst);
    if (upcoming !== null && upcoming.length > 0) ex.touchRows(src, rowLength, rt.putInts(upcoming), upcoming.length);
    return out;
  };

  return {
    AvgPool2d: avgPool2d,
    AvgPool2dBackward: avgPool2dBackward,
    MaxPool2d: maxPool2d,
    MaxPool2dBackward: maxPool2dBackward,
    Matmul: matmul,
    Conv2d: conv2d,
    Conv2dBackward: conv2dBackward,
    Add: binary(OP_ADD, cpuKernels.Add),
    Sub: binary(OP_SUB, cpuKernels.Sub),
    Mul: binary(OP_MUL, cpuKernels.Mul),
    Div: binary(OP_DIV, cpuKernels.Div),
    Relu: relu,
    ReluGrad: reluGrad,
    Sum: sum,
    MaxDim: maxDim,
    StepMetrics: stepMetrics,
    Softmax: softmaxFamily(false, cpuKernels.Softmax),
    LogSoftmax: softmaxFamily(true, cpuKernels.LogSoftmax),
    Permute: permute,
    AdamStep: wasmAdamStep(rt, pool),
    GatherBytes: gatherBytes,
    ...wasmLossKernels(rt, output),
    SgdStep: wasmSgdStep(rt),
  };
}
