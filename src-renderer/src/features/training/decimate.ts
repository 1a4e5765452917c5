/**
 * A line of any length drawn with a bounded number of points, built as the points arrive (#15.4). Redrawing the
 * whole per-batch history at every update made the chart's work grow with the run (ten epochs of LeNet-5 are
 * 7,800 batches, a long run 100,000): here each new point costs O(1) amortised and the drawn line never has more
 * than 2 × `limit` points, so every redraw costs the same at batch 100 and at batch 100,000.
 *
 * Consecutive points share a bucket; when `limit` buckets are full, neighbours merge pairwise and a bucket holds
 * twice as many points from then on. A bucket keeps its lowest and highest point (the 'envelope', which keeps the
 * noise of the raw per-batch line visible, as chart.js's min-max decimation does) or only its last point (for a
 * smooth line).
 *
 *   const line = new DecimatedLine(1000, 'envelope');
 *   for (const p of points) line.push(p);
 *   chart.data.datasets[0].data = line.points();
 */
import type { XY } from './curves';

interface Bucket {
  /** The finite points with the lowest and highest y (null while the bucket has none). */
  min: XY | null;
  max: XY | null;
  last: XY;
}

export type Keep = 'envelope' | 'last';

export class DecimatedLine {
  #buckets: Bucket[] = [];
  /** Points per bucket: 1, 2, 4, … */
  #size = 1;
  /** Points in the newest bucket. */
  #filled = 0;
  #count = 0;

  constructor(
    readonly limit = 1000,
    readonly keep: Keep = 'envelope',
  ) {
    if (limit < 2 || limit % 2 !== 0) throw new Error(`limit must be an even number ≥ 2, not ${limit}`);
  }

  /** Points pushed so far. */
  get count(): number {
    return this.#count;
  }

  /** Points each bucket stands for now. */
  get bucketSize(): number {
    return this.#size;
  }

  push(point: XY): void {
    this.#count++;
    const finite = Number.isFinite(point.y);
    if (this.#buckets.length === 0 || this.#filled === this.#size) {
      if (this.#buckets.length === this.limit) this.#halve();
      this.#buckets.push({ min: finite ? point : null, max: finite ? point : null, last: point });
      this.#filled = 1;
      return;
    }
    const b = this.#buckets[this.#buckets.length - 1];
    this.#filled++;
    b.last = point;
    if (!finite) return;
    if (!b.min || point.y < b.min.y) b.min = point;
    if (!b.max || point.y > b.max.y) b.max = point;
  }

  /** The line to draw, in x order: at most 2 × limit points ('envelope') or limit points ('last'). */
  points(): XY[] {
    const out: XY[] = [];
    for (const b of this.#buckets) {
      if (this.keep === 'last' || !b.min || !b.max) out.push(b.last);
      else if (b.min === b.max) out.push(b.min);
      else if (b.min.x <= b.max.x) out.push(b.min, b.max);
      else out.push(b.max, b.min);
    }
    return out;
  }

  /** Every bucket is full: merge neighbours, so the same points fill half as many buckets twice the size. */
  #halve(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.#buckets.length; i += 2) {
      const a = this.#buckets[i];
      const b = this.#buckets[i + 1];
      merged.push({
        min: lower(a.min, b.min),
        max: higher(a.max, b.max),
        last: b.last,
      });
    }
    this.#buckets = merged;
    this.#size *= 2;
    this.#filled = this.#size;
  }
}

const lower = (a: XY | null, b: XY | null): XY | null => (!a ? b : !b ? a : b.y < a.y ? b : a);
const higher = (a: XY | null, b: XY | null): XY | null => (!a ? b : !b ? a : b.y > a.y ? b : a);
