/**
 * The divergence watchdog's words: when a run's loss turns NaN/Inf or grows past 10× its first value, say what
 * happened and the likely causes, most likely first, reading the spec (and common/model-spec's lint) for the classic
 * mistakes, and offer the fix as an action the UI can send back (`run-restart` with a tenth of the rate). The words
 * are common/engine-text.ts's, sent as codes too so the renderer says them in the learner's language.
 */
import { lintSpec, PLAUSIBLE_LR } from '../../../common/model-spec/lint';
import type { ModelSpec } from '../../../common/model-spec/types';
import { engineText, englishText, type EngineText } from '../../../common/engine-text';
import { train } from '../../../engine/index';

const { DIVERGENCE_FACTOR } = train;

export interface DivergenceReport {
  explanation: string;
  causes: string[];
  /** The same sentences as codes, for the renderer to word in the learner's language. */
  explanationText: EngineText;
  causeTexts: EngineText[];
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
  const loss = Number.isFinite(at.loss) ? at.loss.toPrecision(4) : String(at.loss);
  const firstLoss = String(at.firstLoss?.toPrecision(4));
  const explanationText = !Number.isFinite(at.loss)
    ? at.batch === null
      ? engineText('diverged.epoch.nonFinite', { epoch: at.epoch, loss })
      : engineText('diverged.batch.nonFinite', { epoch: at.epoch, batch: at.batch, loss })
    : at.batch === null
      ? engineText('diverged.epoch.tooLarge', { epoch: at.epoch, loss, factor: DIVERGENCE_FACTOR, firstLoss })
      : engineText('diverged.batch.tooLarge', { epoch: at.epoch, batch: at.batch, loss, factor: DIVERGENCE_FACTOR, firstLoss });
  const causeTexts: EngineText[] = [];
  const lint = lintSpec(spec);
  const optimizer = spec.optimizer.type;
  const [, high] = PLAUSIBLE_LR[optimizer];
  if (lint.some((w) => w.rule === 'nll-without-log-softmax') || (spec.loss.type === 'NLLLoss' && lastOp(spec) === 'Softmax')) {
    causeTexts.push(engineText(lastOp(spec) === 'Softmax' ? 'cause.softmaxIntoNll' : 'cause.nllWithoutLogSoftmax', {}));
  }
  if (at.lr > high) causeTexts.push(engineText('cause.lrTooHigh', { lr: at.lr, optimizer, high, suggested: at.lr / 10 }));
  if (spec.data.normalize === 'none') causeTexts.push(engineText('cause.notNormalized', {}));
  if (at.lr <= high) causeTexts.push(engineText('cause.lrMaybeHigh', { lr: at.lr, optimizer, suggested: at.lr / 10 }));
  return { explanation: englishText(explanationText), causes: causeTexts.map(englishText), explanationText, causeTexts };
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
