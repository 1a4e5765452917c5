/**
 * Auto-layout, left to right, wrapped like text: a node's column is its longest distance from the Input, its row its
 * order within the column (spec order, so the layout is deterministic). After `columns` columns the graph wraps onto
 * a new band below, so a long model stays as wide as the canvas and Fit can show it at a readable size. Positions
 * live in each node's `ui` ({x, y}), which the engine ignores and the project file keeps.
 */
import { inputsOf, topoSort, type ModelSpec } from '../../../../common/model-spec';

export interface Point {
  x: number;
  y: number;
}

export const NODE_W = 148;
export const NODE_H = 58;
export const COL_GAP = 200;
export const ROW_GAP = 96;
export const ORIGIN: Point = { x: 40, y: 60 };

/** The graph wraps onto a new band after this many columns: four fit a ~800 px canvas at a readable zoom. */
export const CHAIN_COLUMNS = 4;
/** Bands of a wrapped graph leave room for the badges of the edges between them. */
export const WRAP_GAP = NODE_H + 110;

export function layoutSpec(spec: ModelSpec, columns = CHAIN_COLUMNS): ModelSpec {
  const { order } = topoSort(spec);
  const depth = new Map<string, number>();
  for (const id of order) {
    const ins = inputsOf(spec, id).filter((i) => depth.has(i));
    depth.set(id, ins.length ? Math.max(...ins.map((i) => depth.get(i)! + 1)) : 0);
  }
  // Row of each node within its column, then each band's height: its tallest column.
  const rows = new Map<number, number>();
  const row = new Map<string, number>();
  for (const node of spec.nodes) {
    const col = depth.get(node.id) ?? 0;
    row.set(node.id, rows.get(col) ?? 0);
    rows.set(col, (rows.get(col) ?? 0) + 1);
  }
  const bandTop: number[] = [0];
  const deepest = Math.max(0, ...rows.keys());
  for (let band = 0; band * columns <= deepest; band++) {
    let tallest = 1;
    for (let c = band * columns; c < (band + 1) * columns; c++) tallest = Math.max(tallest, rows.get(c) ?? 0);
    bandTop.push(bandTop[band] + (tallest - 1) * ROW_GAP + WRAP_GAP);
  }
  const place = (id: string): Point => {
    const col = depth.get(id) ?? 0;
    return { x: ORIGIN.x + (col % columns) * COL_GAP, y: ORIGIN.y + bandTop[Math.floor(col / columns)] + row.get(id)! * ROW_GAP };
  };
  return { ...spec, nodes: spec.nodes.map((n) => ({ ...n, ui: { ...n.ui, ...place(n.id) } })) };
}

/** The box around every node, padded, for "zoom to fit". */
export function bounds(points: readonly Point[]): { x: number; y: number; width: number; height: number } {
  if (points.length === 0) return { x: 0, y: 0, width: 400, height: 200 };
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const x = Math.min(...xs) - 30, y = Math.min(...ys) - 40;
  return { x, y, width: Math.max(...xs) + NODE_W + 30 - x, height: Math.max(...ys) + NODE_H + 40 - y };
}

/** Distance from p to the segment a–b, for "dropped onto an edge". */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Where an edge starts and ends on screen: from the right port of `from` to the left port of `to`. */
export function edgeEnds(from: Point, to: Point): [Point, Point] {
  return [{ x: from.x + NODE_W, y: from.y + NODE_H / 2 }, { x: to.x, y: to.y + NODE_H / 2 }];
}

/**
 * The SVG path of an edge, where its badge goes, and the polyline it roughly follows (for "dropped onto this edge").
 * An edge that skips columns (a residual connection) arcs above the row so it does not run through the nodes it
 * skips. An edge back to the left, onto a lower band (a wrapped graph), runs like a line break: out to the right,
 * down into the gap under its band, left along it, and down into its target, its badge in that gap.
 */
export function edgePath(from: Point, to: Point): { d: string; badge: Point; arc: boolean; line: Point[] } {
  const [a, b] = edgeEnds(from, to);
  const arc = b.x - a.x > COL_GAP * 1.5 && Math.abs(b.y - a.y) < ROW_GAP / 2;
  if (arc) {
    const lift = Math.min(a.y, b.y) - NODE_H - 40;
    const top = { x: (a.x + b.x) / 2, y: lift + 14 };
    return { d: `M${a.x},${a.y} C${a.x + 60},${lift} ${b.x - 60},${lift} ${b.x},${b.y}`, badge: top, arc, line: [a, top, b] };
  }
  if (b.x < a.x && b.y - a.y > NODE_H) {
    // A plain wrap lands in the first column; a skip edge to a later column takes a lower lane, so the two are told apart.
    const lane = Math.max(0, Math.min(2, Math.round((b.x - ORIGIN.x) / COL_GAP)));
    const gap = a.y + NODE_H / 2 + 22 + lane * 14, r = 12, out = a.x + 16, inX = b.x - 16;
    const d = `M${a.x},${a.y} H${out - r} Q${out},${a.y} ${out},${a.y + r} V${gap - r} Q${out},${gap} ${out - r},${gap}`
      + ` H${inX + r} Q${inX},${gap} ${inX},${gap + r} V${b.y - r} Q${inX},${b.y} ${inX + r},${b.y} H${b.x}`;
    const line = [a, { x: out, y: a.y }, { x: out, y: gap }, { x: inX, y: gap }, { x: inX, y: b.y }, b];
    return { d, badge: { x: (a.x + b.x) / 2, y: gap }, arc, line };
  }
  const dx = Math.max(30, (b.x - a.x) / 2);
  return {
    d: `M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}`,
    badge: { x: (a.x + b.x) / 2, y: Math.min(a.y, b.y) - 38 },
    arc,
    line: [a, b],
  };
}

/** Distance from p to a drawn edge (its polyline). */
export function distanceToEdge(p: Point, from: Point, to: Point): number {
  const { line } = edgePath(from, to);
  return Math.min(...line.slice(1).map((q, i) => distanceToSegment(p, line[i], q)));
}

/** Ids of the nodes whose boxes meet the rectangle spanned by a and b (a rubber-band selection). */
export function nodesInBand(nodes: readonly { id: string; at: Point }[], a: Point, b: Point): string[] {
  const x0 = Math.min(a.x, b.x), x1 = Math.max(a.x, b.x), y0 = Math.min(a.y, b.y), y1 = Math.max(a.y, b.y);
  return nodes.filter(({ at }) => at.x <= x1 && at.x + NODE_W >= x0 && at.y <= y1 && at.y + NODE_H >= y0).map((n) => n.id);
}
