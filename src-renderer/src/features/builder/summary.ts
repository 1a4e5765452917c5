/**
 * What the builder shows around the graph, computed from the spec and inferShapes' report: edge badges, compact
 * shapes, the facts behind each node's accessible name, the memory estimate and why Train is not possible yet.
 */
import type { LintWarning, ModelSpec, OptimizerSpec, Shape, ShapeIssue, ShapeReport, SpecError, SpecNode } from '../../../../common/model-spec';
import { OP_CATALOGUE, OPTIMIZER_CATALOGUE, opParams, pair, resolveParams, type NodeFactKind } from '../../../../common/model-spec';
import type { PendingEdit } from './pending-edits';

/** ['N', 1, 28, 28] → '[N,1,28,28]'; unknown → '?'. */
export function compactShape(shape: Shape | null | undefined): string {
  return shape ? `[${shape.join(',')}]` : '?';
}

/** One sample's dims: ['N', 16, 14, 14] → '16×14×14'. */
export function sampleDims(shape: Shape | null | undefined): string {
  return shape ? shape.filter((d) => d !== 'N').join('×') : '?';
}

/** The badge on edge from → to: what the tensor is before and after `to`, e.g. '[N,1,28,28] → [N,784]'. */
export function edgeBadge(report: ShapeReport, from: string, to: string): string {
  return `${compactShape(report.nodes[from]?.shape)} → ${compactShape(report.nodes[to]?.shape)}`;
}

/** For a chain: the shape after each node, '[N,1,28,28] → [N,784] → [N,10]'; null for a graph. */
export function shapeFlow(report: ShapeReport, chainIds: readonly string[] | null): string | null {
  if (!chainIds) return null;
  return chainIds.map((id) => compactShape(report.nodes[id]?.shape)).join(' → ');
}

export type NodeFact = { kind: NodeFactKind | 'none'; value: string };

/** The op's telling number for its accessible name (its catalogue row's `fact`): Conv2d's filters, Linear's out_features, … */
export function nodeFact(node: SpecNode): NodeFact {
  const fact = OP_CATALOGUE[node.op]?.fact;
  if (!fact) return { kind: 'none', value: '' };
  const value = opParams(node)[fact.param];
  if (fact.kind === 'kernel') return value == null ? { kind: 'none', value: '' } : { kind: 'kernel', value: pair(value).join('×') };
  return { kind: fact.kind, value: String(value ?? '?') };
}

/** Extra state each optimizer keeps per parameter (momentum buffers, moment estimates): its row's `stateSlots`. */
export function optimizerSlots(optimizer: OptimizerSpec): number {
  const info = OPTIMIZER_CATALOGUE[optimizer.type];
  return info.stateSlots(resolveParams(info.params, optimizer.params));
}

/**
 * Training memory in bytes (float32): weights, gradients and optimizer state, plus every node's output for a batch,
 * twice (kept for backward, and its gradient).
 */
export function memoryEstimate(spec: ModelSpec, report: ShapeReport): { bytes: number; weights: number; activations: number } {
  const weights = report.totalParams * 4 * (2 + optimizerSlots(spec.optimizer));
  let perSample = 0;
  for (const id of report.order) {
    const shape = report.nodes[id]?.shape;
    if (shape) perSample += shape.reduce<number>((a, d) => (d === 'N' ? a : a * d), 1);
  }
  const activations = perSample * 4 * spec.data.batchSize * 2;
  return { bytes: weights + activations, weights, activations };
}

/** 1536 → '1.5 KB', 3.2e6 → '3.1 MB'. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `error`/`issue` carry the codes for translateDiagnostic; `message`/`fix` are their English. */
export type Blocker =
  | { kind: 'spec'; message: string; error: SpecError }
  | { kind: 'shape'; message: string; fix: string; issue: ShapeIssue }
  | { kind: 'field'; edit: PendingEdit }
  | { kind: 'empty' };

/**
 * Why the graph cannot train yet (the first reason), or null when it can. A field holding invalid text comes
 * before the graph's own errors: it is what the learner just typed, and the spec still holds the old value.
 */
export function trainBlocker(spec: ModelSpec, errors: readonly SpecError[], report: ShapeReport, pending: PendingEdit | null = null): Blocker | null {
  if (spec.nodes.length < 2) return { kind: 'empty' };
  if (pending) return { kind: 'field', edit: pending };
  if (report.error) return { kind: 'shape', message: report.error.message, fix: report.error.fix, issue: report.error };
  if (errors.length > 0) return { kind: 'spec', message: errors[0].message, error: errors[0] };
  return null;
}

/** Lint warnings that name a node, grouped for the node's own tooltip. */
export function warningsFor(warnings: readonly LintWarning[], id: string): LintWarning[] {
  return warnings.filter((w) => w.nodeId === id);
}
