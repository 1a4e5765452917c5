/**
 * What each gpu.js kernel launches, worked out from a CPU kernel's arguments: the kernel source to use, the
 * output length and the argument list — or null where the case stays on the CPU (float64, general broadcasting,
 * reductions over scattered dims, sizes under the threshold). Planning is separate from running so the same plans
 * serve the synchronous backend (webasm, webgl2, headlessgl) and the asynchronous WebGPU check (the page under
 * e2e/gpu-parity), and so a test can ask "did this case reach gpu.js?".
 */
import { sizeOf, type TypedArray } from '../arrays';
import { conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dGradMask } from '../cpu/conv';
import type { MatmulAttrs } from '../cpu/matmul';
import type { UnaryAttrs } from '../cpu/elementwise';
import type { AdadeltaStepAttrs, AdamStepAttrs, SgdStepAttrs } from '../cpu/optim';
import { maskThreshold, type DropoutMaskAttrs } from '../cpu/dropout';
import { poolOutputSize, type AvgPool2dAttrs, type MaxPool2dAttrs } from '../cpu/pool';
import * as S from './sources';
import { arg, GpujsDeviceData } from './device';

/** One kernel launch: a source (its text is the cache key), an output length and the arguments. */
export interface Launch {
  source: string;
  n: number;
  args: unknown[];
}

/** Work below which a kernel stays on the CPU; see README.md for how the defaults were measured. */
export interface Thresholds {
  /** Multiply-adds of a matmul or convolution (m·n·k; N·O·OH·OW·C/groups·KH·KW). */
  macs: number;
  /** Output elements of an elementwise kernel, a reduction or a softmax. */
  elements: number;
}

/** float32 values: a CPU array, or this backend's device value (typed as the CPU array, as kernel signatures are). */
export const isF32 = (x: TypedArray | null): x is Float32Array => x instanceof Float32Array || (x as unknown) instanceof GpujsDeviceData;

/** Values of a small constant array (offsets, geometry): written here, looked up by their float32 bits. */
const scratch = new Float32Array(64);
const scratchBits = new Int32Array(scratch.buffer);
/** The shared arrays (and their bits) by a hash of their bits; a bucket holds those that collide. */
const constants = new Map<number, Array<{ values: Float32Array; bits: Int32Array }>>();
let constantCount = 0;
/** Distinct constants kept before the table starts again (a run has a few dozen; arrays handed out stay valid). */
const CONSTANTS_MAX = 4096;

/**
 * A small constant argument (matmul offsets, conv and pool geometry, a placeholder) as one Float32Array per
 * content, shared by every launch that passes it, instead of a new one per launch (two dozen a LeNet-5 step, each
 * then cloned into the step's message; a message carries a shared one once). Shared, so nothing may write into
 * one: kernels only read their arguments, and a RemoteRunner moves (transfers) only the copies its uploads make,
 * never an argument. The same content, bit for bit (−0 is not 0), is the same array.
 */
export function constantArray(xs: ArrayLike<number>): Float32Array {
  const n = xs.length;
  if (n > scratch.length) return Float32Array.from(xs);
  let hash = n;
  for (let i = 0; i < n; i++) {
    scratch[i] = xs[i];
    hash = Math.imul(hash ^ scratchBits[i], 0x01000193);
  }
  let bucket = constants.get(hash);
  if (bucket !== undefined) {
    for (const { values, bits } of bucket) {
      if (values.length !== n) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = bits[i] === scratchBits[i];
      if (same) return values;
    }
  }
  if (constantCount >= CONSTANTS_MAX) {
    constants.clear();
    constantCount = 0;
    bucket = undefined;
  }
  if (bucket === undefined) constants.set(hash, (bucket = []));
  const values = scratch.slice(0, n);
  bucket.push({ values, bits: new Int32Array(values.buffer) });
  constantCount++;
  return values;
}

/**
 * Each generated source built once. Its text is the kernel's key (in the runners' maps and the worker's), so a text
 * built anew per launch was hashed and compared in full on every launch.
 */
const binarySources = new Map<string, string>();
const unarySources = new Map<string, string>();
const unaryGradSources = new Map<string, string>();
function sourceFor(built: Map<string, string>, expr: string, make: (expr: string) => string): string {
  let source = built.get(expr);
  if (source === undefined) built.set(expr, (source = make(expr)));
  return source;
}
const matmulSources = [false, true].map((transA) => [false, true].map((transB) => S.matmulSource(transA, transB)));

const f32 = constantArray;
/** The placeholder for an absent input (no bias, no momentum buffer): one float the kernel does not read. */
const NONE = (): Float32Array => constantArray([0]);

export function planMatmul(a: TypedArray, b: TypedArray, attrs: MatmulAttrs, t: Thresholds): Launch | null {
  const { m, k, n, aOffsets, bOffsets, transA = false, transB = false, dtype } = attrs;
  const batch = aOffsets.length;
  if (dtype !== 'float32' || !isF32(a) || !isF32(b) || k === 0 || batch * m * n === 0) return null;
  if (batch * m * n * k < t.macs) return null;
  return {
    source: matmulSources[transA ? 1 : 0][transB ? 1 : 0],
    n: batch * m * n,
    args: [arg(a), arg(b), f32(aOffsets), f32(bOffsets), m, n, k],
  };
}

/**
 * floor(i / div) mod len locates a broadcast operand's element for output element i, when its non-1 dims are one
 * contiguous run of the output's dims (a bias, a per-channel scale, a scalar, a full operand). Null otherwise.
 */
export function operandLayout(shape: readonly number[], outShape: readonly number[]): [number, number] | null {
  const offset = outShape.length - shape.length;
  let first = -1;
  let last = -1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    if (shape[i] !== outShape[i + offset]) return null;
    if (first < 0) first = i + offset;
    else if (last !== i + offset - 1) return null;
    last = i + offset;
  }
  if (first < 0) return [1, 1];
  return [sizeOf(outShape.slice(last + 1)), sizeOf(outShape.slice(first, last + 1))];
}

export function planBinary(
  expr: string, a: TypedArray, aShape: readonly number[], b: TypedArray, bShape: readonly number[],
  outShape: readonly number[], dtype: string, t: Thresholds,
): Launch | null {
  const n = sizeOf(outShape);
  if (dtype !== 'float32' || !isF32(a) || !isF32(b) || n === 0 || n < t.elements) return null;
  const la = operandLayout(aShape, outShape);
  const lb = operandLayout(bShape, outShape);
  if (la === null || lb === null) return null;
  return { source: sourceFor(binarySources, expr, S.binarySource), n, args: [arg(a), arg(b), la[0], la[1], lb[0], lb[1]] };
}

export function planUnary(expr: string, x: TypedArray, param: number, t: Thresholds, param2 = expr === UNARY.Log ? NaN : 0): Launch | null {
  if (!isF32(x) || x.length === 0 || x.length < t.elements) return null;
  return { source: sourceFor(unarySources, expr, S.unarySource), n: x.length, args: [arg(x), param, param2] };
}

export function planUnaryGrad(expr: string, x: TypedArray, y: TypedArray, dy: TypedArray, param: number, t: Thresholds): Launch | null {
  if (!isF32(x) || !isF32(dy) || x.length === 0 || x.length < t.elements || dy.length !== x.length) return null;
  // y (the forward output) is only read by sigmoid/tanh grads; others get dy in its place, any float32 array works.
  const yy = isF32(y) && y.length === x.length ? y : dy;
  return { source: sourceFor(unaryGradSources, expr, S.unaryGradSource), n: x.length, args: [arg(x), arg(yy), arg(dy), param] };
}

/** x viewed as [outer, len, inner] when `dims` are one contiguous run; null otherwise. */
function middleAxis(shape: readonly number[], dims: readonly number[]): [number, number, number] | null {
  if (dims.length === 0) return null;
  for (let i = 1; i < dims.length; i++) if (dims[i] !== dims[i - 1] + 1) return null;
  const first = dims[0];
  const last = dims[dims.length - 1];
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

export function planSum(x: TypedArray, shape: readonly number[], dims: readonly number[], dtype: string, t: Thresholds): Launch | null {
  if (dtype !== 'float32' || !isF32(x) || x.length === 0 || x.length < t.elements) return null;
  const view = middleAxis(shape, dims);
  if (view === null) return null;
  const [outer, len, inner] = view;
  return { source: S.sumSource, n: outer * inner, args: [arg(x), len, inner] };
}

export function planSoftmax(x: TypedArray, shape: readonly number[], dim: number, log: boolean, t: Thresholds): Launch | null {
  if (!isF32(x) || x.length === 0 || x.length < t.elements) return null;
  const [, len, inner] = middleAxis(shape, [dim])!;
  return { source: S.softmaxSource, n: x.length, args: [arg(x), len, inner, log ? 1 : 0] };
}

function geometryArgs(g: Conv2dGeometry): Float32Array {
  return f32([
    g.batch, g.inChannels, g.inH, g.inW, g.outChannels, g.kernelH, g.kernelW, g.outH, g.outW,
    g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.groupIn, g.groupOut,
  ]);
}

function convMacs(g: Conv2dGeometry): number {
  return g.batch * g.outChannels * g.positions * g.patch;
}

/** Null (CPU) for float64 or small convolutions; geometry errors are the CPU kernel's to report. */
export function planConvForward(
  x: TypedArray, xShape: readonly number[], w: TypedArray, wShape: readonly number[], bias: TypedArray | null,
  attrs: Conv2dAttrs, t: Thresholds,
): Launch | null {
  if (!isF32(x) || !isF32(w) || (bias !== null && !isF32(bias))) return null;
  let g: Conv2dGeometry;
  try {
    g = conv2dGeometry(xShape, wShape, attrs);
  } catch {
    return null;
  }
  if (bias !== null && bias.length !== g.outChannels) return null;
  const n = g.batch * g.outChannels * g.positions;
  if (n === 0 || g.patch === 0 || convMacs(g) < t.macs) return null;
  return { source: S.convForwardSource, n, args: [arg(x), arg(w), arg(bias) ?? NONE(), geometryArgs(g), bias === null ? 0 : 1] };
}

/**
 * A sum split over the batch, for a GPU's sake (many short threads, not a few long ones): `partial` writes
 * chunks × len values, which `sumChunks` then adds up per output.
 */
export interface SplitSum {
  partial: Launch;
  chunks: number;
  len: number;
}

export const isSplitSum = (l: Launch | SplitSum): l is SplitSum => 'partial' in l;

/** The second launch of a split sum, over the first one's result. */
export function sumChunks(partial: unknown, chunks: number, len: number): Launch {
  return { source: S.sumChunksSource, n: len, args: [partial, chunks, len] };
}

/** The largest partial buffer a split sum may take (floats, 64 MiB): beyond it each chunk takes more images. */
const SPLIT_MAX = 1 << 24;

/**
 * A sum over the batch of `len` outputs as chunks of images: one image per chunk while the partials fit in
 * SPLIT_MAX, more per chunk beyond; a single chunk (one image) is the sum itself, one launch.
 */
function batchSum(source: string, len: number, batch: number, args: unknown[]): Launch | SplitSum {
  const per = Math.max(1, Math.ceil((batch * len) / SPLIT_MAX));
  const chunks = Math.ceil(batch / per);
  const partial = { source, n: chunks * len, args: [...args, per] };
  return chunks === 1 ? partial : { partial, chunks, len };
}

export interface ConvBackwardPlan {
  dx: Launch | null;
  dw: Launch | SplitSum | null;
  db: Launch | SplitSum | null;
}

export function planConvBackward(
  dy: TypedArray, x: TypedArray, xShape: readonly number[], w: TypedArray, wShape: readonly number[],
  attrs: Conv2dAttrs, mask: Conv2dGradMask, t: Thresholds,
): ConvBackwardPlan | null {
  if (!isF32(dy) || !isF32(x) || !isF32(w)) return null;
  let g: Conv2dGeometry;
  try {
    g = conv2dGeometry(xShape, wShape, attrs);
  } catch {
    return null;
  }
  if (dy.length !== g.batch * g.outChannels * g.positions || dy.length === 0 || g.patch === 0) return null;
  if (convMacs(g) < t.macs) return null;
  const geo = geometryArgs(g);
  return {
    dx: mask.input ? { source: S.convInputGradSource, n: x.length, args: [arg(dy), arg(w), geo] } : null,
    dw: mask.weight ? batchSum(S.convWeightGradSource, w.length, g.batch, [arg(dy), arg(x), geo]) : null,
    db: mask.bias ? batchSum(S.convBiasGradSource, g.outChannels, g.batch, [arg(dy), g.batch, g.outChannels, g.positions]) : null,
  };
}

/** The unary ops gpu.js computes, with their expressions over v (x), w (y), g (dy) and p (the parameter). */
export const UNARY = {
  Neg: '-v',
  Exp: 'Math.exp(v)',
  // GLSL leaves log(0) and log(<0) undefined (SwiftShader answers −88 for log 0, so BCE's clamp at −100 never
  // fires) and WGSL may fold NaN-producing arithmetic away (−inf·0 came back 0): the special values come in as
  // parameters instead, p = −Infinity for log 0 and q = NaN below 0, as IEEE and torch have them.
  Log: 'v > 0 ? Math.log(v) : (v === 0 ? p : q)',
  Sqrt: 'Math.sqrt(v)',
  Abs: 'Math.abs(v)',
  Relu: 'v <= 0 ? 0 : v',
  LeakyRelu: 'v > 0 ? v : v * p',
  // Two branches so exp never overflows (the CPU kernel's sigmoidScalar).
  Sigmoid: 'v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))',
  // WGSL's tanh may be computed through exp: NaN once that overflows (SwiftShader: tanh(100) = NaN), and all
  // cancellation near 0 (tanh(4e-8) came back 6e-8). Past |v| = 10 tanh is ±1 in float32, and below |v| = 4e-4 it
  // is v (the next term, v³/3, is under half an ulp); NaN still reaches Math.tanh.
  Tanh: 'v > 10 ? 1 : (v < -10 ? -1 : (Math.abs(v) < 0.0004 ? v : Math.tanh(v)))',
} as const;

export const UNARY_GRAD = {
  ReluGrad: 'v > 0 ? g : 0',
  LeakyReluGrad: 'v > 0 ? g : g * p',
  SigmoidGrad: 'g * w * (1 - w)',
  TanhGrad: 'g * (1 - w * w)',
} as const;

export const BINARY = {
  Add: 'va + vb',
  Sub: 'va - vb',
  Mul: 'va * vb',
  Div: 'va / vb',
} as const;

/** The parameter each unary kernel reads from its attrs (0 where it takes none). */
export function unaryParam(name: string, attrs: UnaryAttrs | undefined): number {
  if (name === 'Log') return -Infinity;
  return name.startsWith('LeakyRelu') ? (attrs?.slope ?? 0.01) : 0;
}

/** Adam/AdamW without AMSGrad in float32: launches for the new m, v and parameter. Null: the CPU kernel does it. */
export function planAdamStep(
  param: TypedArray, grad: TypedArray, expAvg: TypedArray, expAvgSq: TypedArray, maxExpAvgSq: TypedArray | null,
  attrs: AdamStepAttrs, t: Thresholds,
): Launch[] | null {
  const n = param.length;
  if (!isF32(param) || !isF32(grad) || !isF32(expAvg) || !isF32(expAvgSq) || maxExpAvgSq !== null) return null;
  if (n === 0 || n < t.elements || grad.length !== n) return null;
  const { lr, beta1, beta2, eps, weightDecay, decoupledDecay = 0, step } = attrs;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const inputs = [arg(param), arg(grad), arg(expAvg), arg(expAvgSq)];
  return [0, 1, 2].map((which) => ({
    source: S.adamSource,
    n,
    args: [...inputs, which, beta1, beta2, eps, weightDecay, 1 - decoupledDecay, stepSize, bc2Sqrt],
  }));
}

/** SGD in float32: launches for the new momentum buffer (when there is one) and the new parameter. */
export function planSgdStep(param: TypedArray, grad: TypedArray, buffer: TypedArray | null, attrs: SgdStepAttrs, t: Thresholds): Launch[] | null {
  const n = param.length;
  if (!isF32(param) || !isF32(grad) || (buffer !== null && !isF32(buffer))) return null;
  if (n === 0 || n < t.elements || grad.length !== n) return null;
  const { lr, momentum, dampening, weightDecay, nesterov, maximize, first } = attrs;
  const withBuffer = momentum !== 0 && buffer !== null;
  const inputs = [arg(param), arg(grad), withBuffer ? arg(buffer) : NONE()];
  const rest = [lr, withBuffer ? momentum : 0, dampening, weightDecay, nesterov ? 1 : 0, maximize ? -1 : 1, first ? 1 : 0];
  const launch = (which: number): Launch => ({ source: S.sgdSource, n, args: [...inputs, which, ...rest] });
  return withBuffer ? [launch(0), launch(1)] : [launch(1)];
}

/** Adadelta in float32: launches for the new square_avg, acc_delta and parameter. Null: the CPU kernel does it. */
export function planAdadeltaStep(
  param: TypedArray, grad: TypedArray, squareAvg: TypedArray, accDelta: TypedArray, attrs: AdadeltaStepAttrs, t: Thresholds,
): Launch[] | null {
  const n = param.length;
  if (!isF32(param) || !isF32(grad) || !isF32(squareAvg) || !isF32(accDelta)) return null;
  if (n === 0 || n < t.elements || grad.length !== n) return null;
  const { lr, rho, eps, weightDecay } = attrs;
  const inputs = [arg(param), arg(grad), arg(squareAvg), arg(accDelta)];
  return [0, 1, 2].map((which) => ({ source: S.adadeltaSource, n, args: [...inputs, which, lr, rho, eps, weightDecay] }));
}

/** Integers that float32 (and so every index a GL kernel computes) holds exactly. */
const F32_EXACT = 2 ** 24;

/** An int32 array (class indices, pool indices) as a kernel argument: floats, exact below 2^24; device values as they are. */
const indexArg = (xs: ArrayLike<number>): unknown => ((xs as unknown) instanceof GpujsDeviceData ? arg(xs) : Float32Array.from(xs));

/** Whether gpu.js takes a fused cross-entropy case: float32 logits of `classes` per target, over the threshold. */
function crossEntropyFits(x: TypedArray, classes: number, rows: number, ignoreIndex: number, t: Thresholds): boolean {
  if (!isF32(x) || rows === 0 || classes === 0 || x.length !== rows * classes || x.length < t.elements) return false;
  // Targets and ignoreIndex meet as float32: an ignoreIndex that rounds onto a class index (1.0000001) must not.
  return classes < F32_EXACT && (Math.fround(ignoreIndex) === ignoreIndex || Math.abs(ignoreIndex) >= F32_EXACT);
}

/**
 * The fused cross-entropy's forward: launches for the per-row log Σ exp and the per-row losses, as the CPU kernel
 * returns them (the caller reduces). Null (CPU) for float64 logits, shapes that do not agree, or an ignoreIndex
 * that float32 would confuse with a class index.
 */
export function planCrossEntropy(
  x: TypedArray, classes: number, targets: ArrayLike<number>, ignoreIndex: number, t: Thresholds,
): { lse: Launch; losses: Launch } | null {
  const rows = targets.length;
  if (!crossEntropyFits(x, classes, rows, ignoreIndex, t)) return null;
  const inputs = [arg(x), indexArg(targets), classes, ignoreIndex];
  return {
    lse: { source: S.crossEntropySource, n: rows, args: [...inputs, 0, -Infinity] },
    losses: { source: S.crossEntropySource, n: rows, args: [...inputs, 1, -Infinity] },
  };
}

/**
 * dlogits in one launch. Null (CPU) as planCrossEntropy, or when lse/scale are not one value per row. The kernel
 * renormalises the softmax from x instead of reading lse (sources.ts says why), so lse is only checked.
 */
export function planCrossEntropyBackward(
  x: TypedArray, classes: number, targets: ArrayLike<number>, ignoreIndex: number, lse: ArrayLike<number>,
  scale: ArrayLike<number>, t: Thresholds,
): Launch | null {
  const rows = targets.length;
  if (!crossEntropyFits(x, classes, rows, ignoreIndex, t) || lse.length !== rows || scale.length !== rows) return null;
  const scaleArg = (scale as unknown) instanceof GpujsDeviceData || scale instanceof Float32Array ? arg(scale) : Float32Array.from(scale);
  return {
    source: S.crossEntropyBackwardSource,
    n: x.length,
    args: [arg(x), indexArg(targets), scaleArg, classes, ignoreIndex, -Infinity],
  };
}

/**
 * The dropout mask in one launch, for float32 below 2^24 elements (the hash's indices must stay exact in float32).
 * Null (CPU) otherwise. The seeds and the threshold are numbers, so a step plan takes them as arguments.
 */
export function planDropoutMask(size: number, attrs: DropoutMaskAttrs, t: Thresholds): Launch | null {
  if (attrs.dtype !== 'float32' || size === 0 || size >= F32_EXACT || size < t.elements) return null;
  return { source: S.dropoutMaskSource, n: size, args: [attrs.seedA, attrs.seedB, maskThreshold(attrs.keep), attrs.keep > 0 ? 1 / attrs.keep : 0] };
}

/** NLL's per-row losses in one launch. Null (CPU) as planCrossEntropy. */
export function planNllLoss(x: TypedArray, classes: number, targets: ArrayLike<number>, ignoreIndex: number, t: Thresholds): Launch | null {
  if (!crossEntropyFits(x, classes, targets.length, ignoreIndex, t)) return null;
  return { source: S.nllLossSource, n: targets.length, args: [arg(x), indexArg(targets), classes, ignoreIndex] };
}

/** NLL's dx in one launch (x only gives the shape). Null (CPU) as planNllLoss, or when scale is not one per row. */
export function planNllLossBackward(
  x: TypedArray, classes: number, targets: ArrayLike<number>, ignoreIndex: number, scale: ArrayLike<number>, t: Thresholds,
): Launch | null {
  if (!crossEntropyFits(x, classes, targets.length, ignoreIndex, t) || scale.length !== targets.length) return null;
  const scaleArg = (scale as unknown) instanceof GpujsDeviceData || scale instanceof Float32Array ? arg(scale) : Float32Array.from(scale);
  return { source: S.nllLossBackwardSource, n: x.length, args: [indexArg(targets), scaleArg, classes, ignoreIndex] };
}

/** [planes, H, W, OH, OW] of a max pool, or null where the CPU kernel would throw (it reports the error). */
function poolDims(shape: readonly number[], a: MaxPool2dAttrs): number[] | null {
  if (shape.length < 3) return null;
  const h = shape[shape.length - 2];
  const w = shape[shape.length - 1];
  try {
    const oh = poolOutputSize('maxPool2d', h, a.kernelH, a.strideH, a.padH, a.dilationH, a.ceilMode);
    const ow = poolOutputSize('maxPool2d', w, a.kernelW, a.strideW, a.padW, a.dilationW, a.ceilMode);
    return [sizeOf(shape.slice(0, -2)), h, w, oh, ow];
  } catch {
    return null;
  }
}

export interface MaxPoolPlan {
  y: Launch;
  indices: Launch;
  /** The output shape, as the CPU kernel's. */
  shape: number[];
  /** The packed geometry (sources.ts POOL_GEOMETRY_LENGTH), which the backward needs beside the indices. */
  geometry: Float32Array;
}

/** Max pool forward: launches for the max and its index. Null (CPU) for float64, empty or too-large planes. */
export function planMaxPool(x: TypedArray, shape: readonly number[], attrs: MaxPool2dAttrs, t: Thresholds): MaxPoolPlan | null {
  if (!isF32(x)) return null;
  const dims = poolDims(shape, attrs);
  if (dims === null) return null;
  const [planes, h, w, oh, ow] = dims;
  const n = planes * oh * ow;
  // Indices are floats: a plane's cells must be exactly representable.
  if (n === 0 || h * w >= F32_EXACT || x.length !== planes * h * w || x.length < t.elements) return null;
  const geometry = f32([h, w, oh, ow, attrs.kernelH, attrs.kernelW, attrs.strideH, attrs.strideW, attrs.padH, attrs.padW, attrs.dilationH, attrs.dilationW]);
  return {
    y: { source: S.maxPoolSource, n, args: [arg(x), geometry, 0, -Infinity] },
    indices: { source: S.maxPoolSource, n, args: [arg(x), geometry, 1, -Infinity] },
    shape: [...shape.slice(0, -2), oh, ow],
    geometry,
  };
}

/**
 * Max pool backward as a gather over the windows covering each input cell; `geometry` is the forward plan's (the
 * CPU signature carries only the indices, which do not say which windows overlap a cell). Null (CPU) without it.
 */
export function planMaxPoolBackward(
  dy: TypedArray, indices: ArrayLike<number>, xShape: readonly number[], geometry: Float32Array | undefined, t: Thresholds,
): Launch | null {
  if (!isF32(dy) || geometry === undefined || xShape.length < 3) return null;
  const [h, w, oh, ow] = geometry;
  const planes = sizeOf(xShape.slice(0, -2));
  if (xShape[xShape.length - 2] !== h || xShape[xShape.length - 1] !== w) return null;
  const n = planes * h * w;
  if (n === 0 || dy.length !== planes * oh * ow || indices.length !== dy.length || n < t.elements) return null;
  return { source: S.maxPoolBackwardSource, n, args: [arg(dy), indexArg(indices), geometry] };
}

/** [planes, H, W, OH, OW] of an average pool, or null where the CPU kernel would throw (it reports the error). */
function avgPoolDims(shape: readonly number[], a: AvgPool2dAttrs): number[] | null {
  if (a.divisorOverride === 0) return null;
  return poolDims(shape, { ...a, dilationH: 1, dilationW: 1 });
}

/** The packed geometry of an average pool (sources.ts AVG_POOL_GEOMETRY_LENGTH). */
function avgPoolGeometry([, h, w, oh, ow]: number[], a: AvgPool2dAttrs): Float32Array {
  return f32([h, w, oh, ow, a.kernelH, a.kernelW, a.strideH, a.strideW, a.padH, a.padW, a.countIncludePad ? 1 : 0, a.divisorOverride ?? 0]);
}

/** Average pool forward in one launch, with the CPU kernel's output shape. Null (CPU) for float64 or tiny work. */
export function planAvgPool(x: TypedArray, shape: readonly number[], attrs: AvgPool2dAttrs, t: Thresholds): { y: Launch; shape: number[] } | null {
  if (!isF32(x)) return null;
  const dims = avgPoolDims(shape, attrs);
  if (dims === null) return null;
  const [planes, h, w, oh, ow] = dims;
  const n = planes * oh * ow;
  if (n === 0 || x.length !== planes * h * w || x.length < t.elements) return null;
  return { y: { source: S.avgPoolSource, n, args: [arg(x), avgPoolGeometry(dims, attrs)] }, shape: [...shape.slice(0, -2), oh, ow] };
}

/**
 * Average pool backward as a gather over the windows covering each input cell (the attrs give the geometry, so
 * unlike max pool it needs nothing from the forward). Null (CPU) for float64 or tiny work.
 */
export function planAvgPoolBackward(dy: TypedArray, xShape: readonly number[], attrs: AvgPool2dAttrs, t: Thresholds): Launch | null {
  if (!isF32(dy)) return null;
  const dims = avgPoolDims(xShape, attrs);
  if (dims === null) return null;
  const [planes, h, w, oh, ow] = dims;
  const n = planes * h * w;
  if (n === 0 || dy.length !== planes * oh * ow || n < t.elements) return null;
  return { source: S.avgPoolBackwardSource, n, args: [arg(dy), avgPoolGeometry(dims, attrs)] };
}

/**
 * [planes, H, W] and the packed geometry of an adaptive average pool (sources.ts ADAPTIVE_POOL_GEOMETRY_LENGTH),
 * or null where the CPU kernel would throw. The loop bounds (largest bin, most bins over one cell) are found here.
 */
function adaptiveGeometry(shape: readonly number[], oh: number, ow: number): { planes: number; h: number; w: number; geometry: Float32Array } | null {
  if (shape.length < 3 || !Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) return null;
  const h = shape[shape.length - 2];
  const w = shape[shape.length - 1];
  const bin = (i: number, inSize: number, outSize: number) => Math.ceil(((i + 1) * inSize) / outSize) - Math.floor((i * inSize) / outSize);
  const largest = (count: number, size: (i: number) => number) => {
    let most = 0;
    for (let i = 0; i < count; i++) most = Math.max(most, size(i));
    return most;
  };
  const geometry = f32([
    h, w, oh, ow,
    largest(oh, (i) => bin(i, h, oh)), largest(ow, (i) => bin(i, w, ow)),
    largest(h, (i) => bin(i, oh, h)), largest(w, (i) => bin(i, ow, w)),
  ]);
  return { planes: sizeOf(shape.slice(0, -2)), h, w, geometry };
}

/** Adaptive average pool forward in one launch. Null (CPU) for float64, empty input or tiny work. */
export function planAdaptiveAvgPool(x: TypedArray, shape: readonly number[], oh: number, ow: number, t: Thresholds): { y: Launch; shape: number[] } | null {
  if (!isF32(x)) return null;
  const g = adaptiveGeometry(shape, oh, ow);
  if (g === null) return null;
  const n = g.planes * oh * ow;
  if (g.h * g.w === 0 || n === 0 || x.length !== g.planes * g.h * g.w || x.length < t.elements) return null;
  return { y: { source: S.adaptiveAvgPoolSource, n, args: [arg(x), g.geometry] }, shape: [...shape.slice(0, -2), oh, ow] };
}

/** Adaptive average pool backward as a gather over the bins covering each input cell. Null (CPU) as the forward. */
export function planAdaptiveAvgPoolBackward(dy: TypedArray, xShape: readonly number[], oh: number, ow: number, t: Thresholds): Launch | null {
  if (!isF32(dy)) return null;
  const g = adaptiveGeometry(xShape, oh, ow);
  if (g === null) return null;
  const n = g.planes * g.h * g.w;
  if (n === 0 || dy.length !== g.planes * oh * ow || n < t.elements) return null;
  return { source: S.adaptiveAvgPoolBackwardSource, n, args: [arg(dy), g.geometry] };
}

/**
 * A step's [loss, correct] in one launch of two threads, for float32 logits with a class dim 1 and labels as float
 * indices (exact below 2^24). Null (CPU) otherwise, or under the elements threshold.
 */
export function planStepMetrics(loss: TypedArray, logits: TypedArray, shape: readonly number[], labels: ArrayLike<number>, t: Thresholds): Launch | null {
  if (!isF32(loss) || !isF32(logits) || loss.length !== 1 || shape.length < 2) return null;
  const classes = shape[1];
  const inner = sizeOf(shape.slice(2));
  const rows = labels.length;
  if (rows === 0 || classes === 0 || logits.length !== rows * classes || logits.length >= F32_EXACT || logits.length < t.elements) return null;
  return { source: S.stepMetricsSource, n: 2, args: [arg(loss), arg(logits), indexArg(labels), rows, classes, inner] };
}
