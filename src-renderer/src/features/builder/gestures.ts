/**
 * Pointer gestures on the canvas, as plain functions the canvas calls on pointerdown/move/up: drag a node (all
 * selected ones move together, one undo step), drag from an output port onto a node to connect, drag the background
 * to pan, Shift+drag the background for a rubber band. Points: `at` in canvas coordinates, `screen` in pixels.
 */
import { nodesInBand, type Point } from './layout';

export type Gesture =
  | { kind: 'move'; ids: string[]; start: Point; dx: number; dy: number }
  | { kind: 'link'; from: string; at: Point }
  | { kind: 'pan'; last: Point }
  | { kind: 'band'; start: Point; at: Point };

/** What is under the pointer: an output port (its node id), a node, an edge (its index), or nothing. */
export interface Hit {
  port: string | null;
  node: string | null;
  edge: number | null;
}

/** The builder methods gestures use (BuilderState has them). */
export interface GestureTarget {
  readonly selection: readonly string[];
  select(ids: string[]): void;
  toggle(id: string): void;
  selectEdge(index: number | null): void;
  move(ids: readonly string[], dx: number, dy: number): void;
  connect(from: string, to: string): boolean;
}

export function startGesture(target: GestureTarget, hit: Hit, mods: { shift: boolean; additive: boolean }, at: Point, screen: Point): Gesture | null {
  if (hit.port) return { kind: 'link', from: hit.port, at };
  if (hit.node) {
    if (mods.shift || mods.additive) target.toggle(hit.node);
    else if (!target.selection.includes(hit.node)) target.select([hit.node]);
    return { kind: 'move', ids: [...target.selection], start: at, dx: 0, dy: 0 };
  }
  if (hit.edge !== null) {
    target.selectEdge(hit.edge);
    return null;
  }
  if (mods.shift) return { kind: 'band', start: at, at };
  target.select([]);
  return { kind: 'pan', last: screen };
}

/** The gesture after the pointer moved; `pan` is how far to pan the view, for a pan. */
export function continueGesture(g: Gesture, at: Point, screen: Point): { next: Gesture; pan?: Point } {
  switch (g.kind) {
    case 'move': return { next: { ...g, dx: at.x - g.start.x, dy: at.y - g.start.y } };
    case 'link': case 'band': return { next: { ...g, at } };
    case 'pan': return { next: { kind: 'pan', last: screen }, pan: { x: screen.x - g.last.x, y: screen.y - g.last.y } };
  }
}

/** Commits the gesture: the move, the connection to `nodeUnder`, or the band's selection among `nodes`. */
export function finishGesture(target: GestureTarget, g: Gesture, nodes: readonly { id: string; at: Point }[], nodeUnder: string | null): void {
  if (g.kind === 'move') target.move(g.ids, g.dx, g.dy);
  else if (g.kind === 'band') target.select(nodesInBand(nodes, g.start, g.at));
  else if (g.kind === 'link' && nodeUnder) target.connect(g.from, nodeUnder);
}

/** Where a node is drawn during a gesture: moved nodes follow the pointer. */
export function drawnAt(g: Gesture | null, id: string, p: Point): Point {
  return g?.kind === 'move' && g.ids.includes(id) ? { x: p.x + g.dx, y: p.y + g.dy } : p;
}
