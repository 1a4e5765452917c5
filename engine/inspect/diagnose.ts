/**
 * Reads one sample of layer statistics the way an experienced practitioner would, into flags the Train tab words
 * with a fix (common/layer-stats.ts `LayerFlagKind`):
 *
 * - vanishing gradients: the first trainable layer's gradient, per value (RMS), is under 1/1000 of the last's.
 *   Sigmoid or tanh layers stacked deep do this (each sigmoid passes back at most 1/4 of the gradient);
 * - exploding gradients: a gradient that is not finite, or the first layer's RMS gradient over 1000× the last's;
 * - dead ReLUs: a ReLU with half or more of its units at 0 for every sample of the batch (LeNet-5 under Adam
 *   reaches ~40% in its dense layers early on and trains well, so a lower line would cry wolf);
 * - tiny updates: every layer's ‖Δw‖/‖w‖ under 1e-6 (the usual is ~1e-3): the learning rate is far too small;
 * - huge updates: a step larger than the weights themselves (‖Δw‖/‖w‖ over 1): the learning rate is too large.
 *   The tutorial's logistic regression at lr 0.5 starts near 0.45 from its small initial weights, and is fine.
 *
 * RMS, not the norm itself, so that a 784×128 layer and a 84×10 one compare fairly.
 */
import type { LayerFlag, LayerStats } from '../../common/layer-stats';

export const VANISHING_RATIO = 1e-3;
export const EXPLODING_RATIO = 1e3;
export const DEAD_SHARE = 0.5;
export const TINY_UPDATE = 1e-6;
export const HUGE_UPDATE = 1;

/** A layer's gradient per value: ‖g‖ / √n. */
export function gradRms(layer: LayerStats): number | null {
  return layer.gradNorm === null || layer.params === 0 ? null : layer.gradNorm / Math.sqrt(layer.params);
}

export function diagnose(layers: readonly LayerStats[]): LayerFlag[] {
  const flags: LayerFlag[] = [];
  const trained = layers.filter((l) => l.gradNorm !== null && l.params > 0);
  const first = trained[0], last = trained[trained.length - 1];
  const broken = trained.find((l) => !Number.isFinite(l.gradNorm!));
  if (broken) {
    flags.push({ kind: 'exploding', layer: broken.name, value: null });
  } else if (first && last && first !== last) {
    const lastRms = gradRms(last)!;
    const ratio = lastRms > 0 ? gradRms(first)! / lastRms : null;
    if (ratio !== null && ratio < VANISHING_RATIO) flags.push({ kind: 'vanishing', layer: first.name, other: last.name, value: ratio });
    if (ratio !== null && ratio > EXPLODING_RATIO) flags.push({ kind: 'exploding', layer: first.name, other: last.name, value: ratio });
  }
  for (const layer of layers) {
    if (layer.deadShare !== null && layer.deadShare >= DEAD_SHARE) flags.push({ kind: 'dead-relu', layer: layer.name, value: layer.deadShare });
  }
  const ratios = layers.filter((l) => l.updateRatio !== null && Number.isFinite(l.updateRatio));
  if (ratios.length) {
    const largest = ratios.reduce((a, b) => (b.updateRatio! > a.updateRatio! ? b : a));
    if (largest.updateRatio! < TINY_UPDATE) flags.push({ kind: 'tiny-updates', layer: largest.name, value: largest.updateRatio });
    if (largest.updateRatio! > HUGE_UPDATE) flags.push({ kind: 'huge-updates', layer: largest.name, value: largest.updateRatio });
  }
  return flags;
}
