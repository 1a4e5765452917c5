/**
 * Central-difference gradient check in float64, the engine's test oracle for every backward closure.
 *
 *   gradcheck((a, b) => a.mul(b).sum(1), [randn64([2, 3]), randn64([3])]);   // throws on a mismatch
 *
 * It checks a vector-Jacobian product: with a fixed random cotangent v (shaped like the output),
 *   analytic:  backward(v) gives vᵀ·J for every input that requires grad;
 *   numeric:   for each input element x_i, (L(x_i + ε) − L(x_i − ε)) / 2ε with L = Σ v ⊙ fn(inputs).
 * Element i passes when |analytic − numeric| ≤ atol + rtol·|numeric|. A random v (not all ones) catches
 * gradients that are right only in sum.
 */
import { noGrad } from '../autograd';
import { Random } from '../random';
import { Tensor } from '../tensor';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random cotangent (default 0). */
  seed?: number;
}

/** A float64 tensor of standard normals that requires grad: the usual gradcheck input. */
export function randn64(shape: readonly number[], seed = 1): Tensor {
  const rng = new Random(seed);
  const data = new Float64Array(shape.reduce((n, d) => n * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return new Tensor(data, shape, true);
}

/** A float64 tensor (requiring grad) from flat values. */
export function t64(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  return new Tensor(Float64Array.from(values), shape, true);
}

function weightedSum(out: Tensor, v: Float64Array): number {
  let s = 0;
  const d = out.data;
  for (let i = 0; i < d.length; i++) s += d[i] * v[i];
  return s;
}

/** Throws an Error describing the first mismatching element; returns true when every gradient matches. */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = opts;
  let checked = inputs.filter((x) => x.requiresGrad);
  if (checked.length === 0) {
    checked = inputs.filter((x) => x.dtype !== 'int32');
    checked.forEach((x) => x.requiresGrad_(true));
  }
  for (const x of checked) {
    if (x.dtype !== 'float64') throw new Error(`gradcheck: inputs must be float64, got ${x.dtype}`);
    x.grad = null;
  }

  const out = fn(...inputs);
  if (out.dtype !== 'float64') throw new Error(`gradcheck: fn must return float64, got ${out.dtype}`);
  const rng = new Random(seed);
  const v = new Float64Array(out.size);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1);
  if (out.size > 0) out.backward(new Tensor(v, out.shape));

  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (!checked.includes(x)) continue;
    const data = x.data as Float64Array;
    const analytic = x.grad ? (x.grad.data as Float64Array) : new Float64Array(x.size);
    for (let i = 0; i < data.length; i++) {
      const original = data[i];
      data[i] = original + eps;
      const plus = noGrad(() => weightedSum(fn(...inputs), v));
      data[i] = original - eps;
      const minus = noGrad(() => weightedSum(fn(...inputs), v));
      data[i] = original;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i];
      const bothNaN = Number.isNaN(a) && Number.isNaN(numeric);
      if (!bothNaN && !(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(
          `gradcheck: input ${k} (shape [${x.shape.join(',')}]) element ${i}: analytic ${a} vs numeric ${numeric}`,
        );
      }
    }
  }
  return true;
}
