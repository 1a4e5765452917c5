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

export interface ShapeIssue {
  nodeId: string;
  /** The edge whose shapes do not fit, when there is one. */
  edge?: { from: string; to: string };
  message: string;
  fix: string;
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
  constructor(message: string, readonly fix: string) {
    super(message);
  }
}

interface Computed { shape: Shape; params?: number; formula?: string; macs?: number }

function convOut(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s + 1);
}

function expectRank(node: SpecNode, s: Shape, ranks: number[], layout: string, fix: string): void {
  if (!ranks.includes(s.length)) throw new ShapeError(`${node.id} (${node.op}) needs ${layout} input but gets ${formatShape(s)}`, fix);
}

function normDim(dim: number, rank: number, node: SpecNode): number {
  const d = dim < 0 ? dim + rank : dim;
  if (d < 0 || d >= rank) throw new ShapeError(`${node.id} (${node.op}): dim ${dim} is out of range for a ${rank}-D input`, `set dim between ${-rank} and ${rank - 1}`);
  return d;
}

function fromImage(prev: SpecNode | undefined): string {
  return prev?.op === 'Input' ? 'set the Input shape to [1, 28, 28]' : 'move it before any Flatten or Linear';
}

function linear(node: SpecNode, p: Params, s: Shape): Computed {
  const inF = p.inFeatures as number, outF = p.outFeatures as number;
  if (s.length < 2) throw new ShapeError(`${node.id} (Linear) needs (N, in_features) input but gets ${formatShape(s)}`, 'connect it after a layer with features');
  const last = s[s.length - 1] as number;
  if (last !== inF) {
    const features = product(s.slice(1) as number[]);
    const fix = s.length > 2
      ? features === inF ? `insert Flatten before ${node.id}` : `insert Flatten before ${node.id} and set in_features to ${features}`
      : `set in_features of ${node.id} to ${last}`;
    throw new ShapeError(`${node.id} (Linear) expects in_features ${inF} but its input ${formatShape(s)} has ${last}`, fix);
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
  if (c !== cin) throw new ShapeError(`${node.id} (Conv2d) expects in_channels ${cin} but its input ${formatShape(s)} has ${c} channels`, `set in_channels of ${node.id} to ${c}`);
  const [kh, kw] = pair(p.kernelSize), [sh, sw] = pair(p.stride), [ph, pw] = pair(p.padding), [dh, dw] = pair(p.dilation);
  const ho = convOut(h, kh, sh, ph, dh), wo = convOut(w, kw, sw, pw, dw);
  if (ho < 1 || wo < 1) {
    throw new ShapeError(`${node.id} (Conv2d): a ${kh}×${kw} kernel does not fit the ${h}×${w} input`, `reduce kernel_size or add padding to ${node.id}, or remove a pooling layer before it`);
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
  if (ph > kh / 2 || pw > kw / 2) throw new ShapeError(`${node.id} (${node.op}): padding must be at most half the kernel size`, `set padding of ${node.id} to at most ${Math.floor(Math.min(kh, kw) / 2)}`);
  const ho = convOut(h, kh, sh, ph, 1), wo = convOut(w, kw, sw, pw, 1);
  if (ho < 1 || wo < 1) throw new ShapeError(`${node.id} (${node.op}): a ${kh}×${kw} window does not fit the ${h}×${w} input`, `reduce kernel_size of ${node.id} or remove an earlier downsampling layer`);
  return { shape: ['N', c, ho, wo] };
}

function flatten(node: SpecNode, p: Params, s: Shape): Computed {
  const start = normDim(p.startDim as number, s.length, node), end = normDim(p.endDim as number, s.length, node);
  if (start > end) throw new ShapeError(`${node.id} (Flatten): start_dim comes after end_dim`, 'set start_dim ≤ end_dim');
  if (start === 0 && end > 0) throw new ShapeError(`${node.id} (Flatten): flattening the batch dim mixes samples together`, 'set start_dim to 1');
  if (start === end) return { shape: s };
  return { shape: [...s.slice(0, start), product(s.slice(start, end + 1) as number[]), ...s.slice(end + 1)] };
}

function batchNorm(node: SpecNode, p: Params, s: Shape): Computed {
  const is2d = node.op === 'BatchNorm2d';
  expectRank(node, s, is2d ? [4] : [2, 3], is2d ? '(N, C, H, W)' : '(N, C) or (N, C, L)', is2d ? 'use BatchNorm1d after Flatten/Linear' : 'use BatchNorm2d after a Conv2d');
  const c = s[1] as number, nf = p.numFeatures as number;
  if (c !== nf) throw new ShapeError(`${node.id} (${node.op}) expects num_features ${nf} but its input ${formatShape(s)} has ${c}`, `set num_features of ${node.id} to ${c}`);
  const count = p.affine ? 2 * c : 0;
  return { shape: s, params: count, formula: count ? `2×${c} = ${formatCount(count)}` : '' };
}

const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

function recurrent(node: SpecNode, p: Params, s: Shape): Computed {
  const inputSize = p.inputSize as number, hidden = p.hiddenSize as number, layers = p.numLayers as number;
  const fix = s.length === 4 && product(s.slice(1) as number[]) === 784
    ? 'set the Input shape to [28, 28] (each image row is one time step)'
    : 'feed it a sequence (N, L, features)';
  expectRank(node, s, [3], '(N, L, H_in)', fix);
  if (!p.batchFirst) throw new ShapeError(`${node.id} (${node.op}) has batch_first=False, so it would read the batch dim of ${formatShape(s)} as time`, `set batch_first of ${node.id} to True`);
  const [, steps, features] = s as [string, number, number];
  if (features !== inputSize) throw new ShapeError(`${node.id} (${node.op}) expects input_size ${inputSize} but its input ${formatShape(s)} has ${features} features per step`, `set input_size of ${node.id} to ${features}`);
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
        throw Object.assign(new ShapeError(`${node.id} (Add) needs equal shapes but gets ${formatShape(first)} from ${from[0]} and ${formatShape(shapes[i])} from ${from[i]}`, `make ${from[i]} output ${formatShape(first)}`), { from: from[i] });
      }
    }
    return { shape: first };
  }
  const dim = normDim(p.dim as number, first.length, node);
  if (dim === 0) throw new ShapeError(`${node.id} (Concat): joining along dim 0 would stack samples`, 'set dim to 1 (features or channels)');
  let joined = 0;
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    const fits = s.length === first.length && s.every((d, j) => j === dim || d === first[j]);
    if (!fits) {
      throw Object.assign(new ShapeError(`${node.id} (Concat) along dim ${dim} needs the other dims equal but gets ${formatShape(first)} from ${from[0]} and ${formatShape(s)} from ${from[i]}`, `make ${from[i]} output the same shape except dim ${dim}`), { from: from[i] });
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
  const label = `the model outputs ${formatShape(shape)} but ${spec.loss?.type ?? 'the loss'} needs [N, ${NUM_CLASSES}] (one score per class)`;
  if (shape.length > 2) {
    const features = product(shape.slice(1) as number[]);
    const fix = features === NUM_CLASSES ? `insert Flatten after ${outId}` : `insert Flatten and Linear(${features}, ${NUM_CLASSES}) after ${outId}`;
    return { nodeId: outId, message: label, fix };
  }
  // Walk back through shape-keeping layers to the Linear that sets the width.
  let id: string | undefined = outId;
  while (id) {
    const node = nodes.get(id);
    if (!node) break;
    if (node.op === 'Linear') return { nodeId: outId, message: label, fix: `set out_features of ${node.id} to ${NUM_CLASSES}` };
    if (OP_CATALOGUE[node.op]?.category !== 'activation' && node.op !== 'Dropout' && node.op !== 'BatchNorm1d') break;
    id = inputsOf(spec, id)[0];
  }
  return { nodeId: outId, message: label, fix: `add Linear(${shape[shape.length - 1]}, ${NUM_CLASSES}) after ${outId}` };
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
      report.error ??= { nodeId: id, edge: edgeFrom ? { from: edgeFrom, to: id } : undefined, message: err.message, fix: err.fix };
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
