/**
 * Per-layer statistics of one training step, as TensorBoard's histograms and the update/weight ratio of Karpathy's
 * "A Recipe for Training Neural Networks" show them: for each top-level module of a model, the L2 norms of its
 * parameters and their gradients, histograms of weights, gradients and outputs, ‖Δw‖/‖w‖ of the optimizer's step,
 * and for a ReLU the share of its units that stayed 0 for the whole batch.
 *
 * A LayerProbe watches one step; it costs nothing when not taken and a few passes over the weights and activations
 * when taken, so a training loop takes one every N batches (`SampleSchedule`: 50, or more where a sample costs over
 * 1% of the steps between two):
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
/**
 * A histogram bins an evenly strided sample of at most this many values (its min and max are over all of them):
 * a conv layer's outputs for a batch are 300,000 values, and binning them all would cost more than the step.
 */
export const HISTOGRAM_SAMPLE = 8192;

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
 * bin), counting every value, or an evenly strided sample of `sample` of them when there are more; non-finite
 * values are left out. Null when there is no finite value.
 */
export function histogram(arrays: readonly ArrayLike<number>[], bins = HISTOGRAM_BINS, sample = HISTOGRAM_SAMPLE): ValueHistogram | null {
  let min = Infinity, max = -Infinity, total = 0;
  for (const a of arrays) {
    total += a.length;
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
  const stride = Math.max(1, Math.ceil(total / sample));
  let offset = 0; // where the stride falls in the next array, so that the sample runs on across arrays
  for (const a of arrays) {
    let i = offset;
    for (; i < a.length; i += stride) {
      const v = a[i];
      if (!(v >= min && v <= max)) continue;
      const bin = ((v - min) * scale) | 0;
      counts[bin < bins ? bin : bins - 1]++;
    }
    offset = i - a.length;
  }
  return { min, max, counts };
}

/**
 * The share of units that are 0 for every sample of a batch: for an (N, C, H, W) output a unit is a channel (a
 * filter that never fires anywhere); otherwise it is a feature of the last dimension.
 */
export function deadShare(output: { shape: readonly number[]; data: ArrayLike<number> }): number {
  const { shape, data } = output;
  const conv = shape.length === 4;
  const units = conv ? shape[1] : shape[shape.length - 1];
  if (!units || data.length === 0) return 0;
  const inner = conv ? shape[2] * shape[3] : 1;
  const rows = data.length / (units * inner);
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let n = 0; n < rows && !alive; n++) {
      const start = (n * units + u) * inner;
      for (let i = start; i < start + inner; i++) {
        if (data[i] !== 0) {
          alive = true;
          break;
        }
      }
    }
    if (!alive) dead++;
  }
  return dead / units;
}

/** A copy made with one block copy (Float32Array.from would walk an iterator). */
function copyOf(values: ArrayLike<number>): Float32Array {
  const copy = new Float32Array(values.length);
  copy.set(values);
  return copy;
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
        before: params.length ? weights.map(copyOf) : null,
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
 * How many batches apart a loop samples at least: once an epoch on short epochs, every 50 batches on long ones, and
 * every 500 when the model lives on a device (each sample downloads the weights twice).
 */
export function sampleEvery(batchesPerEpoch: number, onDevice = false): number {
  return Math.max(1, Math.min(batchesPerEpoch, onDevice ? 500 : 50));
}

/** Whether the loop samples global batch `step` (1-based) at a fixed interval: the first batch, then every `every`. */
export function isSampled(step: number, every: number): boolean {
  return step === 1 || step % every === 0;
}

/** The share of training time the samples may take: the issue allows 5%, the schedule aims at 1%. */
export const STATS_BUDGET = 0.01;

/**
 * Which batches a loop samples: the first (the picture at initialisation), then every `base` batches, or further
 * apart when a sample costs more than `budget` of the steps between two samples. A sample's cost depends on the
 * model and the backend (reading a conv layer's outputs out of wasm memory costs more than binning them), so it
 * is measured, not guessed: after each sample, `every` = max(base, ⌈sample ms / (budget × step ms)⌉), the sample's
 * own ms against a running mean of the steps not sampled. The interval at most doubles from one sample to the next:
 * the first samples run cold (V8 has not compiled the probe yet; 20–60 ms for the MLP, ~3 ms once warm), and one of
 * them would otherwise put the next sample epochs away.
 */
export class SampleSchedule {
  #every: number;
  #next = 1;
  #stepMs: number | null = null;

  constructor(readonly base: number, readonly budget = STATS_BUDGET) {
    this.#every = base;
  }

  get every(): number {
    return this.#every;
  }

  due(step: number): boolean {
    return step >= this.#next;
  }

  /** After batch `step`: its ms without the probe, and the probe's own ms when it was sampled. */
  record(step: number, stepMs: number, sampleMs?: number): void {
    if (sampleMs === undefined) {
      this.#stepMs = this.#stepMs === null ? stepMs : 0.9 * this.#stepMs + 0.1 * stepMs;
      return;
    }
    const affordable = this.#stepMs && this.budget > 0 ? Math.ceil(sampleMs / (this.budget * this.#stepMs)) : 0;
    this.#every = Math.max(this.base, Math.min(Number.isFinite(affordable) ? affordable : 0, 2 * this.#every));
    this.#next = step + this.#every;
  }
}
