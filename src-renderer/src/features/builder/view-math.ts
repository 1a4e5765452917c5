/** Pan/zoom arithmetic for the canvas, kept pure for tests. */
import { bounds, NODE_H, NODE_W, type Point } from './layout';

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 2.5;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** The zoom (never above 1) and pan that show every point inside a width × height element. */
export function fitView(points: readonly Point[], width: number, height: number): { zoom: number; panX: number; panY: number } {
  const box = bounds(points);
  const zoom = clampZoom(Math.min(1, width / box.width, height / box.height));
  return { zoom, panX: (width - box.width * zoom) / 2 - box.x * zoom, panY: (height - box.height * zoom) / 2 - box.y * zoom };
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
