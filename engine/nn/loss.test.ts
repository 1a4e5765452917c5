/**
 * The fused class losses (backend/cpu/loss.ts) against the composed forms they replace: crossEntropy against
 * nllLoss(logSoftmax(x)), nllLoss against its gather-scale-reduce form,
 * on the cases the fused path takes: every reduction, ignored targets, an unbatched input, spatial (N, C, d) inputs,
 * float32 and float64. The PyTorch fixtures (engine/test) check both forms against torch itself.
 */
import { describe, expect, it } from 'vitest';
import { crossEntropy, klDiv, KLDivLoss, mseLoss, multiMarginLoss, MultiMarginLoss, nllLoss } from './index';
import { gradcheck, randn64, t64 } from '../test/gradcheck';
import { logSoftmax } from '../ops/index';
import { Random } from '../random';
import { Tensor, tensor } from '../tensor';
import type { Reduction } from './loss';

const rng = new Random(17);

function logits(shape: number[], float64 = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => rng.normal() * 3);
  return new Tensor(float64 ? Float64Array.from(values) : Float32Array.from(values), shape, true);
}

type LossOf = (x: Tensor, t: Tensor, reduction: Reduction) => Tensor;

/** A fused loss and its composed form on the same input (ignoreIndex 3), and their gradients for one upstream. */
function compare(fusedLoss: LossOf, composedLoss: LossOf, shape: number[], targets: number[], targetShape: number[], reduction: Reduction, float64 = false) {
  const x1 = logits(shape, float64);
  const x2 = new Tensor(x1.data.slice(), shape, true);
  const t = new Tensor(Int32Array.from(targets), targetShape);
  const fused = fusedLoss(x1, t, reduction);
  const composed = composedLoss(x2, t, reduction);
  const shares = Array.from({ length: fused.size }, (_, i) => 0.5 + i);
  const upstream = new Tensor(float64 ? Float64Array.from(shares) : Float32Array.from(shares), fused.shape);
  fused.backward(upstream);
  composed.backward(upstream);
  return { fused, composed, gradFused: x1.grad!.data, gradComposed: x2.grad!.data };
}

const both = (shape: number[], targets: number[], targetShape: number[], reduction: Reduction, float64 = false) =>
  compare(
    (x, t, r) => crossEntropy(x, t, { reduction: r, ignoreIndex: 3 }),
    (x, t, r) => nllLoss(logSoftmax(x, shape.length === 1 ? 0 : 1), t, { reduction: r, ignoreIndex: 3 }),
    shape, targets, targetShape, reduction, float64,
  );

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b[i])));
}

describe('crossEntropy (fused) equals logSoftmax + nllLoss', () => {
  it.each(['mean', 'sum', 'none'] as const)('batch of rows, reduction %s, with an ignored target', (reduction) => {
    const r = both([6, 5], [0, 4, 3, 1, 2, 3], [6], reduction);
    expect(r.fused.gradFn?.name).toBe('crossEntropy');
    expect(r.fused.shape).toEqual(r.composed.shape);
    expectClose(r.fused.data, r.composed.data, 2e-6);
    expectClose(r.gradFused, r.gradComposed, 2e-6);
    expect(Array.from(r.gradFused.slice(10, 15))).toEqual([0, 0, 0, 0, 0]); // the ignored row
  });

  it('spatial input (N, C, d) and an unbatched (C) input', () => {
    for (const [shape, targets, targetShape] of [[[2, 4, 3], [0, 1, 2, 3, 1, 0], [2, 3]], [[5], [2], []]] as const) {
      const r = both([...shape], [...targets], [...targetShape], 'mean');
      expectClose(r.fused.data, r.composed.data, 2e-6);
      expectClose(r.gradFused, r.gradComposed, 2e-6);
    }
  });

  it('float64 to float64 precision', () => {
    const r = both([4, 7], [6, 0, 2, 5], [4], 'mean', true);
    expect(r.fused.dtype).toBe('float64');
    expectClose(r.fused.data, r.composed.data, 1e-12);
    expectClose(r.gradFused, r.gradComposed, 1e-12);
  });

  it('every target ignored: mean is NaN but the gradient 0, as in torch (the composed form handles it)', () => {
    for (const options of [{ ignoreIndex: 3 }, { ignoreIndex: 3, labelSmoothing: 0.1, weight: tensor([1, 2, 0.5, 1]) }]) {
      const x = logits([2, 4]).requiresGrad_();
      const loss = crossEntropy(x, new Tensor(Int32Array.from([3, 3]), [2]), options);
      expect(loss.item()).toBeNaN();
      expect(loss.gradFn?.name).not.toBe('crossEntropy');
      loss.backward();
      expect(Array.from(x.grad!.data)).toEqual(new Array(8).fill(0));
    }
  });

  it('keeps the target checks: out-of-range class, wrong shape', () => {
    const x = logits([2, 4]);
    expect(() => crossEntropy(x, new Tensor(Int32Array.from([0, 4]), [2]))).toThrow(/target 4 out of range for 4 classes at index 1/);
    expect(() => crossEntropy(x, new Tensor(Int32Array.from([0, 1, 2]), [3]))).toThrow(/target shape \[3\] does not match input shape \[2,4\]/);
  });
});

/** nllLoss fused, and composed (class weights of ones take the composed path, with the same values). */
function nllBoth(shape: number[], targets: number[], targetShape: number[], reduction: Reduction, float64 = false) {
  const classes = shape.length === 1 ? shape[0] : shape[1];
  const ones = new Tensor(float64 ? new Float64Array(classes).fill(1) : new Float32Array(classes).fill(1), [classes]);
  return compare(
    (x, t, r) => nllLoss(x, t, { reduction: r, ignoreIndex: 3 }),
    (x, t, r) => nllLoss(x, t, { reduction: r, ignoreIndex: 3, weight: ones }),
    shape, targets, targetShape, reduction, float64,
  );
}

describe('nllLoss (fused) equals its composed form (gather, scale, reduce)', () => {
  it.each(['mean', 'sum', 'none'] as const)('batch of rows, reduction %s, with an ignored target', (reduction) => {
    const r = nllBoth([6, 5], [0, 4, 3, 1, 2, 3], [6], reduction);
    expect(r.fused.gradFn?.name).toBe('nllLoss');
    expect(r.composed.gradFn?.name).not.toBe('nllLoss');
    expect(r.fused.shape).toEqual(r.composed.shape);
    expectClose(r.fused.data, r.composed.data, 2e-6);
    expectClose(r.gradFused, r.gradComposed, 2e-6);
    expect(Array.from(r.gradFused.slice(10, 15))).toEqual([0, 0, 0, 0, 0]); // the ignored row
  });

  it('spatial (N, C, d), unbatched (C) and float64 inputs', () => {
    for (const [shape, targets, targetShape] of [[[2, 4, 3], [0, 1, 2, 3, 1, 0], [2, 3]], [[5], [2], []]] as const) {
      const r = nllBoth([...shape], [...targets], [...targetShape], 'mean');
      expectClose(r.fused.data, r.composed.data, 2e-6);
      expectClose(r.gradFused, r.gradComposed, 2e-6);
    }
    const r = nllBoth([4, 7], [6, 0, 2, 5], [4], 'sum', true);
    expect(r.fused.dtype).toBe('float64');
    expectClose(r.fused.data, r.composed.data, 1e-12);
    expectClose(r.gradFused, r.gradComposed, 1e-12);
  });

  it('every target ignored: mean is NaN, as in torch; the target checks stay', () => {
    const x = logits([2, 4]);
    expect(nllLoss(x, new Tensor(Int32Array.from([3, 3]), [2]), { ignoreIndex: 3 }).item()).toBeNaN();
    expect(() => nllLoss(x, new Tensor(Int32Array.from([0, 4]), [2]))).toThrow(/NLLLoss: target 4 out of range for 4 classes at index 1/);
  });
});

describe('KLDivLoss and MultiMarginLoss (#18): float64 gradient checks, every reduction', () => {
  const labels = new Tensor(Int32Array.from([2, 0, 3]), [3]);
  const target = new Tensor(Float64Array.from([0.1, 0.2, 0.3, 0.4, 0, 1, 0, 0, 0.25, 0.25, 0.25, 0.25]), [3, 4]);
  it.each(['mean', 'sum', 'none', 'batchmean'] as const)('klDiv, reduction %s, probabilities and log targets', (reduction) => {
    expect(gradcheck((x) => klDiv(x, target, { reduction }), [randn64([3, 4])])).toBe(true);
    const logTarget = new Tensor(Float64Array.from(target.data, (v) => Math.log(v + 0.05)), [3, 4]);
    expect(gradcheck((x) => klDiv(x, logTarget, { reduction, logTarget: true }), [randn64([3, 4], 2)])).toBe(true);
  });
  it.each(['mean', 'sum', 'none'] as const)('multiMarginLoss, reduction %s, p 1 and 2, with class weights', (reduction) => {
    // Scores spread by 0.37 per step keep every hinge away from its kink, where no derivative exists.
    const x = t64(Array.from({ length: 12 }, (_, i) => ((i * 7) % 12) * 0.37 - 2), [3, 4]);
    const weight = new Tensor(Float64Array.from([1, 2, 0.5, 1.5]), [4]);
    for (const p of [1, 2]) {
      expect(gradcheck((s) => multiMarginLoss(s, labels, { p, reduction, margin: 1.1 }), [x])).toBe(true);
      expect(gradcheck((s) => multiMarginLoss(s, labels, { p, reduction, weight }), [x])).toBe(true);
    }
  });
  it('refuses what torch refuses, by name', () => {
    const x = randn64([3, 4]);
    expect(() => multiMarginLoss(x, labels, { p: 3 })).toThrow('MultiMarginLoss: p must be 1 or 2 (as in torch), got 3');
    expect(() => multiMarginLoss(x, target, {})).toThrow('MultiMarginLoss: target must be int32 class indices, got float64');
    expect(() => multiMarginLoss(x, new Tensor(Int32Array.from([0, 4, 1]), [3]))).toThrow('MultiMarginLoss: target 4 out of range for 4 classes at index 1');
    expect(() => multiMarginLoss(x, labels, { weight: new Tensor(Float64Array.from([1, 2]), [2]) })).toThrow('weight must have shape [4]');
    expect(() => new MultiMarginLoss({ sizeAverage: true } as never)).toThrow("MultiMarginLoss: unknown option 'sizeAverage'");
    expect(() => klDiv(x, target, { reduction: 'batchsum' as never })).toThrow("KLDivLoss: invalid reduction 'batchsum'");
    expect(() => mseLoss(x, target, { reduction: 'batchmean' as never })).toThrow("MSELoss: invalid reduction 'batchmean'");
    expect(() => new KLDivLoss({ logTarget: true, reduce: false } as never)).toThrow("KLDivLoss: unknown option 'reduce'");
  });
});
