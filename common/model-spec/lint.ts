/**
 * lintSpec: warnings for valid specs that are probably mistakes, the classic PyTorch ones. Each names the node
 * (when there is one), says why it matters and what to do. Assumes validateSpec passed.
 */
import { LOSS_CATALOGUE, OPTIMIZER_CATALOGUE, resolveParams } from './catalogue';
import { diagnostic, renderDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticParams } from './diagnostics';
import { inputsOf, nodeById, outputId } from './graph';
import { inferShapes } from './shapes';
import type { ModelSpec, OptimizerName, SpecNode } from './types';

/** `code`/`params` say what `message` says, for the UI to translate; `code` is the rule, or a finer case of it. */
export interface LintWarning extends Diagnostic {
  /** Stable id of the rule, for tests and for hiding a warning in the UI. */
  rule: string;
  nodeId?: string;
  message: string;
}

function warning(rule: string, nodeId: string | undefined, code: DiagnosticCode, params: DiagnosticParams = {}): LintWarning {
  return { rule, ...(nodeId === undefined ? {} : { nodeId }), code, params, message: renderDiagnostic(diagnostic(code, params)) };
}

/** Learning rates outside [low, high] are almost surely typos for this optimizer (each row's `plausibleLr`). */
export const PLAUSIBLE_LR = Object.fromEntries(
  Object.entries(OPTIMIZER_CATALOGUE).map(([name, info]) => [name, info.plausibleLr]),
) as Record<OptimizerName, [number, number]>;

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
    warnings.push(warning('softmax-before-cross-entropy', last.id, 'softmax-before-cross-entropy', { id: last.id }));
  }
  if (loss === 'NLLLoss' && last?.op !== 'LogSoftmax') {
    const ending = last ? diagnostic('node-label', { id: last.id, op: last.op }) : diagnostic('no-layer');
    warnings.push(warning('nll-without-log-softmax', last?.id, 'nll-without-log-softmax', { last: ending }));
  }
  if (last?.op === 'Sigmoid' && loss === 'BCEWithLogitsLoss') {
    warnings.push(warning('sigmoid-before-bce-with-logits', last.id, 'sigmoid-before-bce-with-logits', { id: last.id }));
  }
  if (loss === 'BCELoss' && last?.op !== 'Sigmoid') {
    warnings.push(warning('bce-without-sigmoid', last?.id, 'bce-without-sigmoid'));
  }
  if (loss === 'KLDivLoss') {
    if (last?.op !== 'LogSoftmax') {
      const ending = last ? diagnostic('node-label', { id: last.id, op: last.op }) : diagnostic('no-layer');
      warnings.push(warning('kl-div-without-log-softmax', last?.id, 'kl-div-without-log-softmax', { last: ending }));
    }
    if (resolveParams(LOSS_CATALOGUE.KLDivLoss.params, spec.loss.params).reduction === 'mean') {
      warnings.push(warning('kl-div-mean', undefined, 'kl-div-mean'));
    }
  }
  if (loss === 'MultiMarginLoss' && last && ['Softmax', 'LogSoftmax', 'Sigmoid'].includes(last.op)) {
    warnings.push(warning('margin-on-squashed', last.id, 'margin-on-squashed', { id: last.id, op: last.op }));
  }
  if (out?.op === 'Dropout') {
    warnings.push(warning('dropout-last', out.id, 'dropout-last', { id: out.id }));
  }

  const shapes = inferShapes(spec);
  for (const node of spec.nodes) {
    if (node.op !== 'Linear') continue;
    const from = inputsOf(spec, node.id)[0];
    const input = from ? shapes.nodes[from]?.shape : null;
    if (input && input.length >= 4) {
      warnings.push(warning('linear-on-image', node.id, 'linear-on-image', { id: node.id, rank: input.length, shape: `[${input.join(', ')}]` }));
    }
  }

  const optimizer = OPTIMIZER_CATALOGUE[spec.optimizer?.type];
  const lr = optimizer ? resolveParams(optimizer.params, spec.optimizer.params).lr : undefined;
  const range = PLAUSIBLE_LR[spec.optimizer.type];
  if (typeof lr === 'number' && range && (lr < range[0] || lr > range[1])) {
    const params = { lr, optimizer: spec.optimizer.type, low: range[0], high: range[1] };
    warnings.push(warning('implausible-lr', undefined, lr > range[1] ? 'lr-too-high' : 'lr-too-low', params));
  }
  return warnings;
}
