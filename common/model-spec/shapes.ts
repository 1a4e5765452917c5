/**
 * inferShapes: each node's output shape, parameter count (with the arithmetic spelled out) and MACs per sample,
 * plus the first place where shapes do not fit, with a fix in plain words.
 *
 * Tolerant of unfinished graphs (the builder calls it on every edit): a node whose input is missing or broken
 * gets `shape: null` and the walk goes on.
 *
 * MACs count multiply-accumulates of Linear, Conv2d and the recurrent layers for one sample; pooling,
 * normalization and activations are counted as 0 (they are cheap next to them).
 */
import { OP_CATALOGUE, opParams } from './catalogue';
import { diagnostic, renderDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticParams } from './diagnostics';
import { inputsOf, nodeById, outputId, topoSort } from './graph';
import { formatShape, NUM_CLASSES, ShapeError } from './shape-rules';
import { IMAGE_TARGET_SHAPE, targetOf } from './target';
import { checkParam } from './validate';
import type { ModelSpec, Shape } from './types';

export { formatCount, formatShape, NUM_CLASSES } from './shape-rules';

export interface NodeShape {
  id: string;
  op: string;
  /** Output shape with the batch as 'N', e.g. ['N', 16, 14, 14]; null when it cannot be known. */
  shape: Shape | null;
  params: number;
  /** e.g. '16×1×3×3 + 16 = 160'; '' when the node has no parameters. */
  paramFormula: string;
  macs: number;
}

/** `code`/`params` and `fixCode`/`fixParams` say what `message` and `fix` say, for the UI to translate. */
export interface ShapeIssue extends Diagnostic {
  nodeId: string;
  /** The edge whose shapes do not fit, when there is one. */
  edge?: { from: string; to: string };
  message: string;
  fix: string;
  fixCode: DiagnosticCode;
  fixParams: DiagnosticParams;
}

export interface ShapeReport {
  /** Keyed by node id, in topological order (nodes on a cycle last, without a shape). */
  nodes: Record<string, NodeShape>;
  order: string[];
  outputShape: Shape | null;
  totalParams: number;
  totalMacs: number;
  /** The first incompatibility in topological order (or the output not fitting the loss); null if all fit. */
  error: ShapeIssue | null;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

const d = diagnostic;

function issue(nodeId: string, edge: ShapeIssue['edge'], problem: Diagnostic, fix: Diagnostic): ShapeIssue {
  return {
    nodeId, ...(edge ? { edge } : {}), code: problem.code, params: problem.params, message: renderDiagnostic(problem),
    fix: renderDiagnostic(fix), fixCode: fix.code, fixParams: fix.params,
  };
}

/** Where the output does not fit the loss (10 class scores per sample, or the input image for an image target), and the fix. */
function outputIssue(spec: ModelSpec, outId: string, shape: Shape): ShapeIssue | null {
  if (targetOf(spec) === 'image') {
    if (formatShape(shape) === formatShape(IMAGE_TARGET_SHAPE)) return null;
    const label = d('output-not-image', { shape: formatShape(shape), loss: spec.loss?.type ?? d('the-loss') });
    return issue(outId, undefined, label, d('fix-output-image'));
  }
  if (shape.length === 2 && shape[1] === NUM_CLASSES) return null;
  const nodes = nodeById(spec);
  const label = d('output-not-classes', { shape: formatShape(shape), loss: spec.loss?.type ?? d('the-loss'), classes: NUM_CLASSES });
  if (shape.length > 2) {
    const features = product(shape.slice(1) as number[]);
    const fix = features === NUM_CLASSES
      ? d('insert-flatten-after', { id: outId })
      : d('insert-flatten-linear-after', { features, classes: NUM_CLASSES, id: outId });
    return issue(outId, undefined, label, fix);
  }
  // Walk back through shape-keeping layers to the Linear that sets the width.
  let id: string | undefined = outId;
  while (id) {
    const node = nodes.get(id);
    if (!node) break;
    if (node.op === 'Linear') return issue(outId, undefined, label, d('set-out-features', { id: node.id, classes: NUM_CLASSES }));
    if (OP_CATALOGUE[node.op]?.category !== 'activation' && node.op !== 'Dropout' && node.op !== 'BatchNorm1d') break;
    id = inputsOf(spec, id)[0];
  }
  return issue(outId, undefined, label, d('add-linear-after', { features: shape[shape.length - 1] as number, classes: NUM_CLASSES, id: outId }));
}

export function inferShapes(spec: ModelSpec): ShapeReport {
  const nodes = nodeById(spec);
  const { order } = topoSort(spec);
  const report: ShapeReport = { nodes: {}, order, outputShape: null, totalParams: 0, totalMacs: 0, error: null };
  for (const id of order) {
    const node = nodes.get(id)!;
    const info: NodeShape = { id, op: node.op, shape: null, params: 0, paramFormula: '', macs: 0 };
    report.nodes[id] = info;
    const catalogue = OP_CATALOGUE[node.op];
    if (!catalogue) continue;
    const p = opParams(node);
    if (catalogue.params.some((pi) => checkParam(pi, p[pi.name]) !== null)) continue;
    const from = node.op === 'Input' ? [] : inputsOf(spec, id);
    const isMerge = catalogue.category === 'merge';
    if (node.op !== 'Input' && (from.length === 0 || (!isMerge && from.length > 1) || (isMerge && from.length < 2))) continue;
    const inputs = from.map((f) => report.nodes[f]?.shape ?? null);
    if (inputs.some((s) => s === null)) continue;
    try {
      const out = catalogue.infer({ node, p, s: inputs[0] as Shape, inputs: inputs as Shape[], from, prev: nodes.get(from[0]) });
      info.shape = out.shape;
      info.params = out.params ?? 0;
      info.paramFormula = out.formula ?? '';
      info.macs = out.macs ?? 0;
      report.totalParams += info.params;
      report.totalMacs += info.macs;
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      const edgeFrom = (err as ShapeError & { from?: string }).from ?? from[0];
      report.error ??= issue(id, edgeFrom ? { from: edgeFrom, to: id } : undefined, err.problem, err.fix);
    }
  }
  // Nodes on a cycle never come out of the sort: list them too, without a shape, so every node has an entry.
  for (const node of spec.nodes) {
    report.nodes[node.id] ??= { id: node.id, op: node.op, shape: null, params: 0, paramFormula: '', macs: 0 };
  }
  const out = outputId(spec);
  if (out && report.nodes[out]) {
    report.outputShape = report.nodes[out].shape;
    if (!report.error && report.outputShape && nodes.get(out)!.op !== 'Input') report.error = outputIssue(spec, out, report.outputShape);
  }
  return report;
}
