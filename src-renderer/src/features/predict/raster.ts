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

/**
 * Centre of mass of the ink in pixel-index coordinates, as `scipy.ndimage.center_of_mass` gives it: pixel (i, j)
 * weighs in at exactly (i, j), so with pixel i covering [i, i+1) a mass at index 14 sits at 14.5 on that line.
 * MNIST's digits have theirs at (14, 14) in this convention (mnist-fit.ts).
 */
export function centreOfMass(image: Grey): Point | null {
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x];
      sum += v;
      sx += v * x;
      sy += v * y;
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

/**
 * Area-averaged resampling (a box filter, the anti-aliasing MNIST's size normalisation used): source column u,
 * covering [u, u+1), lands on [u·scale + dx, (u+1)·scale + dx) in a new `width`×`height` image (rows likewise
 * with dy), and each output
 * pixel takes the mean of the source over its own square. Ink is conserved wherever it lands inside the frame, so
 * a pixel that a stroke's edge half covers comes out half grey. Separable: rows first, then columns.
 */
export function resampleArea(src: Grey, width: number, height: number, at: Placement): Grey {
  const wx = overlaps(src.width, width, at.scale, at.dx);
  const wy = overlaps(src.height, height, at.scale, at.dy);
  const rows = new Float32Array(src.height * width);
  for (let v = 0; v < src.height; v++) {
    const row = v * src.width;
    for (let u = 0; u < src.width; u++) {
      const value = src.data[row + u];
      if (value === 0) continue;
      for (const [x, w] of wx[u]) rows[v * width + x] += value * w;
    }
  }
  const out = blank(width, height);
  for (let v = 0; v < src.height; v++) {
    for (const [y, w] of wy[v]) {
      for (let x = 0; x < width; x++) out.data[y * width + x] += rows[v * width + x] * w;
    }
  }
  return out;
}

/** For each source index u, the output pixels its span [u·scale + offset, (u+1)·scale + offset) overlaps and by how much. */
function overlaps(srcLength: number, length: number, scale: number, offset: number): [number, number][][] {
  const out: [number, number][][] = [];
  for (let u = 0; u < srcLength; u++) {
    const a = u * scale + offset;
    const b = a + scale;
    const cells: [number, number][] = [];
    for (let x = Math.max(0, Math.floor(a)); x < Math.min(length, Math.ceil(b)); x++) {
      const w = Math.min(b, x + 1) - Math.max(a, x);
      if (w > 0) cells.push([x, w]);
    }
    out.push(cells);
  }
  return out;
}

/** A Gaussian blur of standard deviation `sigma` pixels (kernel cut at 3σ, renormalised), zero outside the image. */
export function gaussianBlur(image: Grey, sigma: number): Grey {
  if (sigma <= 0) return { ...image, data: image.data.slice() };
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const k = kernel.map((v) => v / total);
  const { width, height } = image;
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const dst = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let i = -radius; i <= radius; i++) {
          const xx = horizontal ? x + i : x;
          const yy = horizontal ? y : y + i;
          if (xx >= 0 && xx < width && yy >= 0 && yy < height) sum += src[yy * width + xx] * k[i + radius];
        }
        dst[y * width + x] = sum;
      }
    }
    return dst;
  };
  return { width, height, data: pass(pass(image.data, true), false) };
}
