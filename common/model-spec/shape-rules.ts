/**
 * The shape rules that the catalogue's rows point to (catalogue.ts `infer`): each takes a node's params and input
 * shapes and returns its output shape, parameter count (with the arithmetic) and MACs per sample, or throws a
 * ShapeError whose problem and fix are diagnostics (diagnostics.ts). inferShapes (shapes.ts) walks the graph.
 */
import { diagnostic, renderDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticParams } from './diagnostics';
import type { ParamValue, Params, Shape, SpecNode } from './types';

/** The classes of MNIST and Fashion-MNIST: the output width every model must end with. */
export const NUM_CLASSES = 10;

/** 61706 → '61,706' (no locale lookups: the same in every runtime). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatShape(shape: Shape | null): string {
  return shape ? `[${shape.join(', ')}]` : '?';
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export class ShapeError extends Error {
  constructor(readonly problem: Diagnostic, readonly fix: Diagnostic) {
    super(renderDiagnostic(problem));
  }
}

const d = diagnostic;

/** A misfit with its fix, both as diagnostics: `misfit('set-in-features', {…}, 'set-in-features', {…})`. */
function misfit(code: DiagnosticCode, params: DiagnosticParams, fixCode: DiagnosticCode, fixParams: DiagnosticParams = {}): ShapeError {
  return new ShapeError(d(code, params), d(fixCode, fixParams));
}

/** A node's output shape, and its parameter count, the arithmetic behind it and MACs per sample where it has them. */
export interface Computed { shape: Shape; params?: number; formula?: string; macs?: number }

/** What a shape rule sees: the node, its params with defaults filled in, its inputs' shapes and where they come from. */
export interface ShapeInput {
  node: SpecNode;
  p: Params;
  /** The first (for most ops, the only) input's shape. */
  s: Shape;
  inputs: Shape[];
  from: string[];
  /** The node feeding the first input, to word a fix ("move it before Flatten"). */
  prev: SpecNode | undefined;
}

/** One catalogue row's shape rule: the output shape, or a thrown ShapeError naming the misfit and its fix. */
export type ShapeRule = (x: ShapeInput) => Computed;

/** An int2 value as [h, w]. */
export function pair(value: ParamValue): [number, number] {
  if (Array.isArray(value)) return [value[0], value[1]];
  return [value as number, value as number];
}

function convOut(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s + 1);
}

/**
 * A convolution's padding along one dim of `size`, as torch applies it: [before, after]. 'valid' is none; 'same'
 * pads dilation·(k − 1) in all, the odd one after (torch's _reversed_padding_repeated_twice). A padding_mode other
 * than 'zeros' copies input values into the padding, so torch refuses what it cannot copy: 'reflect' mirrors fewer
 * values than the dim has, 'circular' wraps at most all of them.
 */
function convPadding(node: SpecNode, p: Params, padding: ParamValue, size: number, k: number, dilation: number): [number, number] {
  const total = padding === 'same' ? dilation * (k - 1) : padding === 'valid' ? 0 : 2 * (padding as number);
  const pads: [number, number] = [Math.floor(total / 2), total - Math.floor(total / 2)];
  const pad = pads[1], mode = p.paddingMode ?? 'zeros', where = { id: node.id, op: node.op, pad, size };
  if (mode === 'reflect' && pad >= size) throw misfit('reflect-padding-too-big', { ...where, max: size - 1 }, 'fix-reduce-padding', { id: node.id });
  if (mode === 'circular' && pad > size) throw misfit('circular-padding-too-big', where, 'fix-reduce-padding', { id: node.id });
  return pads;
}

/** An int2 padding as [h, w], or a word ('same', 'valid') for both. */
const paddingPair = (v: ParamValue): [ParamValue, ParamValue] => (typeof v === 'string' ? [v, v] : pair(v));

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

export function linear({ node, p, s }: ShapeInput): Computed {
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

export function conv2d({ node, p, s, prev }: ShapeInput): Computed {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  const [, c, h, w] = s as [string, number, number, number];
  const cin = p.inChannels as number, cout = p.outChannels as number, groups = p.groups as number;
  if (c !== cin) throw misfit('conv-in-channels-mismatch', { id: node.id, expected: cin, shape: formatShape(s), got: c }, 'set-in-channels', { id: node.id, value: c });
  const [kh, kw] = pair(p.kernelSize), [sh, sw] = pair(p.stride), [ph, pw] = paddingPair(p.padding), [dh, dw] = pair(p.dilation);
  const [top, bottom] = convPadding(node, p, ph, h, kh, dh), [left, right] = convPadding(node, p, pw, w, kw, dw);
  const ho = convOut(h + top + bottom, kh, sh, 0, dh), wo = convOut(w + left + right, kw, sw, 0, dw);
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

export function pool({ node, p, s, prev }: ShapeInput): Computed {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  const [, c, h, w] = s as [string, number, number, number];
  const [kh, kw] = pair(p.kernelSize), [sh, sw] = pair(p.stride ?? p.kernelSize), [ph, pw] = pair(p.padding);
  if (ph > kh / 2 || pw > kw / 2) throw misfit('pool-padding-too-big', { id: node.id, op: node.op }, 'set-pool-padding', { id: node.id, value: Math.floor(Math.min(kh, kw) / 2) });
  const ho = convOut(h, kh, sh, ph, 1), wo = convOut(w, kw, sw, pw, 1);
  if (ho < 1 || wo < 1) throw misfit('pool-window-too-big', { id: node.id, op: node.op, kh, kw, h, w }, 'fix-pool-kernel', { id: node.id });
  return { shape: ['N', c, ho, wo] };
}

export function flatten({ node, p, s }: ShapeInput): Computed {
  const start = normDim(p.startDim as number, s.length, node), end = normDim(p.endDim as number, s.length, node);
  if (start > end) throw misfit('flatten-start-after-end', { id: node.id }, 'fix-flatten-order');
  if (start === 0 && end > 0) throw misfit('flatten-batch', { id: node.id }, 'fix-flatten-start');
  if (start === end) return { shape: s };
  return { shape: [...s.slice(0, start), product(s.slice(start, end + 1) as number[]), ...s.slice(end + 1)] };
}

/** BatchNorm1d (`is2d` false) or BatchNorm2d. */
export const batchNorm = (is2d: boolean): ShapeRule => ({ node, p, s }) => {
  const layout = is2d ? '(N, C, H, W)' : d('layout-either', { a: '(N, C)', b: '(N, C, L)' });
  expectRank(node, s, is2d ? [4] : [2, 3], layout, d(is2d ? 'use-batchnorm1d' : 'use-batchnorm2d'));
  const c = s[1] as number, nf = p.numFeatures as number;
  if (c !== nf) throw misfit('num-features-mismatch', { id: node.id, op: node.op, expected: nf, shape: formatShape(s), got: c }, 'set-num-features', { id: node.id, value: c });
  const count = p.affine ? 2 * c : 0;
  return { shape: s, params: count, formula: count ? `2×${c} = ${formatCount(count)}` : '' };
};

/** RNN (1 gate), GRU (3) or LSTM (4). */
export const recurrent = (g: number): ShapeRule => ({ node, p, s }) => {
  const inputSize = p.inputSize as number, hidden = p.hiddenSize as number, layers = p.numLayers as number;
  const fix = d(s.length === 4 && product(s.slice(1) as number[]) === 784 ? 'fix-input-rows' : 'fix-feed-sequence');
  expectRank(node, s, [3], '(N, L, H_in)', fix);
  if (!p.batchFirst) throw misfit('batch-first-false', { id: node.id, op: node.op, shape: formatShape(s) }, 'set-batch-first', { id: node.id });
  const [, steps, features] = s as [string, number, number];
  if (features !== inputSize) {
    throw misfit('input-size-mismatch', { id: node.id, op: node.op, expected: inputSize, shape: formatShape(s), got: features }, 'set-input-size', { id: node.id, value: features });
  }
  const gh = g * hidden;
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
};

export function addShapes({ node, inputs: shapes, from }: ShapeInput): Computed {
  const first = shapes[0];
  for (let i = 1; i < shapes.length; i++) {
    if (formatShape(shapes[i]) !== formatShape(first)) {
      const problem = { id: node.id, a: formatShape(first), fromA: from[0], b: formatShape(shapes[i]), fromB: from[i] };
      throw Object.assign(misfit('add-shape-mismatch', problem, 'fix-add-shape', { from: from[i], shape: formatShape(first) }), { from: from[i] });
    }
  }
  return { shape: first };
}

export function concatShapes({ node, p, inputs: shapes, from }: ShapeInput): Computed {
  const first = shapes[0];
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

/** The Input: the batch, then the shape one sample is viewed as. */
export const inputShape: ShapeRule = ({ p }) => ({ shape: ['N', ...(p.shape as number[])] });

/** Activations, Dropout, Identity: the output has the input's shape. */
export const sameShape: ShapeRule = ({ s }) => ({ shape: s });

/** PReLU: the same shape; its num_parameters slopes are 1 or one per channel (dim 1; a 1-D input has 1 channel). */
export const prelu: ShapeRule = ({ node, p, s }) => {
  const count = p.numParameters as number, channels = s.length >= 2 ? s[1] : 1;
  if (count !== 1 && count !== channels) {
    throw misfit('prelu-num-parameters', { id: node.id, got: count, shape: formatShape(s), channels }, 'set-num-parameters', { id: node.id, value: channels });
  }
  return { shape: s, params: count, formula: String(count) };
};

/** Softmax, LogSoftmax: the same shape, once `dim` is known to exist. */
export const sameShapeAlongDim: ShapeRule = ({ node, p, s }) => {
  normDim(p.dim as number, s.length, node);
  return { shape: s };
};

export const adaptivePool: ShapeRule = ({ node, p, s, prev }) => {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  return { shape: ['N', s[1], ...pair(p.outputSize)] };
};

/** LayerNorm: the input's last dims must be normalized_shape (never the batch dim). */
export const layerNorm: ShapeRule = ({ node, p, s }) => {
  const norm = p.normalizedShape as number[];
  const trailing = s.slice(s.length - norm.length);
  if (s.length - 1 < norm.length || trailing.some((dim, i) => dim !== norm[i])) {
    const problem = { id: node.id, expected: formatShape(norm), shape: formatShape(s) };
    throw misfit('layer-norm-shape-mismatch', problem, 'set-normalized-shape', { id: node.id, value: formatShape(s.slice(-1)) });
  }
  const size = product(norm), count = p.elementwiseAffine ? 2 * size : 0;
  return { shape: s, params: count, formula: count ? `2×${size} = ${formatCount(count)}` : '' };
};

/** GroupNorm: (N, C, *) with C = num_channels. */
export const groupNorm: ShapeRule = ({ node, p, s }) => {
  expectRank(node, s, [2, 3, 4], '(N, C, *)', d('fix-connect-after-features'));
  const c = s[1] as number, expected = p.numChannels as number;
  if (c !== expected) {
    throw misfit('num-channels-mismatch', { id: node.id, op: node.op, expected, shape: formatShape(s), got: c }, 'set-num-channels', { id: node.id, value: c });
  }
  const count = p.affine ? 2 * c : 0;
  return { shape: s, params: count, formula: count ? `2×${c} = ${formatCount(count)}` : '' };
};

/** Conv1d: (N, C, L), the layout nn.Conv1d reads; an image or a flat vector gets the Input shape that fits. */
export function conv1d({ node, p, s, prev }: ShapeInput): Computed {
  expectRank(node, s, [3], '(N, C, L)', d(prev?.op === 'Input' ? 'fix-input-conv1d' : 'fix-feed-channels-steps'));
  const [, c, length] = s as [string, number, number];
  const cin = p.inChannels as number, cout = p.outChannels as number, groups = p.groups as number, k = p.kernelSize as number;
  if (c !== cin) {
    const rows = prev?.op === 'Input' && c === 28 && length === 28;
    const problem = { id: node.id, expected: cin, shape: formatShape(s), got: c };
    throw misfit('conv1d-in-channels-mismatch', problem, rows ? 'set-in-channels-rows' : 'set-in-channels', rows ? { id: node.id } : { id: node.id, value: c });
  }
  const [before, after] = convPadding(node, p, p.padding, length, k, p.dilation as number);
  const out = convOut(length + before + after, k, p.stride as number, 0, p.dilation as number);
  if (out < 1) throw misfit('conv1d-kernel-too-big', { id: node.id, k, l: length }, 'fix-conv-kernel', { id: node.id });
  const perFilter = (cin / groups) * k, count = cout * perFilter + (p.bias ? cout : 0);
  return {
    shape: ['N', cout, out],
    params: count,
    formula: `${cout}×${cin / groups}×${k}${p.bias ? ` + ${cout}` : ''} = ${formatCount(count)}`,
    macs: cout * out * perFilter,
  };
}

/** Unflatten: dim (never the batch) splits into unflattened_size, whose product must be its size. */
export const unflatten: ShapeRule = ({ node, p, s }) => {
  const dim = normDim(p.dim as number, s.length, node), sizes = p.unflattenedSize as number[];
  if (dim === 0) throw misfit('unflatten-batch', { id: node.id }, 'fix-unflatten-dim');
  const got = s[dim] as number;
  if (product(sizes) !== got) {
    const problem = { id: node.id, size: formatShape(sizes), product: product(sizes), dim, shape: formatShape(s), got };
    throw misfit('unflatten-size-mismatch', problem, 'set-unflattened-size', { id: node.id, got });
  }
  return { shape: [...s.slice(0, dim), ...sizes, ...s.slice(dim + 1)] };
};

/** Dropout2d: whole channels of (N, C, H, W) or (N, C, L); a flat (N, features) input wants Dropout. */
export const dropout2d: ShapeRule = ({ node, s }) => {
  expectRank(node, s, [3, 4], d('layout-either', { a: '(N, C, H, W)', b: '(N, C, L)' }), d('use-dropout'));
  return { shape: s };
};
/** ConvTranspose2d: conv2d run backwards, H_out = (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1. */
export function convTranspose2d({ node, p, s, prev }: ShapeInput): Computed {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  const [, c, h, w] = s as [string, number, number, number];
  const cin = p.inChannels as number, cout = p.outChannels as number, groups = p.groups as number;
  if (c !== cin) throw misfit('channels-mismatch', { id: node.id, op: node.op, expected: cin, shape: formatShape(s), got: c }, 'set-in-channels', { id: node.id, value: c });
  const [kh, kw] = pair(p.kernelSize), [sh, sw] = pair(p.stride), [ph, pw] = pair(p.padding);
  const [oph, opw] = pair(p.outputPadding), [dh, dw] = pair(p.dilation);
  const ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1, wo = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (ho < 1 || wo < 1) throw misfit('conv-transpose-empty', { id: node.id, ph, pw, h, w }, 'fix-conv-transpose-padding', { id: node.id });
  const bias = p.bias as boolean;
  const perInput = (cout / groups) * kh * kw;
  const count = cin * perInput + (bias ? cout : 0);
  return {
    shape: ['N', cout, ho, wo],
    params: count,
    formula: `${cin}×${cout / groups}×${kh}×${kw}${bias ? ` + ${cout}` : ''} = ${formatCount(count)}`,
    macs: cin * h * w * perInput,
  };
}

/** Upsample: to `size`, or H_out = ⌊H · scale_factor⌋ (W likewise); channels unchanged. */
export function upsample({ node, p, s, prev }: ShapeInput): Computed {
  expectRank(node, s, [4], '(N, C, H, W)', fromImage(prev));
  const [, c, h, w] = s as [string, number, number, number];
  if (p.size !== null) {
    const [ho, wo] = pair(p.size);
    return { shape: ['N', c, ho, wo] };
  }
  const scale = p.scaleFactor as number;
  const ho = Math.floor(h * scale), wo = Math.floor(w * scale);
  if (ho < 1 || wo < 1) throw misfit('upsample-empty', { id: node.id, scale, h, w }, 'fix-upsample-scale', { id: node.id });
  return { shape: ['N', c, ho, wo] };
}
