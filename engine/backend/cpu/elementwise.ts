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

/**
 * One row of a binary op: out[o + j] = a[ia + j·sa] ∘ b[ib + j·sb] for j < n. Each op writes its own row loop
 * (rather than passing a scalar function) so that V8 compiles a separate, inlined loop per op: a shared loop
 * calling a per-op function becomes megamorphic and runs several times slower.
 */
type BinaryRow = (
  a: TypedArray, ia: number, sa: number, b: TypedArray, ib: number, sb: number, out: FloatArray, o: number, n: number,
) => void;

function binaryKernel(row: BinaryRow): BinaryKernel {
  return (a, aShape, b, bShape, outShape, dtype) => {
    const n = sizeOf(outShape);
    const out = allocateFloat(dtype, n);
    if (n === 0) return out;
    // Same element count as the output means no dimension was stretched: the layouts coincide.
    if (a.length === n && b.length === n) row(a, 0, 1, b, 0, 1, out, 0, n);
    else if (b.length === 1 && a.length === n) row(a, 0, 1, b, 0, 0, out, 0, n);
    else if (a.length === 1 && b.length === n) row(a, 0, 0, b, 0, 1, out, 0, n);
    else {
      // Odometer over all dims but the last; one row call per output row.
      const nd = outShape.length;
      const as = broadcastStrides(aShape, outShape);
      const bs = broadcastStrides(bShape, outShape);
      const last = outShape[nd - 1];
      const counter = new Array<number>(nd).fill(0);
      let ia = 0;
      let ib = 0;
      for (let o = 0; o < n; o += last) {
        row(a, ia, as[nd - 1], b, ib, bs[nd - 1], out, o, last);
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

// prettier-ignore
export const add = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] + b[ib + j * sb]; });
// prettier-ignore
export const sub = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] - b[ib + j * sb]; });
// prettier-ignore
export const mul = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] * b[ib + j * sb]; });
// prettier-ignore
export const div = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] / b[ib + j * sb]; });
// prettier-ignore
export const pow = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = Math.pow(a[ia + j * sa], b[ib + j * sb]); });
/** Math.max/min propagate NaN, as torch.maximum/minimum do. */
// prettier-ignore
export const maximum = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = Math.max(a[ia + j * sa], b[ib + j * sb]); });
// prettier-ignore
export const minimum = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = Math.min(a[ia + j * sa], b[ib + j * sb]); });
// prettier-ignore
export const equal = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] === b[ib + j * sb] ? 1 : 0; });
// prettier-ignore
export const greater = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] > b[ib + j * sb] ? 1 : 0; });
// prettier-ignore
export const greaterEqual = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] >= b[ib + j * sb] ? 1 : 0; });
// prettier-ignore
export const less = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] < b[ib + j * sb] ? 1 : 0; });
// prettier-ignore
export const lessEqual = binaryKernel((a, ia, sa, b, ib, sb, out, o, n) => { for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] <= b[ib + j * sb] ? 1 : 0; });

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

/** A zeroed output of x's float type and length. */
function like(x: FloatArray): FloatArray {
  return allocateFloat(dtypeOf(x), x.length);
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

// Each kernel is its own loop (not a shared map over a scalar function) so V8 inlines the math; see BinaryRow.
// prettier-ignore
export const neg: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = -x[i]; return y; };
// prettier-ignore
export const exp: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]); return y; };
// prettier-ignore
export const log: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]); return y; };
// prettier-ignore
export const sqrt: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]); return y; };
// prettier-ignore
export const abs: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]); return y; };
/** sign(0) = 0, sign(NaN) = NaN. */
// prettier-ignore
export const sign: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.sign(x[i]); return y; };
// prettier-ignore
export const powScalar: UnaryKernel = (x, { exponent = 1 } = {}) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.pow(x[i], exponent); return y; };

/** Lower bound first, then upper, as torch does (so min > max gives max everywhere); NaN stays NaN. */
export const clamp: UnaryKernel = (x, { min = -Infinity, max = Infinity } = {}) => {
  const y = like(x);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] < min ? min : x[i];
    y[i] = v > max ? max : v;
  }
  return y;
};
/** The gradient passes where min <= x <= max (boundaries included, as torch). */
// prettier-ignore
export const clampGrad: UnaryGradKernel = (x, _y, dy, { min = -Infinity, max = Infinity } = {}) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = x[i] >= min && x[i] <= max ? dy[i] : 0; return dx; };

/** `x <= 0 ? 0 : x` (not `x > 0 ? x : 0`) so that NaN propagates, as in torch. Gradient: dy where x > 0. */
// prettier-ignore
export const relu: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = x[i] <= 0 ? 0 : x[i]; return y; };
// prettier-ignore
export const reluGrad: UnaryGradKernel = (x, _y, dy) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0; return dx; };

// prettier-ignore
export const leakyRelu: UnaryKernel = (x, { slope = 0.01 } = {}) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope; return y; };
// prettier-ignore
export const leakyReluGrad: UnaryGradKernel = (x, _y, dy, { slope = 0.01 } = {}) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope; return dx; };

// prettier-ignore
export const sigmoid: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = sigmoidScalar(x[i]); return y; };
// prettier-ignore
export const sigmoidGrad: UnaryGradKernel = (x, y, dy) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]); return dx; };

// prettier-ignore
export const tanh: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]); return y; };
// prettier-ignore
export const tanhGrad: UnaryGradKernel = (x, y, dy) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]); return dx; };

/** gelu(x) = x Φ(x) = x/2 (1 + erf(x/√2));  gelu'(x) = Φ(x) + x φ(x). */
function geluScalar(x: number): number {
  return 0.5 * x * (1 + erf(x * INV_SQRT_2));
}
function geluDerivative(x: number): number {
  return 0.5 * (1 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
// prettier-ignore
export const gelu: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = geluScalar(x[i]); return y; };
// prettier-ignore
export const geluGrad: UnaryGradKernel = (x, _y, dy) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = dy[i] * geluDerivative(x[i]); return dx; };

/** gelu_tanh(x) = x/2 (1 + tanh(u)), u = √(2/π)(x + 0.044715 x³). */
function geluTanhScalar(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x)));
}
function geluTanhDerivative(x: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x * x);
}
// prettier-ignore
export const geluTanh: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = geluTanhScalar(x[i]); return y; };
// prettier-ignore
export const geluTanhGrad: UnaryGradKernel = (x, _y, dy) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = dy[i] * geluTanhDerivative(x[i]); return dx; };

/** elu(x) = x if x > 0 else α(eˣ − 1);  elu'(x) = 1 if x > 0 else α eˣ. */
// prettier-ignore
export const elu: UnaryKernel = (x, { alpha = 1 } = {}) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]); return y; };
// prettier-ignore
export const eluGrad: UnaryGradKernel = (x, _y, dy, { alpha = 1 } = {}) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * alpha * Math.exp(x[i]); return dx; };

/** silu(x) = x σ(x);  silu'(x) = σ(x)(1 + x(1 − σ(x))). */
function siluDerivative(x: number): number {
  const s = sigmoidScalar(x);
  return s * (1 + x * (1 - s));
}
// prettier-ignore
export const silu: UnaryKernel = (x) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = x[i] * sigmoidScalar(x[i]); return y; };
// prettier-ignore
export const siluGrad: UnaryGradKernel = (x, _y, dy) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = dy[i] * siluDerivative(x[i]); return dx; };

/** softplus(x) = log(1 + e^(βx))/β, and x itself once βx > threshold (torch's linear regime); ' = σ(βx) or 1. */
function softplusScalar(x: number, beta: number, threshold: number): number {
  const bx = beta * x;
  if (bx > threshold) return x;
  // log1p(e^bx) written so that large positive bx cannot overflow.
  return (Math.max(bx, 0) + Math.log1p(Math.exp(-Math.abs(bx)))) / beta;
}
// prettier-ignore
export const softplus: UnaryKernel = (x, { beta = 1, threshold = 20 } = {}) => { const y = like(x); for (let i = 0; i < x.length; i++) y[i] = softplusScalar(x[i], beta, threshold); return y; };
// prettier-ignore
export const softplusGrad: UnaryGradKernel = (x, _y, dy, { beta = 1, threshold = 20 } = {}) => { const dx = like(x); for (let i = 0; i < x.length; i++) dx[i] = beta * x[i] > threshold ? dy[i] : dy[i] * sigmoidScalar(beta * x[i]); return dx; };
