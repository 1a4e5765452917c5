/**
 * Reading the PyTorch fixtures written by gen_fixtures.py (format documented at the top of that script) and
 * comparing engine results against them with a readable diff.
 *
 * Tolerance: |got − want| ≤ rtol·|want| + atol·max(1, max|want|). rtol 1e-5 is what float32 allows for a handful
 * of roundings; the atol term, scaled by the tensor's largest magnitude, covers elements that cancel to near zero
 * (a sum of terms of size s carries an absolute error of ~1e-7·s however small the result is). Tests that need
 * looser values say why where they pass them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { tensor, type Tensor } from '../tensor';

export interface TensorJSON {
  shape: number[];
  dtype?: 'int32' | 'bool' | 'float64';
  /**
   * Numbers, except a value JSON cannot hold, which the generator writes as a string ("NaN", "Infinity",
   * "-Infinity"): read values through toTensor or valuesOf. (Typed as numbers so a fixture state dict loads as it is.)
   */
  data: number[];
}

/** A fixture tensor's values as numbers ("NaN" → NaN). */
export function valuesOf(j: TensorJSON): number[] {
  return j.data.map(Number);
}

export interface Fixture<C> {
  generator: string;
  torch: string;
  cases: C[];
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The default for float32 results: see the file comment. */
export const F32: Tolerance = { rtol: 1e-5, atol: 1e-6 };

export function fixturePath(file: string): string {
  return fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
}

export function loadFixture<C>(file: string): Fixture<C> {
  return JSON.parse(readFileSync(fixturePath(file), 'utf8')) as Fixture<C>;
}

export function isTensorJSON(v: unknown): v is TensorJSON {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
}

/** Tolerance for float64 results: libm and summation-order differences only (a few ulps, plus cancellation). */
export const F64: Tolerance = { rtol: 1e-10, atol: 1e-12 };

/**
 * An engine tensor from a fixture tensor: float32 unless the fixture says int32 or float64; bool masks become
 * float32 0/1 (the engine has no bool dtype).
 */
export function toTensor(j: TensorJSON, opts: { requiresGrad?: boolean } = {}): Tensor {
  const dtype = j.dtype === 'int32' || j.dtype === 'float64' ? j.dtype : 'float32';
  const v = valuesOf(j);
  const data = dtype === 'int32' ? Int32Array.from(v) : dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
  return tensor(data, [...j.shape], { dtype, requiresGrad: opts.requiresGrad ?? false });
}

/** Multi-index of flat position i in shape, for the diff: [1, 0, 2]. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(9));

/**
 * Throws with a readable diff unless `got` matches the fixture tensor in shape and values.
 * `got` may be an engine Tensor or plain values (then only the element count is checked against the shape).
 */
export function expectClose(
  got: Tensor | ArrayLike<number> | null | undefined,
  want: TensorJSON,
  label: string,
  tol: Tolerance = F32,
): void {
  if (got === null || got === undefined) throw new Error(`${label}: got ${got}, expected a tensor of shape [${want.shape}]`);
  let values: ArrayLike<number>;
  if ('shape' in got && 'data' in got) {
    const t = got as Tensor;
    if (t.shape.length !== want.shape.length || t.shape.some((s, i) => s !== want.shape[i])) {
      throw new Error(`${label}: shape [${t.shape.join(',')}], expected [${want.shape.join(',')}]`);
    }
    values = t.data;
  } else {
    values = got as ArrayLike<number>;
  }
  if (values.length !== want.data.length) {
    throw new Error(`${label}: ${values.length} values, expected ${want.data.length} (shape [${want.shape}])`);
  }
  const wants = valuesOf(want);
  const scale = Math.max(1, ...wants.filter(Number.isFinite).map(Math.abs));
  const bad: Array<{ i: number; got: number; want: number; err: number }> = [];
  let maxAbs = 0;
  let maxRel = 0;
  let nans = 0;
  for (let i = 0; i < want.data.length; i++) {
    const g = values[i];
    const w = wants[i];
    if (!Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) bad.push({ i, got: g, want: w, err: Infinity });
      continue; // NaN and ±Infinity must be exactly that, as torch gives them
    }
    const err = Math.abs(g - w);
    if (!(err <= tol.rtol * Math.abs(w) + tol.atol * scale)) bad.push({ i, got: g, want: w, err: Number.isNaN(err) ? Infinity : err });
    if (Number.isNaN(err)) {
      nans++;
      continue;
    }
    maxAbs = Math.max(maxAbs, err);
    if (w !== 0) maxRel = Math.max(maxRel, err / Math.abs(w));
  }
  if (bad.length === 0) return;
  bad.sort((a, b) => b.err - a.err);
  const lines = bad
    .slice(0, 6)
    .map((b) => {
      const diff = Number.isFinite(b.err) ? ` (|diff| ${b.err.toExponential(2)})` : '';
      return `  at [${unravel(b.i, want.shape).join(',')}]: got ${fmt(b.got)}, expected ${fmt(b.want)}${diff}`;
    });
  throw new Error(
    `${label}: ${bad.length} of ${want.data.length} values differ (rtol ${tol.rtol}, atol ${tol.atol}; ` +
      `max |diff| ${maxAbs.toExponential(2)}, max rel ${maxRel.toExponential(2)}${nans ? `, ${nans} NaN` : ''}), ` +
      `shape [${want.shape}]\n${lines.join('\n')}` +
      (bad.length > 6 ? `\n  ... and ${bad.length - 6} more` : ''),
  );
}

/** Scalar comparison with the same rule as expectClose. */
export function expectCloseNumber(got: number, want: number, label: string, tol: Tolerance = F32): void {
  const err = Math.abs(got - want);
  if (!(err <= tol.rtol * Math.abs(want) + tol.atol * Math.max(1, Math.abs(want)))) {
    throw new Error(`${label}: got ${fmt(got)}, expected ${fmt(want)} (|diff| ${err.toExponential(2)})`);
  }
}

/** A case of schedulers.json (gen_fixtures.py): torch's lr (and momentum) per epoch for one scheduler's kwargs. */
export interface SchedulerCase {
  name: string;
  scheduler: string;
  kwargs: Record<string, unknown>;
  lr: number;
  epochs: number;
  /** ReduceLROnPlateau's metric per epoch. */
  metrics?: number[];
  /** Fractional epochs to step to (CosineAnnealingWarmRestarts stepped per batch). */
  stepArgs?: number[];
  lrs: number[];
  momenta?: number[];
}

/** A fixture tensor as the nn and upsampling generators write it: its shape and plain numbers. */
export interface FlatTensor {
  shape: number[];
  data: number[];
}

/** Fails unless `actual` has `expected`'s shape and every value within `tol` of it, relative to 1 + |want|. */
export function expectCloseToFlat(actual: Tensor | null, expected: FlatTensor, what: string, tol: number): void {
  expect(actual, what).not.toBeNull();
  expect([...actual!.shape], `${what} shape`).toEqual(expected.shape);
  const a = actual!.data;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - expected.data[i]) / (1 + Math.abs(expected.data[i])));
  expect(worst, `${what}: max relative error`).toBeLessThan(tol);
}
