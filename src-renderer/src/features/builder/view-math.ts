/** Pan/zoom arithmetic for the canvas, kept pure for tests. */
import { bounds, type Point } from './layout';

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
