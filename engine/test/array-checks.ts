/**
 * Small helpers shared by the kernel tests, which work on raw float64 arrays rather than Tensors: a central
 * difference over one input array, and element-wise closeness with a readable failure.
 */
import { expect } from 'vitest';

/** Central-difference d(loss)/da for every element of `a` (float64), restoring `a` as it goes. */
export function numericGrad(a: Float64Array, loss: () => number, h = 1e-6): Float64Array {
  const grad = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const keep = a[i];
    a[i] = keep + h;
    const up = loss();
    a[i] = keep - h;
    const down = loss();
    a[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** Σ a·b: turns a kernel's output into a scalar loss with a fixed probe, for gradient checks. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function expectClose(actual: ArrayLike<number> | null, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual).not.toBeNull();
  expect(actual!.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual![i] - expected[i])).toBeLessThan(tol);
}

export const arange = (n: number, start = 1) => Float64Array.from({ length: n }, (_, i) => i + start);
export const ones = (n: number) => new Float64Array(n).fill(1);
