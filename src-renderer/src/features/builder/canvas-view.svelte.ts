/**
 * Pan and zoom of the canvas: screen = canvas × zoom + pan. The maths is in view-math.ts; this holds the numbers,
 * and keeps part of the graph in view whatever the learner pans or zooms to.
 */
import { bounds, type Point } from './layout';
import { clampPan, clampZoom, fitView, revealPan, toCanvasPoint } from './view-math';

export class CanvasView {
  panX = $state(0);
  panY = $state(0);
  zoom = $state(1);
  /** The canvas element's size on screen, kept up to date by the canvas. */
  width = $state(800);
  height = $state(420);
  /** The box around the graph in canvas coordinates, kept up to date by the canvas. */
  content = $state(bounds([]));
  /** The node whose output is being wired from the keyboard (C on a node), or null. */
  linkFrom = $state<string | null>(null);
  /** What the canvas last said in its status line (read out by screen readers), or '' for the usual hint. */
  announcement = $state('');

  readonly transform = $derived(`translate(${this.panX} ${this.panY}) scale(${this.zoom})`);

  /** A point in canvas coordinates from one relative to the canvas element. */
  toCanvas(x: number, y: number): Point {
    return toCanvasPoint(x, y, this);
  }

  #setPan(panX: number, panY: number): void {
    const clamped = clampPan(panX, panY, this.zoom, this.content, this.width, this.height);
    this.panX = clamped.panX;
    this.panY = clamped.panY;
  }

  panBy(dx: number, dy: number): void {
    this.#setPan(this.panX + dx, this.panY + dy);
  }

  /** Zooms by `factor` keeping the point under (x, y) still (the element centre by default). */
  zoomBy(factor: number, x = this.width / 2, y = this.height / 2): void {
    const next = clampZoom(this.zoom * factor);
    const p = this.toCanvas(x, y);
    this.zoom = next;
    this.#setPan(x - p.x * next, y - p.y * next);
  }

  /** Pans just enough to show the node at `p` whole. */
  reveal(p: Point): void {
    const { panX, panY } = revealPan(p, this);
    this.#setPan(panX, panY);
  }

  announce(text: string): void {
    this.announcement = text;
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
