/**
 * lintSpec: warnings for valid specs that are probably mistakes, the classic PyTorch ones. Each names the node
 * (when there is one), says why it matters and what to do. Assumes validateSpec passed.
 */
import { OPTIMIZER_CATALOGUE, resolveParams } from './catalogue';
import { inputsOf, nodeById, outputId } from './graph';
import { inferShapes } from './shapes';
import type { ModelSpec, OptimizerName, SpecNode } from './types';

export interface LintWarning {
  /** Stable id of the rule, for tests and for hiding a warning in the UI. */
  rule: string;
  nodeId?: string;
  message: string;
}

/** Learning rates outside [low, high] are almost surely typos for this optimizer. */
export const PLAUSIBLE_LR: Record<OptimizerName, [number, number]> = {
  SGD: [1e-6, 10],
  Adam: [1e-6, 0.1],
  AdamW: [1e-6, 0.1],
  RMSprop: [1e-6, 0.1],
  Adagrad: [1e-6, 1],
  Adadelta: [1e-4, 10],
};

/** The last node that changes values, skipping Identity and Dropout (which is a no-op in eval). */
function lastMeaningful(spec: ModelSpec, nodes: Map<string, SpecNode>): SpecNode | undefined {
  let id = outputId(spec);
  while (id) {
    const node = nodes.get(id);
    if (!node || (node.op !== 'Identity' && node.op !== 'Dropout')) return node;
    id = inputsOf(spec, id)[0];
  }
  return undefined;
}

export function lintSpec(spec: ModelSpec): LintWarning[] {
  const warnings: LintWarning[] = [];
  const nodes = nodeById(spec);
  const outId = outputId(spec);
  const out = outId ? nodes.get(outId) : undefined;
  const last = lastMeaningful(spec, nodes);
  const loss = spec.loss?.type;

  if (last?.op === 'Softmax' && loss === 'CrossEntropyLoss') {
    warnings.push({
      rule: 'softmax-before-cross-entropy', nodeId: last.id,
      message: `${last.id} (Softmax) feeds CrossEntropyLoss, which applies log_softmax itself; remove the Softmax so the model outputs raw logits (a softmax twice squashes the gradients).`,
    });
  }
  if (loss === 'NLLLoss' && last?.op !== 'LogSoftmax') {
    warnings.push({
      rule: 'nll-without-log-softmax', nodeId: last?.id,
      message: `NLLLoss expects log-probabilities, but the model ends with ${last ? `${last.id} (${last.op})` : 'no layer'}; add LogSoftmax(dim=1) at the end, or use CrossEntropyLoss.`,
    });
  }
  if (last?.op === 'Sigmoid' && loss === 'BCEWithLogitsLoss') {
    warnings.push({
      rule: 'sigmoid-before-bce-with-logits', nodeId: last.id,
      message: `${last.id} (Sigmoid) feeds BCEWithLogitsLoss, which applies the sigmoid itself; remove the Sigmoid.`,
    });
  }
  if (loss === 'BCELoss' && last?.op !== 'Sigmoid') {
    warnings.push({
      rule: 'bce-without-sigmoid', nodeId: last?.id,
      message: 'BCELoss needs probabilities in [0, 1]; end the model with Sigmoid, or use BCEWithLogitsLoss on raw outputs.',
    });
  }
  if (out?.op === 'Dropout') {
    warnings.push({
      rule: 'dropout-last', nodeId: out.id,
      message: `${out.id} (Dropout) is the last layer, so it randomly zeroes the class scores in training; put Dropout before the last Linear.`,
    });
  }

  const shapes = inferShapes(spec);
  for (const node of spec.nodes) {
    if (node.op !== 'Linear') continue;
    const from = inputsOf(spec, node.id)[0];
    const input = from ? shapes.nodes[from]?.shape : null;
    if (input && input.length >= 4) {
      warnings.push({
        rule: 'linear-on-image', nodeId: node.id,
        message: `${node.id} (Linear) gets a ${input.length}-D input [${input.join(', ')}] and mixes only its last dim; insert Flatten before it to use every pixel.`,
      });
    }
  }

  const optimizer = OPTIMIZER_CATALOGUE[spec.optimizer?.type];
  const lr = optimizer ? resolveParams(optimizer.params, spec.optimizer.params).lr : undefined;
  const range = PLAUSIBLE_LR[spec.optimizer.type];
  if (typeof lr === 'number' && range && (lr < range[0] || lr > range[1])) {
    warnings.push({
      rule: 'implausible-lr',
      message: `lr ${lr} is ${lr > range[1] ? 'very high' : 'very low'} for ${spec.optimizer.type} (usual range ${range[0]} to ${range[1]}); training will likely ${lr > range[1] ? 'diverge to NaN' : 'not move'}.`,
    });
  }
  return warnings;
}
