/**
 * Copy and paste of nodes. A copy holds the selected nodes and the edges among them; pasting gives them fresh ids
 * and, when the copy is a single chain, splices it in after the target node the way appendAfter adds one node.
 */
import { inputsOf, outputsOf, type ModelSpec, type SpecEdge, type SpecNode } from '../../../../common/model-spec';
import { chainEnd, nextId, position, relayout } from './graph-edit';

export interface Fragment {
  nodes: SpecNode[];
  edges: SpecEdge[];
}

export function copyNodes(spec: ModelSpec, ids: readonly string[]): Fragment | null {
  const nodes = spec.nodes.filter((n) => ids.includes(n.id) && n.op !== 'Input');
  if (nodes.length === 0) return null;
  const kept = new Set(nodes.map((n) => n.id));
  return structuredClone({ nodes, edges: spec.edges.filter((e) => kept.has(e.from) && kept.has(e.to)) });
}

/** The fragment's nodes in order when they form one path, else null. */
function fragmentChain(fragment: Fragment): SpecNode[] | null {
  const asSpec = { nodes: fragment.nodes, edges: fragment.edges } as ModelSpec;
  const heads = fragment.nodes.filter((n) => inputsOf(asSpec, n.id).length === 0);
  if (heads.length !== 1) return null;
  const chain: SpecNode[] = [heads[0]];
  for (;;) {
    const next = outputsOf(asSpec, chain[chain.length - 1].id);
    if (next.length === 0) break;
    if (next.length > 1) return null;
    chain.push(fragment.nodes.find((n) => n.id === next[0])!);
  }
  return chain.length === fragment.nodes.length ? chain : null;
}

export function pasteFragment(spec: ModelSpec, fragment: Fragment, after: string = chainEnd(spec)): { spec: ModelSpec; ids: string[] } {
  const rename = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of fragment.nodes) {
    const id = nextId(spec, node.op, taken);
    taken.add(id);
    rename.set(node.id, id);
  }
  const anchor = position(spec, after);
  const nodes = fragment.nodes.map((n, i) => ({
    ...structuredClone(n), id: rename.get(n.id)!, ui: { x: anchor.x + 60 + i * 30, y: anchor.y + 110 + i * 20 },
  }));
  const inner = fragment.edges.map((e) => ({ ...e, from: rename.get(e.from)!, to: rename.get(e.to)! }));
  const chain = fragmentChain(fragment);
  let edges = [...spec.edges, ...inner];
  let spliced = false;
  if (chain) {
    const head = rename.get(chain[0].id)!, tail = rename.get(chain[chain.length - 1].id)!;
    const outs = spec.edges.filter((e) => e.from === after);
    if (outs.length <= 1) {
      edges = [...spec.edges.filter((e) => e !== outs[0]), { from: after, to: head }, ...inner, ...(outs[0] ? [{ ...outs[0], from: tail }] : [])];
      spliced = true;
    }
  }
  const result = { ...spec, nodes: [...spec.nodes, ...nodes], edges };
  return { spec: spliced ? relayout(result) : result, ids: nodes.map((n) => n.id) };
}
