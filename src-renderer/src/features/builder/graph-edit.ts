/**
 * Edits on a model spec, as pure functions: each takes a spec and returns a new one (the input is never mutated),
 * so the undo history can keep every version as it was.
 *
 * The builder's rules:
 * - appendAfter(spec, 'Linear', 'flatten1') adds a node after another; when that node already feeds exactly one
 *   node, the new one goes in between, so a chain stays a chain and never needs wiring.
 * - A new node's required params are filled from the shape flowing into it (Linear after a [N, 784] gets
 *   in_features 784), and a node inserted into an edge keeps the shape downstream as it was.
 * - Removing a node heals the chain around it (its input is wired to its outputs).
 */
import {
  idPrefix, inferShapes, inputsOf, OP_CATALOGUE, outputsOf, SPEC_VERSION,
  type LossName, type ModelSpec, type OpName, type OptimizerName, type ParamValue, type Params, type Shape,
  type SpecEdge, type SpecNode,
} from '../../../../common/model-spec';
import { COL_GAP, layoutSpec, type Point } from './layout';
import { clampToCanvas } from './view-math';

export function emptySpec(): ModelSpec {
  return {
    version: SPEC_VERSION,
    name: 'untitled',
    nodes: [{ id: 'input', op: 'Input', params: { shape: [1, 28, 28] }, ui: { x: 40, y: 60 } }],
    edges: [],
    loss: { type: 'CrossEntropyLoss', params: {} },
    optimizer: { type: 'SGD', params: {} },
    data: { dataset: 'mnist', batchSize: 64, shuffle: true, validationSize: 10000, normalize: 'scale' },
  };
}

/** The next free id for an op: fc1, fc2, conv1, relu1, … */
export function nextId(spec: ModelSpec, op: OpName, taken: ReadonlySet<string> = new Set()): string {
  const prefix = idPrefix(op);
  const used = new Set([...spec.nodes.map((n) => n.id), ...taken]);
  let n = 1;
  while (used.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

/** The sink when there is exactly one (where "append" goes), else the last node in spec order. */
export function chainEnd(spec: ModelSpec): string {
  const sinks = spec.nodes.filter((n) => outputsOf(spec, n.id).length === 0);
  return (sinks.length === 1 ? sinks[0] : spec.nodes[spec.nodes.length - 1]).id;
}

/**
 * Params for a new node given the shape it receives (`incoming`) and, when it is inserted into an edge, the node it
 * will feed (`next`), e.g. Linear after [N, 784] → {inFeatures: 784, outFeatures: 10}. Each op's rule is its
 * catalogue row's `newParams`.
 */
export function defaultParams(op: OpName, incoming: Shape | null, next?: SpecNode, nextIncoming?: Shape | null): Params {
  return OP_CATALOGUE[op].newParams?.(incoming, next === undefined ? null : { shape: nextIncoming ?? null }) ?? {};
}

function shapeOf(spec: ModelSpec, id: string): Shape | null {
  return inferShapes(spec).nodes[id]?.shape ?? null;
}

function withNode(spec: ModelSpec, node: SpecNode, edges: SpecEdge[]): ModelSpec {
  return relayout({ ...spec, nodes: [...spec.nodes, node], edges });
}

/** Re-lays out a chain after a structural change (chains read best in a row); graphs keep the user's positions. */
export function relayout(spec: ModelSpec): ModelSpec {
  const isChain = spec.nodes.every((n) => inputsOf(spec, n.id).length <= 1 && outputsOf(spec, n.id).length <= 1);
  return isChain ? layoutSpec(spec) : spec;
}

/**
 * Adds `op` after `afterId` (default: the chain's end); see the rules at the top. Returns the spec and the new id.
 * `at` is where it was dropped: a node added at the end lands there and nothing else moves.
 */
export function appendAfter(spec: ModelSpec, op: OpName, afterId: string = chainEnd(spec), at?: Point): { spec: ModelSpec; id: string } {
  const outs = spec.edges.map((e, i) => ({ e, i })).filter(({ e }) => e.from === afterId);
  if (outs.length === 1) return insertOnEdge(spec, outs[0].i, op, at);
  const id = nextId(spec, op);
  const anchor = position(spec, afterId);
  const params = defaultParams(op, shapeOf(spec, afterId));
  const edges = [...spec.edges, { from: afterId, to: id }];
  if (at) return { spec: { ...spec, nodes: [...spec.nodes, { id, op, params, ui: { ...clampToCanvas(at) } }], edges }, id };
  const node: SpecNode = { id, op, params, ui: { x: anchor.x + COL_GAP, y: anchor.y + (outs.length ? 90 : 0) } };
  return { spec: withNode(spec, node, edges), id };
}

/**
 * Puts `op` on edge number `edgeIndex`: from → new → to. In a chain, the chain reflows around it like a word inserted
 * into a line; in a graph it lands at `at` (where it was dropped), else halfway along the edge.
 */
export function insertOnEdge(spec: ModelSpec, edgeIndex: number, op: OpName, at?: Point): { spec: ModelSpec; id: string } {
  const edge = spec.edges[edgeIndex];
  const id = nextId(spec, op);
  const next = spec.nodes.find((n) => n.id === edge.to);
  const incoming = shapeOf(spec, edge.from);
  const a = position(spec, edge.from), b = position(spec, edge.to);
  const ui = at ? { ...clampToCanvas(at) } : { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const node: SpecNode = { id, op, params: defaultParams(op, incoming, next, incoming), ui };
  const edges = spec.edges.flatMap((e, i) => (i === edgeIndex ? [{ from: e.from, to: id }, { ...e, from: id }] : [e]));
  return { spec: withNode(spec, node, edges), id };
}

/** A node with no edges, where it was dropped (for branches, wired by hand). */
export function addFree(spec: ModelSpec, op: OpName, at: Point): { spec: ModelSpec; id: string } {
  const id = nextId(spec, op);
  return { spec: { ...spec, nodes: [...spec.nodes, { id, op, params: defaultParams(op, null), ui: { ...clampToCanvas(at) } }] }, id };
}

/** Would from → to close a cycle? */
function reaches(spec: ModelSpec, start: string, target: string): boolean {
  const stack = [start];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (id === target) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...outputsOf(spec, id));
  }
  return false;
}

/**
 * Wires from → to. A plain layer has one input, so its old input edge is replaced; a merge (Add, Concat) gets
 * the next port. Returns null for a self-loop, a cycle, an edge into Input or an edge that already exists.
 */
export function connect(spec: ModelSpec, from: string, to: string): ModelSpec | null {
  const target = spec.nodes.find((n) => n.id === to);
  if (!target || from === to || target.op === 'Input' || reaches(spec, to, from)) return null;
  if (spec.edges.some((e) => e.from === from && e.to === to)) return null;
  const isMerge = target.op === 'Add' || target.op === 'Concat';
  if (isMerge) return { ...spec, edges: [...spec.edges, { from, to, port: inputsOf(spec, to).length }] };
  return { ...spec, edges: [...spec.edges.filter((e) => e.to !== to), { from, to }] };
}

export function removeEdge(spec: ModelSpec, index: number): ModelSpec {
  return { ...spec, edges: spec.edges.filter((_, i) => i !== index) };
}

/** Deletes nodes (never the Input) and heals: a removed node's single input is wired to each of its outputs. */
export function removeNodes(spec: ModelSpec, ids: readonly string[]): ModelSpec {
  let current = spec;
  for (const id of ids) {
    const node = current.nodes.find((n) => n.id === id);
    if (!node || node.op === 'Input') continue;
    const ins = inputsOf(current, id), outs = outputsOf(current, id);
    const kept = current.edges.filter((e) => e.from !== id && e.to !== id);
    const healed = ins.length === 1 ? outs.filter((o) => !kept.some((e) => e.to === o)).map((o) => ({ from: ins[0], to: o })) : [];
    current = { ...current, nodes: current.nodes.filter((n) => n.id !== id), edges: [...kept, ...healed] };
  }
  return relayout(current);
}

export function position(spec: ModelSpec, id: string): Point {
  const ui = spec.nodes.find((n) => n.id === id)?.ui;
  return { x: typeof ui?.x === 'number' ? ui.x : 40, y: typeof ui?.y === 'number' ? ui.y : 60 };
}

/** Moves nodes by (dx, dy), never past the canvas's top or left edge. */
export function moveNodes(spec: ModelSpec, ids: readonly string[], dx: number, dy: number): ModelSpec {
  return {
    ...spec,
    nodes: spec.nodes.map((n) => {
      if (!ids.includes(n.id)) return n;
      const p = position(spec, n.id);
      return { ...n, ui: { ...n.ui, ...clampToCanvas({ x: p.x + dx, y: p.y + dy }) } };
    }),
  };
}

/** Sets (or with `undefined`, clears back to the default) one param of a node. */
export function setParam(spec: ModelSpec, id: string, name: string, value: ParamValue | undefined): ModelSpec {
  return {
    ...spec,
    nodes: spec.nodes.map((n) => {
      if (n.id !== id) return n;
      const params = { ...n.params };
      if (value === undefined) delete params[name];
      else params[name] = value;
      return { ...n, params };
    }),
  };
}

export function setLoss(spec: ModelSpec, type: LossName): ModelSpec {
  return spec.loss.type === type ? spec : { ...spec, loss: { type, params: {} } };
}

export function setOptimizer(spec: ModelSpec, type: OptimizerName): ModelSpec {
  return spec.optimizer.type === type ? spec : { ...spec, optimizer: { type, params: {} } };
}

export type Section = 'loss' | 'optimizer' | 'scheduler';

export function setSectionParam(spec: ModelSpec, section: Section, name: string, value: ParamValue | undefined): ModelSpec {
  const current = spec[section];
  if (!current) return spec;
  const params = { ...current.params };
  if (value === undefined) delete params[name];
  else params[name] = value;
  return { ...spec, [section]: { ...current, params } };
}
