/** Pan/zoom arithmetic for the canvas, kept pure for tests. */
import { bounds, NODE_H, NODE_W, type Point } from './layout';

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 2.5;
/** The smallest text on the canvas, in canvas px (node ids, shapes, edge badges); GraphNode and GraphEdge use it. */
export const SMALL_TEXT_PX = 12;
/** Fit never zooms out past this: the smallest text stays at least 11 px on screen. */
export const READABLE_ZOOM = 11 / SMALL_TEXT_PX;

export interface View {
  panX: number;
  panY: number;
  zoom: number;
}

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** A point in canvas coordinates from one in pixels relative to the canvas element (screen = canvas × zoom + pan). */
export function toCanvasPoint(x: number, y: number, view: View): Point {
  return { x: (x - view.panX) / view.zoom, y: (y - view.panY) / view.zoom };
}

/** Nodes live in the canvas's positive quadrant, so none can be dragged or dropped off into the void. */
export function clampToCanvas(p: Point): Point {
  return { x: Math.max(0, Math.round(p.x)), y: Math.max(0, Math.round(p.y)) };
}

/** Where a node dropped with the pointer at canvas point `p` goes: its centre under the pointer. */
export function dropPosition(p: Point): Point {
  return clampToCanvas({ x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 });
}

/**
 * The view that shows every point inside a width × height element: never zoomed in past 1, nor out past
 * READABLE_ZOOM. A graph too big for that shows its start (the top left, where the Input is) and pans for the rest.
 */
export function fitView(points: readonly Point[], width: number, height: number): View {
  const box = bounds(points);
  const zoom = Math.max(READABLE_ZOOM, Math.min(1, width / box.width, height / box.height));
  const panX = box.width * zoom <= width ? (width - box.width * zoom) / 2 - box.x * zoom : -box.x * zoom;
  const panY = box.height * zoom <= height ? (height - box.height * zoom) / 2 - box.y * zoom : -box.y * zoom;
  return { zoom, panX, panY };
}

/**
 * The pan nearest to (panX, panY) that keeps at least `keep` px (about a node) of the graph's box (canvas coordinates) inside the
 * width × height element, so panning can never lose the whole graph off screen.
 */
export function clampPan(panX: number, panY: number, zoom: number, box: { x: number; y: number; width: number; height: number }, width: number, height: number, keep = 160): { panX: number; panY: number } {
  const clamp = (pan: number, start: number, size: number, view: number): number => {
    const k = Math.min(keep, view, size * zoom); // a small graph need only stay on screen whole
    const lo = k - (start + size) * zoom; // the box's far edge still k px in
    const hi = view - k - start * zoom; // its near edge at most k px from the far side
    return Math.min(hi, Math.max(lo, pan));
  };
  return { panX: clamp(panX, box.x, box.width, width), panY: clamp(panY, box.y, box.height, height) };
}

/**
 * The pan that brings a node at `p` (canvas coordinates) fully into a width × height view, moving as little as
 * possible; the same pan when it is already in view.
 */
export function revealPan(p: Point, view: { panX: number; panY: number; zoom: number; width: number; height: number }, margin = 24): { panX: number; panY: number } {
  const left = p.x * view.zoom + view.panX, top = p.y * view.zoom + view.panY;
  const right = left + NODE_W * view.zoom, bottom = top + NODE_H * view.zoom;
  let { panX, panY } = view;
  if (right > view.width - margin) panX -= right - (view.width - margin);
  if (left + (panX - view.panX) < margin) panX += margin - (left + (panX - view.panX));
  if (bottom > view.height - margin) panY -= bottom - (view.height - margin);
  if (top + (panY - view.panY) < margin) panY += margin - (top + (panY - view.panY));
  return { panX, panY };
}
