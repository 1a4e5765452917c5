/**
 * A small anti-aliased rasteriser for thick polylines, in plain TS so the browser and the unit tests run the same
 * code. Each pixel's value is its coverage by the pen: the pen is a disc of radius r swept along every segment (a
 * "capsule"), and a pixel whose centre lies at distance d from the nearest segment is covered by about
 * clamp(r + ½ − d, 0, 1), the exact coverage of a pixel by a straight edge crossing it perpendicularly, which is
 * what canvas anti-aliasing approximates too. Overlapping strokes take the maximum, so ink never exceeds 1.
 */
import type { Point, Stroke } from './strokes';

/** A grey image, row-major, values 0 (black) … 1 (white ink). */
export interface Grey {
  width: number;
  height: number;
  data: Float32Array;
}

/** Maps pad coordinates to image coordinates: p' = p·scale + offset. */
export interface Placement {
  scale: number;
  dx: number;
  dy: number;
}

export function blank(width: number, height: number): Grey {
  return { width, height, data: new Float32Array(width * height) };
}

/** Distance² from (px, py) to the segment a–b. */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  let t = len2 > 0 ? ((px - ax) * vx + (py - ay) * vy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const dx = px - (ax + t * vx);
  const dy = py - (ay + t * vy);
  return dx * dx + dy * dy;
}

/**
 * Draws strokes (pad coordinates, placed by `at`) with a pen `penWidth` image pixels wide into a new image. A
 * stroke of one point is a dot. Only the pixels near each segment are visited.
 */
export function rasterize(strokes: readonly Stroke[], width: number, height: number, at: Placement, penWidth: number): Grey {
  const image = blank(width, height);
  const r = penWidth / 2;
  const reach = r + 0.5;
  const place = (p: Point): Point => ({ x: p.x * at.scale + at.dx, y: p.y * at.scale + at.dy });
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    const points = stroke.map(place);
    const segments = points.length === 1 ? [[points[0], points[0]]] : points.slice(1).map((b, i) => [points[i], b]);
    for (const [a, b] of segments) {
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + reach));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + reach));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const d2 = segmentDistance2(x + 0.5, y + 0.5, a.x, a.y, b.x, b.y);
          if (d2 >= reach * reach) continue;
          const coverage = Math.min(1, reach - Math.sqrt(d2));
          const i = y * width + x;
          if (coverage > image.data[i]) image.data[i] = coverage;
        }
      }
    }
  }
  return image;
}

/** Centre of mass of the ink, in image coordinates (pixel i spans [i, i+1), so its centre is i + ½). */
export function centreOfMass(image: Grey): Point | null {
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x];
      sum += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return sum > 0 ? { x: sx / sum, y: sy / sum } : null;
}

/** The smallest pixel box holding every value above `threshold`, or null for an empty image. */
export function inkBox(image: Grey, threshold = 0): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x] > threshold) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  return x0 === Infinity ? null : { x0, y0, x1, y1 };
}
