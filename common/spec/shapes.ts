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
import { OP_CATALOGUE, opParams, pair } from './catalogue';
import { diagnostic, renderDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticParams } from './diagnostics';
import { inputsOf, nodeById, outputId, topoSort } from './graph';
import { checkParam } from './validate';
import type { ModelSpec, Params, Shape, SpecNode } from './types';

export const NUM_CLASSES = 10;

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

/** 61706 → '61,706' (no locale lookups: the same in every runtime). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatShape(shape: Shape | null): string {
  return shape ? `[${shape.join(', ')}]` : '?';
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

class ShapeError extends Error {
  constructor(readonly problem: Diagnostic, readonly fix: Diagnostic) {
    super(renderDiagnostic(problem));
  }
}

const d = diagnostic;

/** A misfit with its fix, both as diagnostics: `misfit('set-in-features', {…}, 'set-in-features', {…})`. */
function misfit(code: DiagnosticCode, params: DiagnosticParams, fixCode: DiagnosticCode, fixParams: DiagnosticParams = {}): ShapeError {
  return new ShapeError(d(code, params), d(fixCode, fixParams));
}

function issue(nodeId: string, edge: ShapeIssue['edge'], problem: Diagnostic, fix: Diagnostic): ShapeIssue {
  return {
    nodeId, ...(edge ? { edge } : {}), code: problem.code, params: problem.params, message: renderDiagnostic(problem),
    fix: renderDiagnostic(fix), fixCode: fix.code, fixParams: fix.params,
  };
}

interface Computed { shape: Shape; params?: number; formula?: string; macs?: number }

function convOut(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s + 1);
}

function expectRank(node: SpecNode, s: Shape, ranks: number[], layout: DiagnosticParams['layout'], fix: Diagnostic): void {
  if (!ranks.includes(s.length)) throw new ShapeError(d('rank-mismatch', { id: node.id, op: node.op, layout, shape: formatShape(s) }), fix);
}

function normDim(dim: number, rank: number, node: SpecNode): number {
  const n = dim < 0 ? dim + rank : dim;
  if (n < 0 || n >= rank) throw misfit('dim-out-of-range', { id: node.id, op: node.op, dim, rank }, 'fix-dim-range', { lo: -rank, hi: rank - 1 });
  return n;
}

function fromImage(prev: SpecNode | undefined): Diagnostic {
  return d(prev?.op === 'Input' ? 'fix-input-image' : 'fix-move-before-flatten');
}

function linear(node: SpecNode, p: Params, s: Shape): Computed {
  const inF = p.inFeatures as number, outF = p.outFeatures as number;
  if (s.length < 2) throw misfit('linear-needs-features', { id: node.id, shape: formatShape(s) }, 'fix-connect-after-features');
  const last = s[s.length - 1] as number;
  if (last !== inF) {
    const features = product(s.slice(1) as number[]);
    const fix = s.length > 2
      ? features === inF ? d('insert-flatten', { id: node.id }) : d('insert-flatten-set-in-features', { id: node.id, features })
      : d('set-in-features', { id: node.id, value: last });
    throw new ShapeError(d('linear-in-features-mismatch', { id: node.id, expected: inF, shape: formatShape(s), got: last }), fix);
  }
  const bias = p.bias as boolean;
  const count = outF * inF + (bias ? outF : 0);
  return {
    shape: [...s.slice(0, -1), outF],
    params: count,
    formula: `${outF}×${inF}${bias ? ` + ${outF}` : ''} = ${formatCount(count)}`,
    macs: inF * outF * product(s.slice(1, -1) as number[]),
  };
}

function conv2d(node: SpecNode, p: Params, s: Shape, prev: SpecNode | undefined): Computed {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  const [, c, h, w] = s as [string, number, number, number];
  const cin = p.inChannels as number, cout = p.outChannels as number, groups = p.groups as number;
  if (c !== cin) throw misfit('conv-in-channels-mismatch', { id: node.id, expected: cin, shape: formatShape(s), got: c }, 'set-in-channels', { id: node.id, value: c });
  const [kh, kw] = pair(p.kernelSize), [sh, sw] = pair(p.stride), [ph, pw] = pair(p.padding), [dh, dw] = pair(p.dilation);
  const ho = convOut(h, kh, sh, ph, dh), wo = convOut(w, kw, sw, pw, dw);
  if (ho < 1 || wo < 1) {
    throw misfit('conv-kernel-too-big', { id: node.id, kh, kw, h, w }, 'fix-conv-kernel', { id: node.id });
  }
  const bias = p.bias as boolean;
  const perFilter = (cin / groups) * kh * kw;
  const count = cout * perFilter + (bias ? cout : 0);
  return {
    shape: ['N', cout, ho, wo],
    params: count,
    formula: `${cout}×${cin / groups}×${kh}×${kw}${bias ? ` + ${cout}` : ''} = ${formatCount(count)}`,
    macs: cout * ho * wo * perFilter,
  };
}

function pool(node: SpecNode, p: Params, s: Shape, prev: SpecNode | undefined): Computed {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  const [, c, h, w] = s as [string, number, number, number];
  const [kh, kw] = pair(p.kernelSize), [sh, sw] = pair(p.stride ?? p.kernelSize), [ph, pw] = pair(p.padding);
  if (ph > kh / 2 || pw > kw / 2) throw misfit('pool-padding-too-big', { id: node.id, op: node.op }, 'set-pool-padding', { id: node.id, value: Math.floor(Math.min(kh, kw) / 2) });
  const ho = convOut(h, kh, sh, ph, 1), wo = convOut(w, kw, sw, pw, 1);
  if (ho < 1 || wo < 1) throw misfit('pool-window-too-big', { id: node.id, op: node.op, kh, kw, h, w }, 'fix-pool-kernel', { id: node.id });
  return { shape: ['N', c, ho, wo] };
}

function flatten(node: SpecNode, p: Params, s: Shape): Computed {
  const start = normDim(p.startDim as number, s.length, node), end = normDim(p.endDim as number, s.length, node);
  if (start > end) throw misfit('flatten-start-after-end', { id: node.id }, 'fix-flatten-order');
  if (start === 0 && end > 0) throw misfit('flatten-batch', { id: node.id }, 'fix-flatten-start');
  if (start === end) return { shape: s };
  return { shape: [...s.slice(0, start), product(s.slice(start, end + 1) as number[]), ...s.slice(end + 1)] };
}

function batchNorm(node: SpecNode, p: Params, s: Shape): Computed {
  const is2d = node.op === 'BatchNorm2d';
  const layout = is2d ? '(N, C, H, W)' : d('layout-either', { a: '(N, C)', b: '(N, C, L)' });
  expectRank(node, s, is2d ? [4] : [2, 3], layout, d(is2d ? 'use-batchnorm1d' : 'use-batchnorm2d'));
  const c = s[1] as number, nf = p.numFeatures as number;
  if (c !== nf) throw misfit('num-features-mismatch', { id: node.id, op: node.op, expected: nf, shape: formatShape(s), got: c }, 'set-num-features', { id: node.id, value: c });
  const count = p.affine ? 2 * c : 0;
  return { shape: s, params: count, formula: count ? `2×${c} = ${formatCount(count)}` : '' };
}

const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

function recurrent(node: SpecNode, p: Params, s: Shape): Computed {
  const inputSize = p.inputSize as number, hidden = p.hiddenSize as number, layers = p.numLayers as number;
  const fix = d(s.length === 4 && product(s.slice(1) as number[]) === 784 ? 'fix-input-rows' : 'fix-feed-sequence');
  expectRank(node, s, [3], '(N, L, H_in)', fix);
  if (!p.batchFirst) throw misfit('batch-first-false', { id: node.id, op: node.op, shape: formatShape(s) }, 'set-batch-first', { id: node.id });
  const [, steps, features] = s as [string, number, number];
  if (features !== inputSize) {
    throw misfit('input-size-mismatch', { id: node.id, op: node.op, expected: inputSize, shape: formatShape(s), got: features }, 'set-input-size', { id: node.id, value: features });
  }
  const g = GATES[node.op], gh = g * hidden;
  const terms: string[] = [];
  let count = 0, macsPerStep = 0;
  for (let l = 0; l < layers; l++) {
    const inL = l === 0 ? inputSize : hidden;
    const gate = g === 1 ? `${hidden}` : `${g}×${hidden}`;
    terms.push(`${gate}×${inL}`, `${gate}×${hidden}`);
    if (p.bias) terms.push(`2×${gate}`);
    count += gh * inL + gh * hidden + (p.bias ? 2 * gh : 0);
    macsPerStep += gh * (inL + hidden);
  }
  return {
    shape: p.output === 'last' ? ['N', hidden] : ['N', steps, hidden],
    params: count,
    formula: `${terms.join(' + ')} = ${formatCount(count)}`,
    macs: macsPerStep * steps,
  };
}

function merge(node: SpecNode, p: Params, shapes: Shape[], from: string[]): Computed {
  const first = shapes[0];
  if (node.op === 'Add') {
    for (let i = 1; i < shapes.length; i++) {
      if (formatShape(shapes[i]) !== formatShape(first)) {
        const problem = { id: node.id, a: formatShape(first), fromA: from[0], b: formatShape(shapes[i]), fromB: from[i] };
        throw Object.assign(misfit('add-shape-mismatch', problem, 'fix-add-shape', { from: from[i], shape: formatShape(first) }), { from: from[i] });
      }
    }
    return { shape: first };
  }
  const dim = normDim(p.dim as number, first.length, node);
  if (dim === 0) throw misfit('concat-dim-zero', { id: node.id }, 'fix-concat-dim');
  let joined = 0;
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    const fits = s.length === first.length && s.every((d, j) => j === dim || d === first[j]);
    if (!fits) {
      const problem = { id: node.id, dim, a: formatShape(first), fromA: from[0], b: formatShape(s), fromB: from[i] };
      throw Object.assign(misfit('concat-shape-mismatch', problem, 'fix-concat-shape', { from: from[i], dim }), { from: from[i] });
    }
    joined += s[dim] as number;
  }
  return { shape: first.map((d, j) => (j === dim ? joined : d)) };
}

function compute(node: SpecNode, p: Params, inputs: Shape[], from: string[], prev: SpecNode | undefined): Computed {
  const s = inputs[0];
  switch (node.op) {
    case 'Input': return { shape: ['N', ...(p.shape as number[])] };
    case 'Linear': return linear(node, p, s);
    case 'Conv2d': return conv2d(node, p, s, prev);
    case 'MaxPool2d': case 'AvgPool2d': return pool(node, p, s, prev);
    case 'AdaptiveAvgPool2d': {
      expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
      return { shape: ['N', s[1], ...pair(p.outputSize)] };
    }
    case 'Flatten': return flatten(node, p, s);
    case 'BatchNorm1d': case 'BatchNorm2d': return batchNorm(node, p, s);
    case 'RNN': case 'LSTM': case 'GRU': return recurrent(node, p, s);
    case 'Softmax': case 'LogSoftmax': normDim(p.dim as number, s.length, node); return { shape: s };
    case 'Add': case 'Concat': return merge(node, p, inputs, from);
    default: return { shape: s };
  }
}

/** Where the output does not fit the loss (MNIST: 10 class scores per sample), and how to fix it. */
function outputIssue(spec: ModelSpec, outId: string, shape: Shape): ShapeIssue | null {
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
      const out = compute(node, p, inputs as Shape[], from, nodes.get(from[0]));
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
