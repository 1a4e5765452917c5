/**
 * "Inside the network, over training" (#16.3): what the engine records about each layer every so many batches, as
 * plain data that survives JSON (the `run-layer-stats` event, and `layer-stats.jsonl` in the run's folder).
 *
 * A layer is one top-level module of the model (`0`, `conv1`): its parameters' norms and histograms, the norm of
 * the update the optimizer applied, its output's histogram, and for a ReLU the share of units that stayed at 0 for
 * every sample of the batch. `flags` are the engine's reading of one sample in plain categories; the renderer words
 * them (English and Korean) with their fix. engine/inspect computes all of it.
 */

/** Equal-width bins from `min` to `max` (all values in one bin when min = max). */
export interface ValueHistogram {
  min: number;
  max: number;
  counts: number[];
}

export interface LayerStats {
  /** The module's state-dict name (`0`, `fc1`). */
  name: string;
  /** Its class, as PyTorch names it (`Linear`, `ReLU`). */
  kind: string;
  /** How many trainable values it holds (0 for ReLU, pooling, Flatten). */
  params: number;
  /** L2 norms over all its parameters' values and their gradients (before any clipping); null without parameters. */
  weightNorm: number | null;
  gradNorm: number | null;
  /** ‖Δw‖ / ‖w‖ of the optimizer's step on this batch: ~1e-3 is the usual rule of thumb. */
  updateRatio: number | null;
  weights: ValueHistogram | null;
  grads: ValueHistogram | null;
  /** The layer's output on this batch. */
  activations: ValueHistogram | null;
  /** ReLU only: the share of units (channels of a conv output, features otherwise) that were 0 for every sample. */
  deadShare: number | null;
}

export type LayerFlagKind =
  /** The first layers' gradients are a tiny fraction of the last's: they barely learn. */
  | 'vanishing'
  /** Gradients grow toward the input, or are not finite. */
  | 'exploding'
  /** A ReLU with many units that output 0 for every input. */
  | 'dead-relu'
  /** Every step moves the weights by a tiny fraction of their size: the learning rate is too small. */
  | 'tiny-updates'
  /** Steps larger than the weights themselves: the learning rate is too large. */
  | 'huge-updates';

export interface LayerFlag {
  kind: LayerFlagKind;
  /** The layer it is about (for vanishing/exploding: the first layer, compared with `other`, the last). */
  layer: string;
  other?: string;
  /** The figure behind it: the gradient ratio first/last, the dead share, or the largest/smallest update ratio. */
  value: number | null;
}

export interface LayerStatsSample {
  /** Global batch count of the sampled batch, its epoch and its index in the epoch (1-based). */
  step: number;
  epoch: number;
  batch: number;
  layers: LayerStats[];
  flags: LayerFlag[];
}

/**
 * The most samples a run's history holds where it is shown or sent: enough for a sparkline per layer, evenly
 * spread, the latest always kept. The engine host's answer carries at most this many, and the Train tab keeps its
 * live samples under it, so that a sample's redraw costs the same however long the run (#15.4).
 */
export const LAYER_STATS_HISTORY_MAX = 400;

/** At most `max` samples, evenly spread over the run, the first and the latest included. */
export function thinSamples<T>(samples: T[], max: number): T[] {
  if (samples.length <= max) return samples;
  if (max <= 1) return samples.slice(-1);
  return Array.from({ length: max }, (_, i) => samples[Math.round((i * (samples.length - 1)) / (max - 1))]);
}
