/**
 * What a palette item does when pressed or dropped: ops go into the graph; losses, optimizers and datasets set the
 * training setup. A drop lands on an edge (insert there), on a node (add after it), or on empty canvas (append to
 * the chain's end, wired, right where it was dropped; with Alt, a free node to wire by hand).
 */
import type { DataSpec, LossName, ModelSpec, OpName, OptimizerName } from '../../../../common/model-spec';
import { chainEnd, position } from './graph-edit';
import { distanceToEdge, NODE_H, NODE_W, type Point } from './layout';
import type { PaletteItem } from './palette';
import { dropPosition } from './view-math';

/** The builder methods items need (BuilderState has them). */
export interface ItemTarget {
  readonly spec: ModelSpec;
  add(op: OpName, after?: string, at?: Point): void;
  addOnEdge(op: OpName, edgeIndex: number, at?: Point): void;
  addAt(op: OpName, at: Point): void;
  setLoss(type: LossName): void;
  setOptimizer(type: OptimizerName): void;
  setData(patch: Partial<DataSpec>): void;
}

export function activateItem(target: ItemTarget, item: PaletteItem): void {
  if (item.kind === 'op') target.add(item.name);
  else if (item.kind === 'loss') target.setLoss(item.name);
  else if (item.kind === 'optimizer') target.setOptimizer(item.name);
  else target.setData({ dataset: item.name });
}

export type DropSpot = { kind: 'edge'; index: number } | { kind: 'node'; id: string } | { kind: 'end'; id: string };

/** Where a drop at canvas point `p` lands. */
export function dropSpot(spec: ModelSpec, p: Point, tolerance = 16): DropSpot {
  const hit = spec.nodes.find((n) => {
    const q = position(spec, n.id);
    return p.x >= q.x && p.x <= q.x + NODE_W && p.y >= q.y && p.y <= q.y + NODE_H;
  });
  if (hit) return { kind: 'node', id: hit.id };
  let best: { index: number; d: number } | null = null;
  spec.edges.forEach((e, index) => {
    const d = distanceToEdge(p, position(spec, e.from), position(spec, e.to));
    if (d <= tolerance && (!best || d < best.d)) best = { index, d };
  });
  if (best) return { kind: 'edge', index: (best as { index: number }).index };
  return { kind: 'end', id: chainEnd(spec) };
}

/**
 * Drops an item with the pointer at canvas point `p`. On empty canvas (and on an edge of a graph) the new node lands
 * with its centre under the pointer; one dropped on a node goes right beside it, and one inserted into a chain
 * reflows the chain (see insertOnEdge).
 */
export function dropItem(target: ItemTarget, item: PaletteItem, p: Point, free: boolean): void {
  if (item.kind !== 'op') return activateItem(target, item);
  const at = dropPosition(p);
  if (free) return target.addAt(item.name, at);
  const spot = dropSpot(target.spec, p);
  if (spot.kind === 'edge') target.addOnEdge(item.name, spot.index, at);
  else if (spot.kind === 'node') target.add(item.name, spot.id);
  else target.add(item.name, spot.id, at);
}
