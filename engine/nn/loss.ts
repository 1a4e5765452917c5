/**
 * Loss functions (torch.nn.functional.* and the torch.nn.*Loss modules), composed from ops so autograd gives
 * their gradients. Functional names follow torch in camelCase: crossEntropy, nllLoss, mseLoss, l1Loss,
 * smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits.
 *
 * Every loss takes `reduction`: 'mean' (default, a scalar), 'sum' (a scalar) or 'none' (one value per element,
 * or per sample for the class losses). Targets are checked up front, with errors that say what is wrong where.
 */
import { Tensor } from '../tensor';
import { noGrad, recordOp } from '../autograd';
import {
  abs, add, clamp, exp, fullLike, gather, log, logSoftmax, mul, neg, permute, reshape, sub, sum, mean, div,
} from '../ops/index';
import { checkOptions } from '../options';
import { Module } from './module';
import { allocateFloat } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { kernelArg, kernelInput } from '../ops/util';

export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(name: string, reduction: string): void {
  if (reduction === 'batchmean' && name === 'KLDivLoss') return; // KLDivLoss's own: the sum over the batch size
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${name}: invalid reduction '${reduction}', expected 'mean', 'sum' or 'none'`);
  }
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
}

/** A constant (no grad) in `like`'s float dtype, so float64 gradient checks stay float64. */
function constant(values: ArrayLike<number>, shape: readonly number[], like: Tensor): Tensor {
  const data = like.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor(data, shape);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkSameShape(name: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${name}: target shape [${target.shape}] does not match input shape [${input.shape}]`);
  }
  if (target.dtype === 'int32') throw new Error(`${name}: target must be a float tensor, got int32`);
}

/** Every loss's options, under its torch name: the function and the module both refuse any other, by name. */
const LOSS_OPTIONS = {
  CrossEntropyLoss: ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'],
  NLLLoss: ['weight', 'ignoreIndex', 'reduction'],
  MSELoss: ['reduction'],
  L1Loss: ['reduction'],
  SmoothL1Loss: ['reduction', 'beta'],
  HuberLoss: ['reduction', 'delta'],
  BCELoss: ['weight', 'reduction'],
  BCEWithLogitsLoss: ['weight', 'posWeight', 'reduction'],
  KLDivLoss: ['reduction', 'logTarget'],
  MultiMarginLoss: ['p', 'margin', 'weight', 'reduction'],
} as const;

// ---- class losses: cross entropy and NLL ----

export interface NLLLossOptions {
  /** A weight per class, shape (C): rescales each class's loss; 'mean' divides by the total weight. */
  weight?: Tensor | null;
  /** Targets equal to this are skipped (no loss, no gradient, not counted by 'mean'). Default −100. */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mixes the one-hot target with the uniform distribution: (1 − ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
}

/**
 * Input (N, C, d1, ...) → rows (M, C) with the class dim last, and targets checked and flattened to (M).
 * Accepts (C) with a 0-d target too. Returns what the class losses need.
 */
function classRows(name: string, input: Tensor, target: Tensor, ignoreIndex: number) {
  if (target.dtype !== 'int32') {
    throw new Error(`${name}: target must be int32 class indices (or float probabilities of the input's shape), got ${target.dtype}`);
  }
  if (input.ndim === 0) throw new Error(`${name}: input must have a class dimension, got a scalar`);
  const unbatched = input.ndim === 1;
  const classes = unbatched ? input.shape[0] : input.shape[1];
  const expected = unbatched ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new Error(
      `${name}: target shape [${target.shape}] does not match input shape [${input.shape}]; expected target [${expected}] of class indices`,
    );
  }
  const t = target.data;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === ignoreIndex) continue;
    if (!(t[i] >= 0 && t[i] < classes)) {
      throw new Error(`${name}: target ${t[i]} out of range for ${classes} classes at index ${i}`);
    }
  }
  let rows: Tensor;
  if (unbatched) rows = reshape(input, [1, classes]);
  else if (input.ndim === 2) rows = input;
  else {
    const dims = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
    rows = reshape(permute(input, dims), [-1, classes]);
  }
  return { rows, classes, targets: t, outShape: target.shape };
}

/** Per-row weights w[t_i] (0 for ignored rows) and the gather index (ignored rows point at class 0). */
function rowWeights(targets: ArrayLike<number>, weight: Tensor | null, ignoreIndex: number) {
  const m = targets.length;
  const w = new Float64Array(m);
  const index = new Int32Array(m);
  const cw = weight?.data;
  for (let i = 0; i < m; i++) {
    if (targets[i] === ignoreIndex) continue;
    index[i] = targets[i];
    w[i] = cw ? cw[targets[i]] : 1;
  }
  return { w, index: new Tensor(index, [m, 1]) };
}

function checkWeight(name: string, weight: Tensor | null, classes: number): void {
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new Error(`${name}: weight must have shape [${classes}] (one per class), got [${weight.shape}]`);
  }
}

/**
 * The shared core of nllLoss and crossEntropy on log-probabilities `logp`:
 *   loss_i = −w[t_i]·((1 − ε)·logp[i, t_i] + ε/C·Σ_c w_c·logp[i, c] / w[t_i])
 * 'mean' divides the sum by Σ_i w[t_i] over non-ignored rows, as torch does.
 */
function classLoss(name: string, logp: Tensor, target: Tensor, o: CrossEntropyLossOptions): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = o;
  checkReduction(name, reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`${name}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  }
  const { rows, classes, targets, outShape } = classRows(name, logp, target, ignoreIndex);
  checkWeight(name, weight, classes);
  const m = targets.length;
  const { w, index } = rowWeights(targets, weight, ignoreIndex);
  const picked = reshape(gather(rows, 1, index), [m]); // logp[i, t_i]
  let loss = mul(picked, constant(w.map((v) => -v), [m], rows));
  if (labelSmoothing > 0) {
    const classWeights = weight ? reshape(weight, [1, classes]) : null;
    const all = sum(classWeights ? mul(rows, classWeights) : rows, 1); // Σ_c w_c·logp[i, c]
    const keep = Float64Array.from(targets, (t) => (t === ignoreIndex ? 0 : -labelSmoothing / classes));
    loss = add(mul(loss, 1 - labelSmoothing), mul(all, constant(keep, [m], rows)));
  }
  if (reduction === 'none') return reshape(loss, outShape);
  if (reduction === 'sum') return sum(loss);
  const total = w.reduce((a, b) => a + b, 0);
  if (total === 0) {
    // Every target ignored: torch's 'mean' is 0/0 = NaN, but its gradient is 0 (each row's −w/total is never
    // formed); dividing here would send NaN back instead.
    const empty = sum(loss);
    return recordOp(fullLike(empty, NaN), 'mean', [loss], () => [fullLike(loss, 0)]);
  }
  return div(sum(loss), total);
}

/** Cross entropy against class probabilities (a float target shaped like the input). */
function softTargetLoss(name: string, input: Tensor, target: Tensor, o: CrossEntropyLossOptions): Tensor {
  const { weight = null, reduction = 'mean', labelSmoothing = 0 } = o;
  checkReduction(name, reduction);
  checkSameShape(name, input, target);
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  checkWeight(name, weight, classes);
  let y = target;
  if (labelSmoothing > 0) y = add(mul(target, 1 - labelSmoothing), labelSmoothing / classes);
  let terms = mul(logSoftmax(input, classDim), y);
  if (weight) {
    const wShape = input.shape.map((d, i) => (i === classDim ? d : 1));
    terms = mul(terms, reshape(weight, wShape));
  }
  return reduce(neg(sum(terms, classDim)), reduction); // one value per sample (and position)
}

/**
 * Cross entropy between logits and targets (torch.nn.functional.cross_entropy): logSoftmax + nllLoss.
 *
 * Shape:
 * - input: (N, C) logits (not probabilities), or (C), or (N, C, d1, ...).
 * - target: (N) int32 class indices in [0, C) (or ignoreIndex), or (), or (N, d1, ...);
 *   or float class probabilities with the input's shape.
 * - output: a scalar, or (N) / (N, d1, ...) with reduction 'none'.
 *
 * @example crossEntropy(logits, labels)  // logits (64, 10), labels int32 (64)
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyLossOptions = {}): Tensor {
  const name = 'CrossEntropyLoss';
  checkOptions(name, options, LOSS_OPTIONS[name]);
  if (target.dtype !== 'int32' && target.ndim === input.ndim) return softTargetLoss(name, input, target, options);
  const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = options;
  if (weight === null && labelSmoothing === 0 && input.ndim > 0) {
    checkReduction(name, reduction);
    const { rows, classes, targets, outShape } = classRows(name, input, target, ignoreIndex);
    const fused = fusedClassLoss('ce', rows, classes, targets as Int32Array, ignoreIndex, reduction, outShape);
    if (fused) return fused;
  }
  return classLoss(name, logSoftmax(input, input.ndim === 1 ? 0 : 1), target, options);
}

/**
 * The common case (class indices, no class weights, no smoothing) as one fused op (backend/cpu/loss.ts), for
 * crossEntropy on logits ('ce': the same values as logSoftmax + nllLoss) and nllLoss on log-probabilities ('nll'):
 * one pass forward and one back instead of a gather, a scale, a reduction and their backward. Null when every
 * target is ignored: 'mean' is then 0/0, which the composed form reproduces as torch does.
 */
function fusedClassLoss(
  kind: 'ce' | 'nll', rows: Tensor, classes: number, targets: Int32Array, ignoreIndex: number, reduction: Reduction,
  outShape: readonly number[],
): Tensor | null {
  let count = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== ignoreIndex) count++;
  if (count === 0) return null;
  // The input stays where it is (a device backend keeps it on its device), and so do the per-row losses and their
  // sum: a training step on a GPU then reads nothing before its loss.
  let losses: ArrayLike<number>;
  let logSumExp: Tensor | null = null;
  if (kind === 'ce') {
    const fused = getKernel(K.CrossEntropy)(kernelInput(K.CrossEntropy, rows), classes, targets, ignoreIndex);
    losses = fused.losses;
    logSumExp = new Tensor(fused.lse, [targets.length]);
  } else {
    losses = getKernel(K.NllLoss)(kernelInput(K.NllLoss, rows), classes, targets, ignoreIndex);
  }
  const dtype = rows.dtype === 'float64' ? 'float64' : 'float32';
  let out: Tensor;
  if (reduction !== 'none' && ArrayBuffer.isView(losses)) {
    // Per-row losses on the CPU (the CPU and wasm backends): summed here as the Sum kernel sums them (in f64, in
    // order, rounded to the dtype) and divided as Div divides, without two kernel calls and four tensors a step.
    const value = allocateFloat(dtype, 1);
    let total = 0;
    for (let i = 0; i < losses.length; i++) total += losses[i];
    value[0] = total;
    if (reduction === 'mean') value[0] /= count;
    out = new Tensor(value, []);
  } else {
    const perRow = new Tensor(losses as Float64Array, [targets.length]);
    if (reduction === 'none') out = constant(perRow.data, outShape, rows);
    else {
      const total = new Tensor(getKernel(K.Sum)(kernelArg(K.Sum, perRow), perRow.shape, [0], dtype), []);
      out = reduction === 'mean' ? noGrad(() => div(total, count)) : total;
    }
  }
  return recordOp(out, kind === 'ce' ? 'crossEntropy' : 'nllLoss', [rows], (g) => {
    const gd = g.data;
    const share = reduction === 'mean' ? gd[0] / count : gd[0];
    const scale = reduction === 'none' ? Float64Array.from(gd) : new Float64Array(targets.length).fill(share);
    const dx = logSumExp
      ? getKernel(K.CrossEntropyBackward)(
        kernelInput(K.CrossEntropyBackward, rows), classes, targets, ignoreIndex, kernelInput(K.CrossEntropyBackward, logSumExp) as Float64Array, scale,
      )
      : getKernel(K.NllLossBackward)(kernelInput(K.NllLossBackward, rows), classes, targets, ignoreIndex, scale);
    return [new Tensor(dx, rows.shape)];
  });
}

/**
 * Negative log-likelihood (torch.nn.functional.nll_loss): loss_i = −w[t_i]·input[i, t_i].
 * The input must already be log-probabilities (e.g. from LogSoftmax). Shapes as crossEntropy with class indices.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  checkOptions('NLLLoss', options, LOSS_OPTIONS.NLLLoss);
  const { weight = null, ignoreIndex = -100, reduction = 'mean' } = options;
  if (weight === null && input.ndim > 0 && target.dtype === 'int32') {
    checkReduction('NLLLoss', reduction);
    const { rows, classes, targets, outShape } = classRows('NLLLoss', input, target, ignoreIndex);
    const fused = fusedClassLoss('nll', rows, classes, targets as Int32Array, ignoreIndex, reduction, outShape);
    if (fused) return fused;
  }
  return classLoss('NLLLoss', input, target, { ...options, labelSmoothing: 0 });
}

// ---- regression losses ----

export interface RegressionLossOptions {
  reduction?: Reduction;
}

/** Mean squared error (x − y)². Shape: input (*), target same shape; output scalar or (*) with 'none'. */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  checkOptions('MSELoss', options, LOSS_OPTIONS.MSELoss);
  const { reduction = 'mean' } = options;
  checkReduction('MSELoss', reduction);
  checkSameShape('MSELoss', input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), reduction);
}

/** Mean absolute error |x − y|. Shape: input (*), target same shape. */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  checkOptions('L1Loss', options, LOSS_OPTIONS.L1Loss);
  const { reduction = 'mean' } = options;
  checkReduction('L1Loss', reduction);
  checkSameShape('L1Loss', input, target);
  return reduce(abs(sub(input, target)), reduction);
}

export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss switches from quadratic to linear (default 1); 0 makes it L1. */
  beta?: number;
}

/**
 * Smooth L1 (Huber-like): 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere, d = x − y.
 *
 * Written without a branch: with m = min(|d|, β), loss = 0.5·m²/β + (|d| − m), which equals both pieces.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  checkOptions('SmoothL1Loss', options, LOSS_OPTIONS.SmoothL1Loss);
  const { reduction = 'mean', beta = 1 } = options;
  checkReduction('SmoothL1Loss', reduction);
  checkSameShape('SmoothL1Loss', input, target);
  if (!(beta >= 0)) throw new Error(`SmoothL1Loss: beta must be >= 0, got ${beta}`);
  const a = abs(sub(input, target));
  if (beta === 0) return reduce(a, reduction);
  const m = clamp(a, undefined, beta);
  return reduce(add(mul(mul(m, m), 0.5 / beta), sub(a, m)), reduction);
}

export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss switches from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * Huber loss: 0.5·d² where |d| < δ, δ·(|d| − 0.5·δ) elsewhere (= δ · smoothL1Loss with β = δ).
 * With m = min(|d|, δ): loss = 0.5·m² + δ·(|d| − m).
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkOptions('HuberLoss', options, LOSS_OPTIONS.HuberLoss);
  const { reduction = 'mean', delta = 1 } = options;
  checkReduction('HuberLoss', reduction);
  checkSameShape('HuberLoss', input, target);
  if (!(delta > 0)) throw new Error(`HuberLoss: delta must be > 0, got ${delta}`);
  const a = abs(sub(input, target));
  const m = clamp(a, undefined, delta);
  return reduce(add(mul(mul(m, m), 0.5), mul(sub(a, m), delta)), reduction);
}

// ---- binary losses ----

export interface BCELossOptions {
  /** Rescales each element's loss; broadcast against the input. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * Binary cross entropy on probabilities: −w·(y·log x + (1 − y)·log(1 − x)), each log clamped at −100 as
 * torch does, so x = 0 or 1 gives a finite loss. Shape: input (*) in [0, 1], target same shape in [0, 1].
 * Prefer binaryCrossEntropyWithLogits after a Sigmoid: it is stabler.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}): Tensor {
  checkOptions('BCELoss', options, LOSS_OPTIONS.BCELoss);
  const { weight = null, reduction = 'mean' } = options;
  const name = 'BCELoss';
  checkReduction(name, reduction);
  checkSameShape(name, input, target);
  const x = input.data;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= 0 && x[i] <= 1)) {
      throw new Error(`${name}: input ${x[i]} at index ${i} is not a probability in [0, 1] (apply Sigmoid, or use BCEWithLogitsLoss)`);
    }
  }
  // Forward from the composed formula; backward from torch's closed form, because differentiating the clamped
  // logs gives 0·∞ = NaN where the input saturates at 0 or 1, and torch answers 0 there.
  const perElement = noGrad(() => {
    const logX = clamp(log(input), -100);
    const log1mX = clamp(log(sub(1, input)), -100);
    return neg(add(mul(target, logX), mul(sub(1, target), log1mX)));
  });
  // d/dx = (x − y) / max(x·(1 − x), 1e-12); torch 1.13 has no gradient for the target.
  let loss = recordOp(perElement, 'BinaryCrossEntropy', [input], (grad) => [
    div(mul(grad, sub(input, target)), clamp(mul(input, sub(1, input)), 1e-12)),
  ]);
  if (weight) loss = mul(loss, weight);
  return reduce(loss, reduction);
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of positive examples, per class (broadcast over the last dim): > 1 raises recall. */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross entropy in one stable formula (torch.nn.functional.binary_cross_entropy_with_logits):
 * ```text
 * m = max(−x, 0)
 * loss = (1 − y)·x + (1 + (posWeight − 1)·y) · (log(e^(−m) + e^(−x−m)) + m)
 * ```
 * (the last factor is log(1 + e^(−x)) without overflow). Shape: input (*) logits, target same shape.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsLossOptions = {},
): Tensor {
  const name = 'BCEWithLogitsLoss';
  checkOptions(name, options, LOSS_OPTIONS[name]);
  const { weight = null, posWeight = null, reduction = 'mean' } = options;
  checkReduction(name, reduction);
  checkSameShape(name, input, target);
  const m = clamp(neg(input), 0);
  const softplusNegX = add(log(add(exp(neg(m)), exp(sub(neg(input), m)))), m);
  const logWeight = posWeight ? add(mul(sub(posWeight, 1), target), 1) : null;
  let loss = add(mul(sub(1, target), input), logWeight ? mul(logWeight, softplusNegX) : softplusNegX);
  if (weight) loss = mul(loss, weight);
  return reduce(loss, reduction);
}

// ---- margin losses ----

export interface MultiMarginLossOptions {
  /** 1 (default) for the hinge, 2 for its square; torch supports no other. */
  p?: number;
  /** How far the true class's score must lead every other (default 1). */
  margin?: number;
  /** A weight per class, shape (C): scales each sample's loss by the weight of its true class. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * Multi-class hinge loss (torch.nn.functional.multi_margin_loss) on raw class scores and class indices:
 * ```text
 * loss_i = Σ_{j ≠ y_i} w[y_i] · max(0, margin − x[i, y_i] + x[i, j])^p / C
 * ```
 * Shape: input (N, C) or (C); target (N) or () int32 class indices; output a scalar, or (N) with 'none'.
 */
export function multiMarginLoss(input: Tensor, target: Tensor, options: MultiMarginLossOptions = {}): Tensor {
  const name = 'MultiMarginLoss';
  checkOptions(name, options, LOSS_OPTIONS[name]);
  const { p = 1, margin = 1, weight = null, reduction = 'mean' } = options;
  checkReduction(name, reduction);
  if (p !== 1 && p !== 2) throw new Error(`${name}: p must be 1 or 2 (as in torch), got ${p}`);
  if (target.dtype !== 'int32') throw new Error(`${name}: target must be int32 class indices, got ${target.dtype}`);
  if (!Number.isFinite(margin)) throw new Error(`${name}: margin must be a finite number, got ${margin}`);
  if (input.ndim > 2) throw new Error(`${name}: input must be (N, C) or (C), got [${input.shape}]`);
  const { rows, classes, targets, outShape } = classRows(name, input, target, Number.NaN);
  checkWeight(name, weight, classes);
  const m = targets.length;
  const { w, index } = rowWeights(targets, weight, Number.NaN);
  // Each row's terms, with the true class's own term (always margin) masked out and w[y_i]/C folded in.
  const scale = new Float64Array(m * classes);
  for (let i = 0; i < m; i++) for (let j = 0; j < classes; j++) if (j !== targets[i]) scale[i * classes + j] = w[i] / classes;
  const hinge = clamp(add(sub(rows, gather(rows, 1, index)), margin), 0);
  const terms = mul(p === 2 ? mul(hinge, hinge) : hinge, constant(scale, [m, classes], rows));
  const perSample = sum(terms, 1);
  return reduction === 'none' ? reshape(perSample, outShape) : reduce(perSample, reduction);
}

// ---- divergences ----

export interface KLDivLossOptions {
  /**
   * 'mean' (torch's default) averages over every element, classes included; 'batchmean' divides the sum by the
   * batch size, which is the KL divergence per sample (what torch's docs recommend); 'sum'; 'none'.
   */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities too (default false: as probabilities). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence (torch.nn.functional.kl_div) of the target distribution from the input's, with the
 * input as log-probabilities (e.g. from LogSoftmax):
 * ```text
 * loss = y·(log y − x)       (y·log y taken as 0 where y = 0, as torch's xlogy)
 * loss = eʸ·(y − x)          with logTarget
 * ```
 * Shape: input (*) log-probabilities, target the same shape; output a scalar, or (*) with 'none'.
 * The gradient is −y (−eʸ with logTarget), whatever the reduction divides it by.
 */
export function klDiv(input: Tensor, target: Tensor, options: KLDivLossOptions = {}): Tensor {
  const name = 'KLDivLoss';
  checkOptions(name, options, LOSS_OPTIONS[name]);
  const { reduction = 'mean', logTarget = false } = options;
  checkReduction(name, reduction);
  checkSameShape(name, input, target);
  let loss: Tensor;
  if (logTarget) loss = mul(exp(target), sub(target, input));
  else {
    const y = target.data;
    const entropyTerm = constant(Array.from(y, (v) => (v === 0 ? 0 : v * Math.log(v))), target.shape, input);
    loss = sub(entropyTerm, mul(target, input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? sum(loss) : div(sum(loss), input.shape[0]);
  return reduce(loss, reduction);
}

// ---- module forms ----

/** Base of the loss modules: forward(input, target) calls the functional form with the stored options. */
abstract class Loss<O extends { reduction?: Reduction | 'batchmean' }> extends Module {
  readonly reduction: Reduction | 'batchmean';

  constructor(protected readonly options: O, known: readonly string[]) {
    super();
    checkOptions(this.constructor.name, options, known);
    this.reduction = options.reduction ?? 'mean';
    checkReduction(this.constructor.name, this.reduction);
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/**
 * torch.nn.CrossEntropyLoss: logits (N, C) and int32 labels (N) → scalar. See crossEntropy for shapes.
 * @example new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, labels)
 */
export class CrossEntropyLoss extends Loss<CrossEntropyLossOptions> {
  constructor(options: CrossEntropyLossOptions = {}) {
    super(options, LOSS_OPTIONS.CrossEntropyLoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }
}

/** torch.nn.NLLLoss: log-probabilities (N, C) and int32 labels (N). Pair with LogSoftmax(1). */
export class NLLLoss extends Loss<NLLLossOptions> {
  constructor(options: NLLLossOptions = {}) {
    super(options, LOSS_OPTIONS.NLLLoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}

export class MSELoss extends Loss<RegressionLossOptions> {
  constructor(options: RegressionLossOptions = {}) {
    super(options, LOSS_OPTIONS.MSELoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

export class L1Loss extends Loss<RegressionLossOptions> {
  constructor(options: RegressionLossOptions = {}) {
    super(options, LOSS_OPTIONS.L1Loss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

export class SmoothL1Loss extends Loss<SmoothL1LossOptions> {
  constructor(options: SmoothL1LossOptions = {}) {
    super(options, LOSS_OPTIONS.SmoothL1Loss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.options);
  }
}

export class HuberLoss extends Loss<HuberLossOptions> {
  constructor(options: HuberLossOptions = {}) {
    super(options, LOSS_OPTIONS.HuberLoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, this.options);
  }
}

export class BCELoss extends Loss<BCELossOptions> {
  constructor(options: BCELossOptions = {}) {
    super(options, LOSS_OPTIONS.BCELoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Loss<BCEWithLogitsLossOptions> {
  constructor(options: BCEWithLogitsLossOptions = {}) {
    super(options, LOSS_OPTIONS.BCEWithLogitsLoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

/**
 * torch.nn.KLDivLoss: log-probabilities (N, C) against target probabilities (N, C). See klDiv.
 * @example new KLDivLoss({ reduction: 'batchmean' }).forward(logSoftmax(logits, 1), probabilities)
 */
export class KLDivLoss extends Loss<KLDivLossOptions> {
  constructor(options: KLDivLossOptions = {}) {
    super(options, LOSS_OPTIONS.KLDivLoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, this.options);
  }
}

/** torch.nn.MultiMarginLoss: raw class scores (N, C) and int32 labels (N). See multiMarginLoss. */
export class MultiMarginLoss extends Loss<MultiMarginLossOptions> {
  constructor(options: MultiMarginLossOptions = {}) {
    super(options, LOSS_OPTIONS.MultiMarginLoss);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return multiMarginLoss(input, target, this.options);
  }
}
