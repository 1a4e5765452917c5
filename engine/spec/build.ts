/**
 * From a model spec (common/spec) to engine objects: the model, its loss and its optimizer.
 *
 * ```ts
 * const model = buildModel(spec);                       // nn.Sequential for a chain, GraphModule otherwise
 * const lossFn = makeLoss(spec);                        // (output, labels) → scalar; one-hot targets where needed
 * const optimizer = makeOptimizer(spec, model.parameters());
 * const scheduler = makeScheduler(spec, optimizer);     // null without spec.scheduler; step() once per epoch
 * ```
 * The model expects input shaped by the Input node: `prepareInput(spec, x)` views [N, 1, 28, 28] or [N, 784]
 * images that way. State-dict names come from common/spec's moduleNames, the same the PyTorch export uses.
 */
import {
  assertValidSpec, chainOf, inferShapes, inputsOf, LOSS_CATALOGUE, moduleNames, OPTIMIZER_CATALOGUE, opParams, pair,
  resolveParams, SCHEDULER_CATALOGUE, topoSort, nodeById, type ModelSpec, type Params, type SpecNode,
} from '../../common/spec/index';
import { add, cat, reshape } from '../ops/index';
import { tensor, type Tensor } from '../tensor';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss, BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Dropout,
  ELU, Flatten, GELU, GRU, Identity, L1Loss, LeakyReLU, Linear, LogSoftmax, LSTM, MaxPool2d, Module, MSELoss, NLLLoss,
  ReLU, RNN, Sequential, SiLU, Sigmoid, SmoothL1Loss, Softmax, Softplus, Tanh,
} from '../nn/index';
import { Adadelta, Adagrad, Adam, AdamW, CosineAnnealingLR, ExponentialLR, LRScheduler, RMSprop, SGD, StepLR } from '../optim/index';
import type { HasLrGroups } from '../optim/index';

// Recurrent layers as single-output modules (the spec's `output` option), keeping torch's parameter names.
class RNNSequence extends RNN {
  override forward(input: Tensor): Tensor { return this.forwardSequence(input)[0]; }
}
class LSTMSequence extends LSTM {
  override forward(input: Tensor): Tensor { return this.forwardSequence(input)[0]; }
}
class GRUSequence extends GRU {
  override forward(input: Tensor): Tensor { return this.forwardSequence(input)[0]; }
}

/** The engine module for one spec node (not Input, Add or Concat). */
export function buildLayer(node: SpecNode): Module {
  const p = opParams(node);
  const n = (name: string) => p[name] as number;
  const b = (name: string) => p[name] as boolean;
  switch (node.op) {
    case 'Linear': return new Linear(n('inFeatures'), n('outFeatures'), { bias: b('bias') });
    case 'Conv2d':
      return new Conv2d(n('inChannels'), n('outChannels'), pair(p.kernelSize), {
        stride: pair(p.stride), padding: pair(p.padding), dilation: pair(p.dilation), groups: n('groups'), bias: b('bias'),
      });
    case 'MaxPool2d': return new MaxPool2d(pair(p.kernelSize), { stride: p.stride === null ? null : pair(p.stride), padding: pair(p.padding) });
    case 'AvgPool2d': return new AvgPool2d(pair(p.kernelSize), { stride: p.stride === null ? null : pair(p.stride), padding: pair(p.padding) });
    case 'AdaptiveAvgPool2d': return new AdaptiveAvgPool2d(pair(p.outputSize));
    case 'Flatten': return new Flatten(n('startDim'), n('endDim'));
    case 'Dropout': return new Dropout(n('p'));
    case 'BatchNorm1d': return new BatchNorm1d(n('numFeatures'), { eps: n('eps'), momentum: n('momentum'), affine: b('affine') });
    case 'BatchNorm2d': return new BatchNorm2d(n('numFeatures'), { eps: n('eps'), momentum: n('momentum'), affine: b('affine') });
    case 'RNN': case 'LSTM': case 'GRU': {
      const last = p.output === 'last';
      const options = { numLayers: n('numLayers'), bias: b('bias'), batchFirst: b('batchFirst'), returnLastStep: last };
      if (node.op === 'RNN') {
        const rnnOptions = { ...options, nonlinearity: p.nonlinearity as 'tanh' | 'relu' };
        return last ? new RNN(n('inputSize'), n('hiddenSize'), rnnOptions) : new RNNSequence(n('inputSize'), n('hiddenSize'), rnnOptions);
      }
      if (node.op === 'LSTM') return last ? new LSTM(n('inputSize'), n('hiddenSize'), options) : new LSTMSequence(n('inputSize'), n('hiddenSize'), options);
      return last ? new GRU(n('inputSize'), n('hiddenSize'), options) : new GRUSequence(n('inputSize'), n('hiddenSize'), options);
    }
    case 'ReLU': return new ReLU();
    case 'LeakyReLU': return new LeakyReLU(n('negativeSlope'));
    case 'Sigmoid': return new Sigmoid();
    case 'Tanh': return new Tanh();
    case 'GELU': return new GELU(p.approximate as 'none' | 'tanh');
    case 'ELU': return new ELU(n('alpha'));
    case 'SiLU': return new SiLU();
    case 'Softplus': return new Softplus(n('beta'), n('threshold'));
    case 'Softmax': return new Softmax(n('dim'));
    case 'LogSoftmax': return new LogSoftmax(n('dim'));
    case 'Identity': return new Identity();
    case 'Input': case 'Add': case 'Concat':
      throw new Error(`buildLayer: ${node.op} (node "${node.id}") is not a layer`);
  }
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

export type LossFn = (output: Tensor, labels: Tensor) => Tensor;

/** Whether the loss compares with one-hot float vectors rather than class indices. */
export function usesOneHotTargets(spec: ModelSpec): boolean {
  return spec.loss.type !== 'CrossEntropyLoss' && spec.loss.type !== 'NLLLoss';
}

/** [N] int32 labels → [N, classes] float32 one-hot rows. */
export function oneHot(labels: Tensor, classes = 10): Tensor {
  const out = new Float32Array(labels.size * classes);
  const data = labels.data;
  for (let i = 0; i < labels.size; i++) out[i * classes + data[i]] = 1;
  return tensor(out, [labels.size, classes], { dtype: 'float32' });
}

/** The loss module for spec.loss. */
export function makeLossModule(spec: ModelSpec): Module & { forward(input: Tensor, target: Tensor): Tensor } {
  const p = resolveParams(LOSS_CATALOGUE[spec.loss.type].params, spec.loss.params);
  const reduction = p.reduction as 'mean' | 'sum';
  switch (spec.loss.type) {
    case 'CrossEntropyLoss': return new CrossEntropyLoss({ reduction, labelSmoothing: p.labelSmoothing as number });
    case 'NLLLoss': return new NLLLoss({ reduction });
    case 'MSELoss': return new MSELoss({ reduction });
    case 'L1Loss': return new L1Loss({ reduction });
    case 'SmoothL1Loss': return new SmoothL1Loss({ reduction, beta: p.beta as number });
    case 'BCELoss': return new BCELoss({ reduction });
    case 'BCEWithLogitsLoss': return new BCEWithLogitsLoss({ reduction });
  }
}

/** (output, int32 labels) → scalar loss; labels become one-hot for MSE/L1/SmoothL1/BCE losses. */
export function makeLoss(spec: ModelSpec): LossFn {
  const module = makeLossModule(spec);
  const classes = 10;
  return usesOneHotTargets(spec)
    ? (output, labels) => module.forward(output, oneHot(labels, classes))
    : (output, labels) => module.forward(output, labels);
}

export type AnyOptimizer = SGD | Adam | AdamW | RMSprop | Adagrad | Adadelta;

/** The optimizer for spec.optimizer over `params`, with torch's defaults for what the spec leaves out. */
export function makeOptimizer(spec: ModelSpec, params: Iterable<Tensor>, overrides: { lr?: number } = {}): AnyOptimizer {
  const p: Params = { ...resolveParams(OPTIMIZER_CATALOGUE[spec.optimizer.type].params, spec.optimizer.params) };
  if (overrides.lr !== undefined) p.lr = overrides.lr;
  const num = (k: string) => p[k] as number;
  const list = [...params];
  switch (spec.optimizer.type) {
    case 'SGD':
      return new SGD(list, { lr: num('lr'), momentum: num('momentum'), dampening: num('dampening'), weightDecay: num('weightDecay'), nesterov: p.nesterov as boolean });
    case 'Adam': case 'AdamW': {
      const options = { lr: num('lr'), betas: p.betas as [number, number], eps: num('eps'), weightDecay: num('weightDecay'), amsgrad: p.amsgrad as boolean };
      return spec.optimizer.type === 'Adam' ? new Adam(list, options) : new AdamW(list, options);
    }
    case 'RMSprop':
      return new RMSprop(list, { lr: num('lr'), alpha: num('alpha'), eps: num('eps'), weightDecay: num('weightDecay'), momentum: num('momentum'), centered: p.centered as boolean });
    case 'Adagrad':
      return new Adagrad(list, { lr: num('lr'), lrDecay: num('lrDecay'), weightDecay: num('weightDecay'), initialAccumulatorValue: num('initialAccumulatorValue'), eps: num('eps') });
    case 'Adadelta':
      return new Adadelta(list, { lr: num('lr'), rho: num('rho'), eps: num('eps'), weightDecay: num('weightDecay') });
  }
}

/** Multiplies the rate by gamma at each milestone epoch (torch.optim.lr_scheduler.MultiStepLR). */
export class MultiStepLR extends LRScheduler {
  constructor(optimizer: HasLrGroups, readonly milestones: number[], readonly gamma = 0.1) {
    super(optimizer);
    this.initialStep();
  }

  protected override getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((g) => g.lr * this.gamma ** hits);
  }
}

/** The scheduler for spec.scheduler, or null; call step() after each epoch. */
export function makeScheduler(spec: ModelSpec, optimizer: HasLrGroups): LRScheduler | null {
  if (!spec.scheduler) return null;
  const p = resolveParams(SCHEDULER_CATALOGUE[spec.scheduler.type].params, spec.scheduler.params);
  switch (spec.scheduler.type) {
    case 'StepLR': return new StepLR(optimizer, p.stepSize as number, { gamma: p.gamma as number });
    case 'MultiStepLR': return new MultiStepLR(optimizer, p.milestones as number[], p.gamma as number);
    case 'ExponentialLR': return new ExponentialLR(optimizer, p.gamma as number);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(optimizer, p.tMax as number, { etaMin: p.etaMin as number });
  }
}
