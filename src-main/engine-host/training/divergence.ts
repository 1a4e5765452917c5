/**
 * The divergence watchdog's words: when a run's loss turns NaN/Inf or grows past 10× its first value, say what
 * happened and the likely causes, most likely first, reading the spec (and common/spec's lint) for the classic
 * mistakes, and offer the fix as an action the UI can send back (`run-restart` with a tenth of the rate).
 */
import { lintSpec, PLAUSIBLE_LR } from '../../../common/spec/lint';
import type { ModelSpec } from '../../../common/spec/types';
import { DIVERGENCE_FACTOR } from './trainer';

export interface DivergenceReport {
  explanation: string;
  causes: string[];
}

/** Where it happened: a batch's loss against the run's first batch, or (batch null) an epoch's mean against the first epoch's. */
export interface DivergedAt {
  epoch: number;
  batch: number | null;
  loss: number;
  firstLoss: number | null;
  lr: number;
}

export function explainDivergence(spec: ModelSpec, at: DivergedAt): DivergenceReport {
  const what = !Number.isFinite(at.loss)
    ? `the loss became ${at.loss}`
    : at.batch === null
      ? `the epoch's mean loss reached ${at.loss.toPrecision(4)}, more than ${DIVERGENCE_FACTOR}× the first epoch's (${at.firstLoss?.toPrecision(4)})`
      : `the loss reached ${at.loss.toPrecision(4)}, more than ${DIVERGENCE_FACTOR}× its first value (${at.firstLoss?.toPrecision(4)})`;
  const where = at.batch === null ? `epoch ${at.epoch}` : `epoch ${at.epoch}, batch ${at.batch}`;
  const causes: string[] = [];
  const lint = lintSpec(spec);
  const optimizer = spec.optimizer.type;
  const [, high] = PLAUSIBLE_LR[optimizer];
  if (lint.some((w) => w.rule === 'nll-without-log-softmax') || (spec.loss.type === 'NLLLoss' && lastOp(spec) === 'Softmax')) {
    causes.push(
      lastOp(spec) === 'Softmax'
        ? 'The model ends with Softmax and feeds NLLLoss: probabilities that round to 0 give log(0) = −∞. End with LogSoftmax instead, or drop the Softmax and use CrossEntropyLoss.'
        : 'NLLLoss expects log-probabilities but the model does not end with LogSoftmax; add LogSoftmax(dim=1) or use CrossEntropyLoss.',
    );
  }
  if (at.lr > high) {
    causes.push(`The learning rate ${at.lr} is too high for ${optimizer} (usual range up to ${high}): each step overshoots and the loss explodes. Try ${at.lr / 10}.`);
  }
  if (spec.data.normalize === 'none') {
    causes.push('The inputs are not normalised (pixels 0..255), so activations and gradients are about 255× too large. Set the data normalisation to "standardize" (or at least "scale").');
  }
  if (at.lr <= high) {
    causes.push(`The learning rate ${at.lr} may still be too high for this model and ${optimizer}; restarting from the last good checkpoint with ${at.lr / 10} usually settles it.`);
  }
  return {
    explanation: `Training diverged at ${where}: ${what}. The run was stopped and its last good checkpoint restored.`,
    causes,
  };
}

function lastOp(spec: ModelSpec): string | undefined {
  const outgoing = new Set(spec.edges.map((e) => e.from));
  let node = spec.nodes.find((n) => !outgoing.has(n.id));
  // Skip layers that do not change values in eval (Identity, Dropout), as the lint does.
  while (node && (node.op === 'Identity' || node.op === 'Dropout')) {
    const from = spec.edges.find((e) => e.to === node!.id)?.from;
    node = spec.nodes.find((n) => n.id === from);
  }
  return node?.op;
}
