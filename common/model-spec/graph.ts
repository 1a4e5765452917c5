/**
 * Graph helpers shared by the validator, shape inference, the exporter and the engine's builder.
 * They assume a spec that validateSpec accepted (ids unique, edges point at nodes, no cycles) unless noted.
 */
import type { ModelSpec, SpecNode } from './types';

/** Incoming node ids of `id`, ordered by port (then by edge order). */
export function inputsOf(spec: ModelSpec, id: string): string[] {
  // One pass that allocates only for the matches: it runs once per node, and a 5,000-layer chain (#17.2) made
  // the map-then-filter allocate 25 million objects before its too-big refusal could answer.
  const incoming: { e: ModelSpec['edges'][number]; index: number }[] = [];
  const edges = spec.edges;
  for (let index = 0; index < edges.length; index++) {
    if (edges[index]!.to === id) incoming.push({ e: edges[index]!, index });
  }
  incoming.sort((a, b) => (a.e.port ?? a.index) - (b.e.port ?? b.index) || a.index - b.index);
  return incoming.map(({ e }) => e.from);
}

export function outputsOf(spec: ModelSpec, id: string): string[] {
  return spec.edges.filter((e) => e.from === id).map((e) => e.to);
}

/**
 * Kahn's algorithm, iterative and deterministic (ties broken by node order in the spec).
 * Returns the order, or null and the ids left on a cycle.
 */
export function topoSort(spec: ModelSpec): { order: string[]; cycle: string[] | null } {
  const ids = spec.nodes.map((n) => n.id);
  const known = new Set(ids);
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of spec.edges) if (known.has(e.from) && known.has(e.to)) indegree.set(e.to, indegree.get(e.to)! + 1);
  // Each node's outgoing edges, in edge order, gathered once: linear in the graph, not nodes × edges.
  const targets = new Map<string, string[]>();
  for (const e of spec.edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    const list = targets.get(e.from);
    if (list) list.push(e.to);
    else targets.set(e.from, [e.to]);
  }
  const order: string[] = [];
  const ready = ids.filter((id) => indegree.get(id) === 0);
  for (let next = 0; next < ready.length; next++) {
    const id = ready[next]!;
    order.push(id);
    for (const to of targets.get(id) ?? []) {
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  if (order.length === ids.length) return { order, cycle: null };
  const sorted = new Set(order);
  return { order, cycle: ids.filter((id) => !sorted.has(id)) };
}

export function nodeById(spec: ModelSpec): Map<string, SpecNode> {
  return new Map(spec.nodes.map((n) => [n.id, n]));
}

/** The Input node's id (the first, if a broken spec has several). */
export function inputId(spec: ModelSpec): string | undefined {
  return spec.nodes.find((n) => n.op === 'Input')?.id;
}

/** The node with no outgoing edges: the model's output. */
export function outputId(spec: ModelSpec): string | undefined {
  const sources = new Set(spec.edges.map((e) => e.from));
  const sinks = spec.nodes.filter((n) => !sources.has(n.id));
  return sinks.length === 1 ? sinks[0].id : undefined;
}

/**
 * The nodes after Input along a single path Input → … → output, or null if the model branches or merges.
 * A chain is exported as nn.Sequential.
 */
export function chainOf(spec: ModelSpec): SpecNode[] | null {
  const nodes = nodeById(spec);
  const start = inputId(spec);
  if (start === undefined) return null;
  const chain: SpecNode[] = [];
  let current = start;
  const seen = new Set<string>([start]);
  for (;;) {
    const next = outputsOf(spec, current);
    if (next.length === 0) break;
    if (next.length > 1) return null;
    const node = nodes.get(next[0]);
    if (!node || seen.has(node.id) || inputsOf(spec, node.id).length !== 1) return null;
    seen.add(node.id);
    chain.push(node);
    current = node.id;
  }
  return chain.length + 1 === spec.nodes.length ? chain : null;
}

/** A Python identifier from a node id: `conv-1` → `conv_1`, `1x` → `n1x`, keywords get a trailing `_`. */
export function pyName(id: string): string {
  let name = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `n${name}`;
  return PY_RESERVED.has(name) ? `${name}_` : name;
}

const PY_RESERVED = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'x', 'self', 'torch', 'nn', 'F',
  // nn.Module attributes a submodule must not shadow
  'training', 'forward', 'train', 'eval', 'parameters', 'modules', 'children', 'state_dict', 'to', 'cuda', 'cpu',
  'float', 'double', 'half', 'type', 'apply', 'zero_grad', 'register_buffer',
]);

/**
 * The state-dict prefix of each node's module, shared by the engine builder and the exporter so that
 * safetensors files move between LayerLab and PyTorch: chains use nn.Sequential indices ('0', '1', …),
 * graphs use pyName(node id). Input and merges have no module.
 */
export function moduleNames(spec: ModelSpec): Map<string, string> {
  const names = new Map<string, string>();
  const chain = chainOf(spec);
  if (chain) {
    chain.forEach((node, i) => names.set(node.id, String(i)));
    return names;
  }
  for (const node of spec.nodes) if (node.op !== 'Input' && node.op !== 'Add' && node.op !== 'Concat') names.set(node.id, pyName(node.id));
  return names;
}
