/**
 * From a model spec (common/model-spec) to engine objects: the model, its loss and its optimizer.
 *
 * ```ts
 * const model = buildModel(spec);                       // nn.Sequential for a chain, GraphModule otherwise
 * const lossFn = makeLoss(spec);                        // (output, target) → scalar; one-hot targets where needed
 * const targetsOf = makeTargetsOf(spec);                // the Trainer's hook: an autoencoder's target is its input
 * const optimizer = makeOptimizer(spec, model.parameters());
 * const scheduler = makeScheduler(spec, optimizer, run); // null without spec.scheduler; step() per schedulerStepsPer
 * ```
 * The model expects input shaped by the Input node: `prepareInput(spec, x)` views [N, 1, 28, 28] or [N, 784]
 * images that way. State-dict names come from common/model-spec's moduleNames, the same the PyTorch export uses.
 */
import {
  assertValidSpec, chainOf, inferShapes, inputsOf, LOSS_CATALOGUE, moduleNames, OP_CATALOGUE, OPTIMIZER_CATALOGUE, opParams,
  resolveParams, SCHEDULER_CATALOGUE, topoSort, nodeById, type ModelSpec, type Params, type SpecNode,
} from '../../common/model-spec/index';
import { MNIST_MEAN, MNIST_STD, targetOf, type Normalize } from '../../common/model-spec/index';
import { add, cat, div, mul, reshape } from '../ops/index';
import { tensor, type Tensor } from '../tensor';
import { Module, Sequential } from '../nn/index';
import type { HasLrGroups, LRScheduler } from '../optim/index';
import { LAYER_FACTORIES, LOSS_FACTORIES, OPTIMIZER_FACTORIES, SCHEDULER_FACTORIES, type AnyOptimizer, type LayerOp, type LossModule } from './registry';

export type { AnyOptimizer } from './registry';

/** The engine module for one spec node (not Input, Add or Concat), made by its registry factory. */
export function buildLayer(node: SpecNode): Module {
  const category = OP_CATALOGUE[node.op].category;
  if (category === 'input' || category === 'merge') throw new Error(`buildLayer: ${node.op} (node "${node.id}") is not a layer`);
  return LAYER_FACTORIES[node.op as LayerOp](opParams(node));
}

/**
 * A model that is not a single chain: runs its nodes in topological order (deterministic), each module
 * registered under its node id (pyName), so stateDict keys read `fc1.weight` as in the exported nn.Module.
 */
export class GraphModule extends Module {
  private readonly steps: Array<{ id: string; op: string; inputs: string[]; module: Module | null; dim: number }>;
  private readonly outputNode: string;

  constructor(spec: ModelSpec) {
    super();
    const nodes = nodeById(spec);
    const names = moduleNames(spec);
    const { order } = topoSort(spec);
    this.steps = order.map((id) => {
      const node = nodes.get(id)!;
      const name = names.get(id);
      const module = name === undefined ? null : this.registerModule(name, buildLayer(node));
      return { id, op: node.op, inputs: inputsOf(spec, id), module, dim: node.op === 'Concat' ? (opParams(node).dim as number) : 0 };
    });
    this.outputNode = order.find((id) => !spec.edges.some((e) => e.from === id))!;
  }

  forward(input: Tensor): Tensor {
    const values = new Map<string, Tensor>();
    for (const step of this.steps) {
      const ins = step.inputs.map((id) => values.get(id)!);
      let out: Tensor;
      if (step.op === 'Input') out = input;
      else if (step.op === 'Add') out = ins.slice(1).reduce((acc, t) => add(acc, t), ins[0]);
      else if (step.op === 'Concat') out = cat(ins, step.dim);
      else out = step.module!.forward(ins[0]) as Tensor;
      values.set(step.id, out);
    }
    return values.get(this.outputNode)!;
  }
}

/** Throws (naming the node and the fix) unless the spec is valid and its shapes fit. */
export function assertBuildable(spec: unknown): asserts spec is ModelSpec {
  assertValidSpec(spec);
  const { error } = inferShapes(spec);
  if (error) throw new Error(`model spec does not fit together: ${error.message}; fix: ${error.fix}`);
}

/** nn.Sequential of the chain's layers, or a GraphModule. Parameters are drawn from defaultGenerator(). */
export function buildModel(spec: ModelSpec): Module {
  assertBuildable(spec);
  const chain = chainOf(spec);
  return chain ? new Sequential(...chain.map(buildLayer)) : new GraphModule(spec);
}

/** The Input node's view of one sample, e.g. [1, 28, 28]. */
export function inputShape(spec: ModelSpec): number[] {
  const input = spec.nodes.find((n) => n.op === 'Input');
  return (input ? (opParams(input).shape as number[]) : [1, 28, 28]);
}

/** Views a batch of images ([N, 1, 28, 28], [N, 28, 28] or [N, 784]) the way the spec's Input node wants. */
export function prepareInput(spec: ModelSpec, x: Tensor): Tensor {
  const shape = inputShape(spec);
  return x.shape.length === shape.length + 1 && x.shape.slice(1).every((d, i) => d === shape[i]) ? x : reshape(x, [-1, ...shape]);
}

import type { LossFn } from '../train/trainer';
export type { LossFn };

/** Whether the loss compares with one-hot float vectors rather than class indices. */
export function usesOneHotTargets(spec: ModelSpec): boolean {
  return LOSS_CATALOGUE[spec.loss.type].targets === 'one-hot';
}

/** [N] int32 labels → [N, classes] float32 one-hot rows. */
export function oneHot(labels: Tensor, classes = 10): Tensor {
  const out = new Float32Array(labels.size * classes);
  const data = labels.data;
  for (let i = 0; i < labels.size; i++) out[i * classes + data[i]] = 1;
  return tensor(out, [labels.size, classes], { dtype: 'float32' });
}

/** Each normalization undone: the model's input back to pixels in [0, 1]. */
const TO_UNIT_PIXELS: Record<Normalize, (x: Tensor) => Tensor> = {
  none: (x) => div(x, 255),
  scale: (x) => x,
  standardize: (x) => add(mul(x, MNIST_STD), MNIST_MEAN),
};

/** data.target 'image': the batch's input as [N, 1, 28, 28] pixels in [0, 1], whatever data.normalize did to it. */
function imageTargets(spec: ModelSpec, input: Tensor): Tensor {
  return TO_UNIT_PIXELS[spec.data.normalize](reshape(input.detach(), [-1, 1, 28, 28]));
}

/**
 * The Trainer's and evaluate's `targetsOf` hook (engine/train/trainer.ts) for the spec's data.target
 * (common/model-spec/target.ts): for 'image' the input itself (imageTargets); undefined for 'label', whose loss takes the
 * labels as they come (makeLoss turns them one-hot where the loss wants it).
 */
export function makeTargetsOf(spec: ModelSpec): ((x: Tensor, y: Tensor) => Tensor) | undefined {
  return targetOf(spec) === 'image' ? (x) => imageTargets(spec, x) : undefined;
}

/**
 * What the loss module compares one batch's output with: class indices, one-hot rows, or for 'image' the input as
 * pixels in [0, 1] (the twin computes the same in `target(xb, yb)`).
 */
export function batchTargets(spec: ModelSpec, input: Tensor, labels: Tensor): Tensor {
  if (targetOf(spec) === 'image') return imageTargets(spec, input);
  return usesOneHotTargets(spec) ? oneHot(labels) : labels;
}

/** The loss module for spec.loss. */
export function makeLossModule(spec: ModelSpec): LossModule {
  return LOSS_FACTORIES[spec.loss.type](resolveParams(LOSS_CATALOGUE[spec.loss.type].params, spec.loss.params));
}

/**
 * (output, target) → scalar loss. The target is the batch's int32 labels, made one-hot here for the losses that
 * compare values, or for data.target 'image' the image `makeTargetsOf(spec)` made of the batch, taken as it is.
 */
export function makeLoss(spec: ModelSpec): LossFn {
  const module = makeLossModule(spec);
  return targetOf(spec) === 'label' && usesOneHotTargets(spec)
    ? (output, labels) => module.forward(output, oneHot(labels))
    : (output, target) => module.forward(output, target);
}

/** The optimizer for spec.optimizer over `params`, with torch's defaults for what the spec leaves out. */
export function makeOptimizer(spec: ModelSpec, params: Iterable<Tensor>, overrides: { lr?: number } = {}): AnyOptimizer {
  const p: Params = { ...resolveParams(OPTIMIZER_CATALOGUE[spec.optimizer.type].params, spec.optimizer.params) };
  if (overrides.lr !== undefined) p.lr = overrides.lr;
  return OPTIMIZER_FACTORIES[spec.optimizer.type]([...params], p);
}

/** How long the run is, for a scheduler whose length the learner may leave to the run (OneCycleLR's total_steps). */
export interface RunLength {
  epochs: number;
  batchesPerEpoch: number;
}

/**
 * The scheduler for spec.scheduler (optim/lr-scheduler.ts), or null. Step it where `schedulerStepsPer(type)` says:
 * after every batch or after every epoch. Given the run's length, a length param the row leaves to the run
 * (`fromRun`) and the learner left empty becomes epochs × batches per epoch.
 */
export function makeScheduler(spec: ModelSpec, optimizer: HasLrGroups, run?: RunLength): LRScheduler | null {
  if (!spec.scheduler) return null;
  const info = SCHEDULER_CATALOGUE[spec.scheduler.type];
  const params = resolveParams(info.params, spec.scheduler.params);
  const fill = info.fromRun;
  if (fill && run && params[fill.param] == null && fill.unlessGiven.every((name) => params[name] == null)) {
    params[fill.param] = run.epochs * run.batchesPerEpoch;
  }
  return SCHEDULER_FACTORIES[spec.scheduler.type](optimizer, params);
}
