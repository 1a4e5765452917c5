/**
 * Per-layer statistics of one training step, as TensorBoard's histograms and the update/weight ratio of Karpathy's
 * "A Recipe for Training Neural Networks" show them: for each top-level module of a model, the L2 norms of its
 * parameters and their gradients, histograms of weights, gradients and outputs, ‖Δw‖/‖w‖ of the optimizer's step,
 * and for a ReLU the share of its units that stayed 0 for the whole batch.
 *
 * A LayerProbe watches one step; it is cheap to skip and costs a few passes over the weights and activations when
 * taken, so a training loop takes one every N batches (`sampleEvery`):
 *
 * ```ts
 * const probe = new LayerProbe(model);      // a forward hook on each child, for this step
 * const loss = lossFn(model.forward(x), y);
 * loss.backward();
 * probe.afterBackward();                    // gradients, weights (copied) and outputs are read here
 * optimizer.step();
 * const layers = probe.afterStep();         // update ratios; the forwards are restored
 * ```
 * On a device backend every read is a download (the weights twice, the gradients and the outputs once), so a
 * device run samples ten times less often.
 */
import type { LayerStats, ValueHistogram } from '../../common/layer-stats';
import type { Module } from '../nn/module';
import { Tensor } from '../tensor';

export const HISTOGRAM_BINS = 24;

/** Layers whose output is exactly 0 for a unit that is "dead". */
const DEAD_UNIT_KINDS: readonly string[] = ['ReLU', 'ReLU6'];

/** The L2 norm of all the values of `arrays` together, summed in float64. */
export function l2Norm(arrays: readonly ArrayLike<number>[]): number {
  let sum = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) sum += a[i] * a[i];
  return Math.sqrt(sum);
}

/**
 * `bins` equal-width bins from the smallest to the largest finite value of `arrays` (the largest falls in the last
 * bin); non-finite values are left out. Null when there is no finite value.
 */
export function histogram(arrays: readonly ArrayLike<number>[], bins = HISTOGRAM_BINS): ValueHistogram | null {
  let min = Infinity, max = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v < min) min = v;
      if (v > max) max = v; // NaN fails both comparisons; ±Infinity is dropped below
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    // Some values are ±Infinity: find the finite range the slow way.
    min = Infinity;
    max = -Infinity;
    for (const a of arrays) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) { min = Math.min(min, a[i]); max = Math.max(max, a[i]); }
    if (min > max) return null;
  }
  const counts = new Array<number>(bins).fill(0);
  const scale = max > min ? bins / (max - min) : 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!(v >= min && v <= max)) continue;
      counts[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
    }
  }
  return { min, max, counts };
}

/**
 * The share of units that are 0 for every sample of a batch: for an (N, C, H, W) output a unit is a channel (a
 * filter that never fires anywhere); otherwise it is a feature of the last dimension.
 */
export function deadShare(output: { shape: readonly number[]; data: ArrayLike<number> }): number {
  const { shape, data } = output;
  const units = shape.length === 4 ? shape[1] : shape[shape.length - 1];
  if (!units || data.length === 0) return 0;
  const inner = shape.length === 4 ? shape[2] * shape[3] : 1;
  const alive = new Uint8Array(units);
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) alive[Math.floor(i / inner) % units] = 1;
  let dead = 0;
  for (let u = 0; u < units; u++) if (!alive[u]) dead++;
  return dead / units;
}

interface WatchedLayer {
  name: string;
  module: Module;
  params: Tensor[];
}

/** What afterBackward read of a layer, until afterStep adds the update. */
type ReadBeforeStep = Omit<LayerStats, 'updateRatio'> & { before: Float32Array[] | null };

/** Watches one training step of `model`; see the file's doc. */
export class LayerProbe {
  readonly #layers: WatchedLayer[];
  readonly #outputs = new Map<string, Tensor>();
  #restore: (() => void)[] = [];
  #read: ReadBeforeStep[] | null = null;

  constructor(model: Module, readonly bins = HISTOGRAM_BINS) {
    const children = [...model.namedChildren()];
    // A model that is one layer (nn.Linear on its own) is watched as that layer.
    const watched: Array<[string, Module]> = children.length ? children : [[model.constructor.name, model]];
    this.#layers = watched.map(([name, module]) => ({ name, module, params: module.parameters() }));
    for (const layer of this.#layers) this.#watch(layer);
  }

  /** Records each layer's output of this step (the latest call wins, so a batch done again overwrites it). */
  #watch({ name, module }: WatchedLayer): void {
    const handle = module.registerForwardHook((_module, _inputs, output) => {
      if (output instanceof Tensor) this.#outputs.set(name, output);
    });
    this.#restore.push(() => handle.remove());
  }

  /** After backward and before the optimizer's step (and any clipping): gradients, weights and outputs. */
  afterBackward(): void {
    this.#unwatch();
    this.#read = this.#layers.map(({ name, module, params }) => {
      const weights = params.map((p) => p.data);
      const grads = params.flatMap((p) => (p.grad ? [p.grad.data] : []));
      const output = this.#outputs.get(name);
      const kind = module.constructor.name;
      const values = output?.data;
      return {
        name, kind,
        params: params.reduce((n, p) => n + p.size, 0),
        weightNorm: params.length ? l2Norm(weights) : null,
        gradNorm: grads.length ? l2Norm(grads) : null,
        weights: params.length ? histogram(weights, this.bins) : null,
        grads: grads.length ? histogram(grads, this.bins) : null,
        activations: values ? histogram([values], this.bins) : null,
        deadShare: output && DEAD_UNIT_KINDS.includes(kind) ? deadShare(output) : null,
        before: params.length ? weights.map((w) => Float32Array.from(w)) : null,
      };
    });
    this.#outputs.clear();
  }

  /** After the optimizer's step: each layer's ‖Δw‖/‖w‖, and every statistic of the step. */
  afterStep(): LayerStats[] {
    if (!this.#read) throw new Error('LayerProbe: afterStep before afterBackward');
    const stats = this.#read.map(({ before, ...layer }, i): LayerStats => {
      if (!before) return { ...layer, updateRatio: null };
      let delta = 0;
      this.#layers[i].params.forEach((p, k) => {
        const now = p.data, was = before[k];
        for (let j = 0; j < now.length; j++) delta += (now[j] - was[j]) ** 2;
      });
      const norm = layer.weightNorm ?? 0;
      return { ...layer, updateRatio: norm > 0 ? Math.sqrt(delta) / norm : null };
    });
    this.#read = null;
    return stats;
  }

  /** Puts every layer's own forward back (idempotent): for a step abandoned before afterBackward. */
  dispose(): void {
    this.#unwatch();
    this.#outputs.clear();
    this.#read = null;
  }

  #unwatch(): void {
    for (const undo of this.#restore) undo();
    this.#restore = [];
  }
}

/**
 * How many batches apart a loop samples: once an epoch on short epochs, every 50 batches on long ones, and every 500
 * when the model lives on a device (each sample downloads the weights twice). Over 50 batches a sample's few passes
 * over the weights and activations cost well under 1% of the steps (npm run bench -- --stats measures it).
 */
export function sampleEvery(batchesPerEpoch: number, onDevice = false): number {
  return Math.max(1, Math.min(batchesPerEpoch, onDevice ? 500 : 50));
}

/** Whether the loop samples global batch `step` (1-based): the first batch, for the picture at initialisation, then every `every`. */
export function isSampled(step: number, every: number): boolean {
  return step === 1 || step % every === 0;
}
