/**
 * Pan and zoom of the canvas: screen = canvas × zoom + pan. The maths is in view-math.ts; this holds the numbers.
 */
import { clampZoom, fitView, revealPan } from './view-math';
import type { Point } from './layout';

export class CanvasView {
  panX = $state(0);
  panY = $state(0);
  zoom = $state(1);
  /** The canvas element's size on screen, kept up to date by the canvas. */
  width = $state(800);
  height = $state(420);

  readonly transform = $derived(`translate(${this.panX} ${this.panY}) scale(${this.zoom})`);

  /** A point in canvas coordinates from one relative to the canvas element. */
  toCanvas(x: number, y: number): Point {
    return { x: (x - this.panX) / this.zoom, y: (y - this.panY) / this.zoom };
  }

  panBy(dx: number, dy: number): void {
    this.panX += dx;
    this.panY += dy;
  }

  /** Zooms by `factor` keeping the point under (x, y) still (the element centre by default). */
  zoomBy(factor: number, x = this.width / 2, y = this.height / 2): void {
    const next = clampZoom(this.zoom * factor);
    const p = this.toCanvas(x, y);
    this.zoom = next;
    this.panX = x - p.x * next;
    this.panY = y - p.y * next;
  }

  /** Pans just enough to show the node at `p` whole. */
  reveal(p: Point): void {
    const { panX, panY } = revealPan(p, this);
    this.panX = panX;
    this.panY = panY;
  }

  reset(): void {
    this.panX = 0;
    this.panY = 0;
    this.zoom = 1;
  }

  fit(points: readonly Point[]): void {
    const { zoom, panX, panY } = fitView(points, this.width, this.height);
    this.zoom = zoom;
    this.panX = panX;
    this.panY = panY;
  }
}
