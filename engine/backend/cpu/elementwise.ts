/**
 * CPU reference kernels for elementwise ops: broadcasting binary ops, comparisons, where, and unary math.
 *
 * Binary kernels broadcast like torch (shapes right-aligned, size-1 dims stretched). They take the operands'
 * shapes and the already-validated output shape, and return a fresh float array of the requested dtype.
 * Fast paths: equal sizes (no broadcasting) and a scalar operand; the general path walks the output with
 * per-operand strides (0 on broadcast dims) like an odometer, so it never allocates per element.
 */
import { allocate, allocateFloat, broadcastStrides, dtypeOf, sizeOf } from '../arrays';
import type { DType, FloatArray, FloatDType, TypedArray } from '../arrays';

export type BinaryKernel = (
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  outShape: readonly number[],
  dtype: FloatDType,
) => FloatArray;

function binaryKernel(f: (x: number, y: number) => number): BinaryKernel {
  return (a, aShape, b, bShape, outShape, dtype) => {
    const n = sizeOf(outShape);
    const out = allocateFloat(dtype, n);
    if (n === 0) return out;
    // Same element count as the output means no dimension was stretched: the layouts coincide.
    if (a.length === n && b.length === n) {
      for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    } else if (b.length === 1 && a.length === n) {
      const bv = b[0];
      for (let i = 0; i < n; i++) out[i] = f(a[i], bv);
    } else if (a.length === 1 && b.length === n) {
      const av = a[0];
      for (let i = 0; i < n; i++) out[i] = f(av, b[i]);
    } else {
      const nd = outShape.length;
      const as = broadcastStrides(aShape, outShape);
      const bs = broadcastStrides(bShape, outShape);
      const last = outShape[nd - 1];
      const asLast = as[nd - 1];
      const bsLast = bs[nd - 1];
      const counter = new Array<number>(nd).fill(0);
      let ia = 0;
      let ib = 0;
      let o = 0;
      for (let row = 0, rows = n / last; row < rows; row++) {
        let pa = ia;
        let pb = ib;
        for (let j = 0; j < last; j++) {
          out[o++] = f(a[pa], b[pb]);
          pa += asLast;
          pb += bsLast;
        }
        for (let d = nd - 2; d >= 0; d--) {
          counter[d]++;
          ia += as[d];
          ib += bs[d];
          if (counter[d] < outShape[d]) break;
          ia -= as[d] * outShape[d];
          ib -= bs[d] * outShape[d];
          counter[d] = 0;
        }
      }
    }
    return out;
  };
}

export const add = binaryKernel((x, y) => x + y);
export const sub = binaryKernel((x, y) => x - y);
export const mul = binaryKernel((x, y) => x * y);
export const div = binaryKernel((x, y) => x / y);
export const pow = binaryKernel((x, y) => Math.pow(x, y));
/** Math.max/min propagate NaN, as torch.maximum/minimum do. */
export const maximum = binaryKernel((x, y) => Math.max(x, y));
export const minimum = binaryKernel((x, y) => Math.min(x, y));
export const equal = binaryKernel((x, y) => (x === y ? 1 : 0));
export const greater = binaryKernel((x, y) => (x > y ? 1 : 0));
export const greaterEqual = binaryKernel((x, y) => (x >= y ? 1 : 0));
export const less = binaryKernel((x, y) => (x < y ? 1 : 0));
export const lessEqual = binaryKernel((x, y) => (x <= y ? 1 : 0));

/**
 * For each flat index of `outShape`, the flat index of the element of `shape` (broadcast to `outShape`) it reads.
 * Used by the less hot broadcasting kernels (where, broadcastTo); the binary kernels walk strides inline.
 */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const index = new Int32Array(n);
  const nd = outShape.length;
  const strides = broadcastStrides(shape, outShape);
  const counter = new Array<number>(nd).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    index[i] = src;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < outShape[d]) break;
      src -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return index;
}

/** out[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast to outShape. */
export function where(
  cond: TypedArray,
  condShape: readonly number[],
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  outShape: readonly number[],
  dtype: DType,
): TypedArray {
  const n = sizeOf(outShape);
  const out = allocate(dtype, n);
  const ci = broadcastIndex(condShape, outShape);
  const ai = broadcastIndex(aShape, outShape);
  const bi = broadcastIndex(bShape, outShape);
  for (let i = 0; i < n; i++) out[i] = cond[ci[i]] !== 0 ? a[ai[i]] : b[bi[i]];
  return out;
}

/** Parameters of the parameterised unary kernels; each kernel reads only its own. */
export interface UnaryAttrs {
  exponent?: number;
  min?: number;
  max?: number;
  slope?: number;
  alpha?: number;
  beta?: number;
  threshold?: number;
}

export type UnaryKernel = (x: FloatArray, attrs?: UnaryAttrs) => FloatArray;
/** dx = dy * f'(x), given x, y = f(x) and dy (all the same length). */
export type UnaryGradKernel = (x: FloatArray, y: FloatArray, dy: FloatArray, attrs?: UnaryAttrs) => FloatArray;

function unaryKernel(f: (x: number, attrs: UnaryAttrs) => number): UnaryKernel {
  return (x, attrs = {}) => {
    const out = allocateFloat(dtypeOf(x), x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(x[i], attrs);
    return out;
  };
}

function unaryGradKernel(df: (x: number, y: number, attrs: UnaryAttrs) => number): UnaryGradKernel {
  return (x, y, dy, attrs = {}) => {
    const out = allocateFloat(dtypeOf(x), x.length);
    for (let i = 0; i < x.length; i++) out[i] = dy[i] * df(x[i], y[i], attrs);
    return out;
  };
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_C = 0.044715;

/**
 * erf to ~1e-15: Maclaurin series for |x| < 3, and erfc's continued fraction beyond (where the series would
 * lose digits to cancellation). JS has no Math.erf; exact GELU needs it.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 3) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x); // erfc(6) ~ 2e-17
  // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
  let frac = ax;
  for (let k = 60; k >= 1; k--) frac = ax + k / 2 / frac;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}

function sigmoidScalar(x: number): number {
  // Two branches so exp never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const neg = unaryKernel((x) => -x);
export const exp = unaryKernel((x) => Math.exp(x));
export const log = unaryKernel((x) => Math.log(x));
export const sqrt = unaryKernel((x) => Math.sqrt(x));
export const abs = unaryKernel((x) => Math.abs(x));
/** sign(0) = 0, sign(NaN) = NaN. */
export const sign = unaryKernel((x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x));
export const powScalar = unaryKernel((x, a) => Math.pow(x, a.exponent ?? 1));

/** Lower bound first, then upper, as torch does (so min > max gives max everywhere); NaN stays NaN. */
export const clamp = unaryKernel((x, a) => {
  let v = a.min !== undefined && x < a.min ? a.min : x;
  v = a.max !== undefined && v > a.max ? a.max : v;
  return v;
});
/** The gradient passes where min <= x <= max (boundaries included, as torch). */
export const clampGrad = unaryGradKernel((x, _y, a) =>
  (a.min === undefined || x >= a.min) && (a.max === undefined || x <= a.max) ? 1 : 0,
);

/** `x <= 0 ? 0 : x` (not `x > 0 ? x : 0`) so that NaN propagates, as in torch. */
export const relu = unaryKernel((x) => (x <= 0 ? 0 : x));
export const reluGrad = unaryGradKernel((x) => (x > 0 ? 1 : 0));

export const leakyRelu = unaryKernel((x, a) => (x > 0 ? x : x * (a.slope ?? 0.01)));
export const leakyReluGrad = unaryGradKernel((x, _y, a) => (x > 0 ? 1 : (a.slope ?? 0.01)));

export const sigmoid = unaryKernel(sigmoidScalar);
export const sigmoidGrad = unaryGradKernel((_x, y) => y * (1 - y));

export const tanh = unaryKernel((x) => Math.tanh(x));
export const tanhGrad = unaryGradKernel((_x, y) => 1 - y * y);

/** gelu(x) = x Φ(x) = x/2 (1 + erf(x/√2));  gelu'(x) = Φ(x) + x φ(x). */
export const gelu = unaryKernel((x) => 0.5 * x * (1 + erf(x * INV_SQRT_2)));
export const geluGrad = unaryGradKernel(
  (x) => 0.5 * (1 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
);

/** gelu_tanh(x) = x/2 (1 + tanh(u)), u = √(2/π)(x + 0.044715 x³). */
export const geluTanh = unaryKernel(
  (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x))),
);
export const geluTanhGrad = unaryGradKernel((x) => {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x * x);
});

/** elu(x) = x if x > 0 else α(eˣ − 1). */
export const elu = unaryKernel((x, a) => (x > 0 ? x : (a.alpha ?? 1) * Math.expm1(x)));
export const eluGrad = unaryGradKernel((x, _y, a) => (x > 0 ? 1 : (a.alpha ?? 1) * Math.exp(x)));

/** silu(x) = x σ(x);  silu'(x) = σ(x)(1 + x(1 − σ(x))). */
export const silu = unaryKernel((x) => x * sigmoidScalar(x));
export const siluGrad = unaryGradKernel((x) => {
  const s = sigmoidScalar(x);
  return s * (1 + x * (1 - s));
});

/** softplus(x) = log(1 + e^(βx))/β, and x itself once βx > threshold (torch's linear regime). */
export const softplus = unaryKernel((x, a) => {
  const beta = a.beta ?? 1;
  const bx = beta * x;
  if (bx > (a.threshold ?? 20)) return x;
  // log1p(e^bx) written so that large positive bx cannot overflow.
  return (Math.max(bx, 0) + Math.log1p(Math.exp(-Math.abs(bx)))) / beta;
});
export const softplusGrad = unaryGradKernel((x, _y, a) => {
  const bx = (a.beta ?? 1) * x;
  return bx > (a.threshold ?? 20) ? 1 : sigmoidScalar(bx);
});
