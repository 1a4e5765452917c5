/**
 * Will this model train on this machine? A rough estimate of a training step's peak memory, checked before a run
 * builds anything: a valid but huge model (Linear 784→1,000,000, Conv2d with 100,000 channels, batch size 1e9) was
 * accepted and then blocked the engine for over 11 minutes while it allocated. Refusing within a second, with what
 * to change, is the fix; the supervisor's heartbeat catches whatever still blocks.
 *
 * The estimate, in float32 (4 bytes a value), deliberately on the high side:
 *
 * ```text
 * weights + gradients      2 × parameters
 * optimizer state          up to 3 × parameters (AMSGrad keeps three slots; SGD without momentum none)
 * activations              3 × Σ over nodes of the output size at the batch size (the value, its gradient, a temporary)
 * ```
 *
 * The budget is half the machine's memory: the rest is the OS, the app, and the dataset itself.
 */
import { totalmem } from 'node:os';
import { formatCount, inferShapes } from '../../../common/model-spec/shapes';
import type { ModelSpec } from '../../../common/model-spec/types';
import { EngineTextError, engineText } from '../../../common/engine-text';

const FLOAT_BYTES = 4;
const OPTIMIZER_SLOTS = 3;
const ACTIVATION_COPIES = 3;

export interface MemoryEstimate {
  /** Bytes of weights and their gradients. */
  weights: number;
  optimizer: number;
  activations: number;
  total: number;
  /** The node with the most parameters, and the one (not the Input) with the largest output at the batch size. */
  largestLayer: { id: string; op: string; params: number } | null;
  largestOutput: { id: string; op: string; values: number } | null;
  /** All parameters, and how many layers hold any. */
  params: number;
  paramLayers: number;
}

export function estimateTrainingMemory(spec: ModelSpec): MemoryEstimate {
  const report = inferShapes(spec);
  const batch = spec.data.batchSize;
  let largestLayer: MemoryEstimate['largestLayer'] = null;
  let largestOutput: MemoryEstimate['largestOutput'] = null;
  let activationValues = 0;
  let paramLayers = 0;
  for (const id of report.order) {
    const node = report.nodes[id]!;
    if (node.params > 0) paramLayers++;
    if (node.params > (largestLayer?.params ?? 0)) largestLayer = { id, op: node.op, params: node.params };
    if (!node.shape) continue;
    const values = node.shape.reduce<number>((n, d) => n * (d === 'N' ? batch : typeof d === 'number' ? d : 1), 1);
    activationValues += values;
    // The Input's size is the data's, not something to change.
    if (node.op !== 'Input' && values > (largestOutput?.values ?? 0)) largestOutput = { id, op: node.op, values };
  }
  const weights = 2 * report.totalParams * FLOAT_BYTES;
  const optimizer = OPTIMIZER_SLOTS * report.totalParams * FLOAT_BYTES;
  const activations = ACTIVATION_COPIES * activationValues * FLOAT_BYTES;
  return {
    weights, optimizer, activations, total: weights + optimizer + activations, largestLayer, largestOutput,
    params: report.totalParams, paramLayers,
  };
}

/** Half of this machine's memory, in bytes. */
export function memoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

/**
 * Throws, naming the biggest part and what to change, when training `spec` would need more than `budget` bytes.
 * The message reads on its own in the run's error: "This model needs about 16.5 GB to train …".
 */
export function assertFitsMemory(spec: ModelSpec, budget = memoryBudget()): void {
  const estimate = estimateTrainingMemory(spec);
  if (estimate.total <= budget) return;
  const batch = formatCount(spec.data.batchSize);
  const { largestLayer: layer, largestOutput: output } = estimate;
  const fix = estimate.activations >= estimate.weights + estimate.optimizer
    ? output
      ? engineText('memory.fix.batchOrOutput', { batch, id: output.id, op: output.op, values: formatCount(output.values) })
      : engineText('memory.fix.batch', { batch })
    // A 5,000-layer chain has no big layer: shrinking the largest would not do, its number of layers is the cost.
    : layer!.params * 2 < estimate.params
      ? engineText('memory.fix.fewerLayers', {
        layers: formatCount(estimate.paramLayers), params: formatCount(estimate.params), id: layer!.id, op: layer!.op, largest: formatCount(layer!.params),
      })
      : engineText('memory.fix.largestLayer', { id: layer!.id, op: layer!.op, params: formatCount(layer!.params) });
  throw new EngineTextError(engineText('memory.tooLarge', {
    total: gb(estimate.total), weights: gb(estimate.weights), optimizer: gb(estimate.optimizer), activations: gb(estimate.activations),
    batch, budget: gb(budget), fix,
  }));
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(0.1, bytes / 1e6).toFixed(1)} MB`;
}
