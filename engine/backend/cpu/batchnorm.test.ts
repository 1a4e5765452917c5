import { describe, expect, it } from 'vitest';
import { Random } from '../../random';
import { dot, expectClose, numericGrad } from '../../test/array-checks';
import { batchNormBackward, batchNormForward, batchNormUpdateRunningStats } from './batchnorm';

const round = (a: ArrayLike<number>, digits = 5) => Array.from(a, (v) => Math.round(v * 10 ** digits) / 10 ** digits);


describe('batchNormForward', () => {
  it('normalises each channel of an [N, C] batch with the biased variance, then scales and shifts', () => {
    // channel 0: 1, 3 (mean 2, var 1); channel 1: 2, 6 (mean 4, var 4). eps = 0 for round numbers.
    const x = Float64Array.of(1, 2, 3, 6);
    const { y, mean, variance } = batchNormForward(x, [2, 2], null, null, Float64Array.of(2, 1), Float64Array.of(0, 10), true, 0);
    expect(Array.from(y)).toEqual([-2, 9, 2, 11]);
    expect(Array.from(mean)).toEqual([2, 4]);
    expect(Array.from(variance!)).toEqual([1, 4]);
  });

  it('updates running stats with momentum and the UNBIASED variance (torch)', () => {
    const runningMean = Float64Array.of(0, 0), runningVar = Float64Array.of(1, 1);
    const { mean, variance } = batchNormForward(Float64Array.of(1, 2, 3, 6), [2, 2], runningMean, runningVar, null, null, true, 1e-5);
    batchNormUpdateRunningStats(runningMean, runningVar, mean, variance!, 2, 0.1);
    // torch: running_mean = 0.1*[2,4]; running_var = 0.9 + 0.1*[2, 8] (unbiased: M/(M-1) = 2)
    expect(round(runningMean)).toEqual([0.2, 0.4]);
    expect(round(runningVar)).toEqual([1.1, 1.7]);
  });

  it('pools N, H and W for 4-D input', () => {
    // [N=2, C=1, 1, 2]: values 0, 2, 4, 6 -> mean 3, var 5.
    const { y, mean, variance } = batchNormForward(Float64Array.of(0, 2, 4, 6), [2, 1, 1, 2], null, null, null, null, true, 0);
    expect(Array.from(mean)).toEqual([3]);
    expect(Array.from(variance!)).toEqual([5]);
    expect(round(y)).toEqual(round([-3, -1, 1, 3].map((v) => v / Math.sqrt(5))));
  });

  it('uses the running stats in eval, even for a batch of 1', () => {
    const { y, variance } = batchNormForward(
      Float32Array.of(5, 1), [1, 2, 1, 1], Float32Array.of(1, 1), Float32Array.of(4, 0), Float32Array.of(1, 3), null, false, 0,
    );
    expect(y).toBeInstanceOf(Float32Array);
    expect(variance).toBeNull();
    expect(Array.from(y)).toEqual([2, NaN]); // channel 1 has var 0, eps 0: (1-1)/0 -> NaN, as torch
    const withEps = batchNormForward(Float32Array.of(3), [1, 1], Float32Array.of(1), Float32Array.of(3), null, null, false, 1);
    expect(Array.from(withEps.y)).toEqual([1]);
  });

  it('refuses to train on one value per channel and checks parameter sizes', () => {
    expect(() => batchNormForward(Float64Array.of(1, 2), [1, 2], null, null, null, null, true, 1e-5)).toThrow(/more than 1 value per channel.*\[1,2\]/);
    expect(() => batchNormForward(Float64Array.of(1, 2), [1, 2], null, null, Float64Array.of(1), null, false, 1e-5)).toThrow(/weight has 1 elements/);
    expect(() => batchNormForward(Float64Array.of(1, 2), [1, 2], null, null, null, null, false, 1e-5)).toThrow(/eval mode needs/);
    expect(() => batchNormForward(Float64Array.of(1), [1], null, null, null, null, true, 1e-5)).toThrow(/\[N, C, \.\.\.\]/);
  });
});

describe('batchNormBackward', () => {
  it('gives zero input gradient for a constant upstream gradient in training (mean subtraction)', () => {
    const x = Float64Array.of(1, 2, 3, 6, 0, -1);
    const fwd = batchNormForward(x, [3, 2], null, null, null, null, true, 1e-5);
    const { dx, dweight, dbias } = batchNormBackward(new Float64Array(6).fill(1), x, [3, 2], fwd.mean, fwd.invstd, null, true);
    for (const v of dx!) expect(Math.abs(v)).toBeLessThan(1e-12);
    for (const v of dweight!) expect(Math.abs(v)).toBeLessThan(1e-12);
    expect(Array.from(dbias!)).toEqual([3, 3]);
  });

  const cases: [string, number[], boolean, boolean][] = [
    ['training [N, C]', [4, 3], true, true],
    ['training [N, C, H, W]', [3, 2, 2, 3], true, true],
    ['training [N, C, L] without affine', [2, 3, 4], true, false],
    ['eval [N, C, H, W]', [2, 2, 3, 2], false, true],
    ['eval batch of 1', [1, 3, 2, 2], false, true],
  ];
  for (const [name, shape, training, affine] of cases) {
    it(`agrees with central differences: ${name}`, () => {
      const rng = new Random(21);
      const channels = shape[1];
      const size = shape.reduce((p, d) => p * d, 1);
      const x = Float64Array.from({ length: size }, () => rng.normal());
      const weight = affine ? Float64Array.from({ length: channels }, () => rng.uniform(0.5, 1.5)) : null;
      const bias = affine ? Float64Array.from({ length: channels }, () => rng.normal()) : null;
      const runningMean = Float64Array.from({ length: channels }, () => rng.normal());
      const runningVar = Float64Array.from({ length: channels }, () => rng.uniform(0.5, 2));
      const probe = Float64Array.from({ length: size }, () => rng.normal());
      const loss = () => dot(batchNormForward(x, shape, runningMean, runningVar, weight, bias, training, 1e-5).y, probe);
      const fwd = batchNormForward(x, shape, runningMean, runningVar, weight, bias, training, 1e-5);
      const grads = batchNormBackward(probe, x, shape, fwd.mean, fwd.invstd, weight, training);
      expectClose(grads.dx, numericGrad(x, loss));
      if (weight !== null && bias !== null) {
        expectClose(grads.dweight, numericGrad(weight, loss));
        expectClose(grads.dbias, numericGrad(bias, loss));
      }
    });
  }
});
