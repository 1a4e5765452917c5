/**
 * The sampling behind data augmentation (common/model-spec/augment.ts says what the settings mean), shared by the
 * engine's training batches (engine/data/augment.ts) and the Data settings' preview, which may not import engine/:
 * one algorithm, so the preview shows what training will see. It is PyTorch's
 * `F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)` on the grid
 * `F.affine_grid(theta, size, align_corners=False)` (plus an elastic displacement), written out, which is also what
 * the twin runs (common/model-spec/twin-augment.ts); twin-augment.test.ts holds the two to 1e-5.
 *
 * Random numbers come from a `() => number` in [0, 1) (mulberry32). Per batch of n images, in this order:
 * 4 per image for the affine (angle, x shift, y shift, scale; drawn even where a part is off, so turning one on
 * does not shift the others' draws), then, per image, the elastic field's numbers (elasticField).
 * The twin draws the affine numbers from the same stream, so given the run's seed it shifts and turns each image as
 * the app does.
 *
 * Example: `augmentImages(pixels, out, 4, 28, 28, resolveAugment(spec.data)!, mulberry32(7), 0)` writes four
 * augmented 28×28 images to `out`.
 */
import { elasticKernelSize, type ResolvedAugment } from './model-spec/augment';

/** One image's affine parameters: degrees counter-clockwise, whole-pixel shifts (x right, y down), scale factor. */
export interface AffineParams {
  angle: number;
  tx: number;
  ty: number;
  scale: number;
}

/** Row-major 2×3 `theta` as F.affine_grid takes it: output grid coordinates → input grid coordinates. */
export type Theta = [number, number, number, number, number, number];

/** torchvision's draw for RandomAffine, from four numbers in [0, 1). Shifts round half up (Python's floor(x + 0.5)). */
export function affineParams(u: readonly number[], affine: NonNullable<ResolvedAugment['affine']>, h: number, w: number): AffineParams {
  const [tx, ty] = affine.translate ?? [0, 0];
  const [lo, hi] = affine.scale ?? [1, 1];
  return {
    angle: (2 * u[0] - 1) * affine.degrees,
    tx: Math.floor((2 * u[1] - 1) * tx * w + 0.5),
    ty: Math.floor((2 * u[2] - 1) * ty * h + 0.5),
    scale: lo + u[3] * (hi - lo),
  };
}

/**
 * The inverse of "scale by s and turn by `angle` about the centre, then shift by (tx, ty) pixels", in F.affine_grid's
 * coordinates ([-1, 1] across each side, align_corners=False): where each output pixel reads from.
 */
export function affineTheta(p: AffineParams, h: number, w: number): Theta {
  const rad = (p.angle * Math.PI) / 180;
  const c = Math.cos(rad) / p.scale;
  const s = Math.sin(rad) / p.scale;
  // In pixel units about the centre, y down, a counter-clockwise turn reads from R(-angle)·(p - t) / scale.
  const a = c;
  const b = (-s * h) / w;
  const d = (s * w) / h;
  const e = c;
  const txn = (2 * p.tx) / w;
  const tyn = (2 * p.ty) / h;
  return [a, b, -(a * txn + b * tyn), d, e, -(d * txn + e * tyn)];
}

/** torchvision's _get_gaussian_kernel1d: exp(-x²/2σ²) over int(8σ + 1) taps (odd), summing to 1. */
export function gaussianKernel(sigma: number): Float64Array {
  const size = elasticKernelSize(sigma);
  const half = (size - 1) / 2;
  const k = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = (i - half) / sigma;
    sum += k[i] = Math.exp(-0.5 * x * x);
  }
  for (let i = 0; i < size; i++) k[i] /= sum;
  return k;
}

/** PyTorch's 'reflect' padding (the edge pixel is not repeated): index i of a padded line of n. */
function reflect(i: number, n: number): number {
  if (i < 0) return -i;
  return i >= n ? 2 * (n - 1) - i : i;
}

/**
 * The reflect-padded 1-D blur of a line of n as an n×n matrix (row i: the weight of each input pixel in output i),
 * so that blurring a field F is B·F·Bᵀ: two small dense products with no index arithmetic in the inner loops.
 */
export function blurMatrix(sigma: number, n: number): Float64Array {
  const kernel = gaussianKernel(sigma);
  const half = (kernel.length - 1) / 2;
  if (half >= n) throw new Error(`ElasticTransform: sigma ${sigma} needs a ${kernel.length}-tap blur, wider than the ${n}-pixel side can reflect`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < kernel.length; k++) m[i * n + reflect(i + k - half, n)] += kernel[k];
  return m;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix by cyclic Jacobi rotations: values, and vectors as columns.
 * Small n (an image side) only; run once per (sigma, side).
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= 1e-30 * diag) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
}

/**
 * A smooth field's square-root factor along one side: n×r columns √λ·q of the eigenpairs of B·Bᵀ (B the blur
 * matrix) whose λ is above 1e-8 of the largest. torchvision's field B·N·Bᵀ (N uniform in [-1, 1]) has covariance
 * (B·Bᵀ ⊗ B·Bᵀ)/3; F·Z·Fᵀ with Z's r×r entries of variance 1/3 has (F·Fᵀ ⊗ F·Fᵀ)/3, the same to about 1e-8 of its
 * scale (the kernel, cut at ±4σ, passes every frequency a little). A smooth field holds few frequencies (r = 10 of
 * 28 at σ = 4, 8 at σ = 5), so a field costs 11k multiply-adds and 100 random numbers instead of 44k and 784: a
 * quarter of the time of torchvision's way in plain JavaScript (scripts/bench-augment.ts).
 */
export interface FieldFactor {
  n: number;
  r: number;
  /** n×r, row-major. */
  f: Float64Array;
}

export function fieldFactor(sigma: number, n: number): FieldFactor {
  const b = blurMatrix(sigma, n);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += b[i * n + k] * b[j * n + k];
      c[i * n + j] = acc;
    }
  }
  const { values, vectors } = symmetricEigen(c, n);
  const top = Math.max(...values);
  const keep = Array.from(values.keys()).filter((k) => values[k] > 1e-8 * top).sort((x, y) => values[y] - values[x]);
  const f = new Float64Array(n * keep.length);
  keep.forEach((k, col) => {
    const root = Math.sqrt(values[k]);
    for (let i = 0; i < n; i++) f[i * keep.length + col] = vectors[i * n + k] * root;
  });
  return { n, r: keep.length, f };
}

const factors = new Map<string, FieldFactor>();
function cachedFactor(sigma: number, n: number): FieldFactor {
  const key = `${sigma}:${n}`;
  let factor = factors.get(key);
  if (!factor) {
    if (factors.size > 16) factors.clear();
    factors.set(key, (factor = fieldFactor(sigma, n)));
  }
  return factor;
}

/**
 * One image's elastic displacement, written to `out` at `offset` as [h, w, 2] (x, y) in grid units: a smooth random
 * field with the covariance of torchvision's (uniform noise in [-1, 1] blurred by a Gaussian of std sigma,
 * reflect-padded), times alpha / size (ElasticTransform.get_params). Drawn as Fh·Z·Fwᵀ (see fieldFactor), Z's
 * entries normal with variance 1/3 by Box–Muller, Z row by row, x's field before y's.
 */
export function elasticField(
  random: () => number, elastic: NonNullable<ResolvedAugment['elastic']>, h: number, w: number, out: Float32Array, offset: number,
): void {
  if ((elasticKernelSize(elastic.sigma) - 1) / 2 >= Math.min(h, w)) {
    throw new Error(`ElasticTransform: sigma ${elastic.sigma} needs a ${elasticKernelSize(elastic.sigma)}-tap blur, wider than the ${h}×${w} image can reflect`);
  }
  const fh = cachedFactor(elastic.sigma, h);
  const fw = cachedFactor(elastic.sigma, w);
  const z = new Float64Array(fh.r * fw.r);
  const zf = new Float64Array(fh.r * w);
  for (let axis = 0; axis < 2; axis++) {
    for (let i = 0; i < z.length; i += 2) {
      const radius = Math.sqrt((-2 / 3) * Math.log(1 - random()));
      const angle = 2 * Math.PI * random();
      z[i] = radius * Math.cos(angle);
      if (i + 1 < z.length) z[i + 1] = radius * Math.sin(angle);
    }
    // zf = Z·Fwᵀ (rh×w), then the field = Fh·zf (h×w), scaled.
    for (let a = 0; a < fh.r; a++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let b = 0; b < fw.r; b++) acc += z[a * fw.r + b] * fw.f[x * fw.r + b];
        zf[a * w + x] = acc;
      }
    }
    const factor = elastic.alpha / (axis === 0 ? w : h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let a = 0; a < fh.r; a++) acc += fh.f[y * fh.r + a] * zf[a * w + x];
        out[offset + 2 * (y * w + x) + axis] = acc * factor;
      }
    }
  }
}

/** The random part of one batch: a theta per image (or null), an [n, h, w, 2] displacement (or null). */
export interface AugmentDraw {
  thetas: Float64Array | null;
  displacement: Float32Array | null;
}

/** Draws a batch's transforms in the documented order. */
export function drawAugment(random: () => number, augment: ResolvedAugment, n: number, h: number, w: number): AugmentDraw {
  let thetas: Float64Array | null = null;
  if (augment.affine) {
    thetas = new Float64Array(n * 6);
    for (let i = 0; i < n; i++) {
      const u = [random(), random(), random(), random()];
      thetas.set(affineTheta(affineParams(u, augment.affine, h, w), h, w), i * 6);
    }
  }
  let displacement: Float32Array | null = null;
  if (augment.elastic) {
    displacement = new Float32Array(n * h * w * 2);
    for (let i = 0; i < n; i++) elasticField(random, augment.elastic, h, w, displacement, i * h * w * 2);
  }
  return { thetas, displacement };
}

/**
 * F.grid_sample, bilinear, align_corners=False, on n single-channel h×w images: output pixel (y, x) reads the input
 * at theta · (grid + displacement). Outside the image the input is `fill` (padding_mode='zeros' on `x - fill`), so
 * with a normalised image `fill` is black's normalised value.
 */
export function gridSampleInto(
  src: ArrayLike<number>, dst: Float32Array, n: number, h: number, w: number, draw: AugmentDraw, fill: number,
): void {
  const { thetas, displacement } = draw;
  const per = h * w;
  for (let img = 0; img < n; img++) {
    const base = img * per;
    const t = thetas ? thetas.subarray(img * 6, img * 6 + 6) : null;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        let gx = (2 * x + 1) / w - 1;
        let gy = (2 * y + 1) / h - 1;
        if (displacement) {
          gx += displacement[(base + p) * 2];
          gy += displacement[(base + p) * 2 + 1];
        }
        if (t) {
          const ax = t[0] * gx + t[1] * gy + t[2];
          gy = t[3] * gx + t[4] * gy + t[5];
          gx = ax;
        }
        const ix = ((gx + 1) * w - 1) / 2;
        const iy = ((gy + 1) * h - 1) / 2;
        const x0 = Math.floor(ix);
        const y0 = Math.floor(iy);
        const fx = ix - x0;
        const fy = iy - y0;
        let v = 0;
        if (y0 >= 0 && y0 < h) {
          const row = base + y0 * w;
          if (x0 >= 0 && x0 < w) v += (1 - fx) * (1 - fy) * (src[row + x0] - fill);
          if (x0 + 1 >= 0 && x0 + 1 < w) v += fx * (1 - fy) * (src[row + x0 + 1] - fill);
        }
        if (y0 + 1 >= 0 && y0 + 1 < h) {
          const row = base + (y0 + 1) * w;
          if (x0 >= 0 && x0 < w) v += (1 - fx) * fy * (src[row + x0] - fill);
          if (x0 + 1 >= 0 && x0 + 1 < w) v += fx * fy * (src[row + x0 + 1] - fill);
        }
        dst[base + p] = v + fill;
      }
    }
  }
}

/** Draws and applies one batch's augmentation: `src` and `dst` hold n h×w images (they may not be the same array). */
export function augmentImages(
  src: ArrayLike<number>, dst: Float32Array, n: number, h: number, w: number, augment: ResolvedAugment, random: () => number, fill: number,
): void {
  gridSampleInto(src, dst, n, h, w, drawAugment(random, augment, n, h, w), fill);
}

/**
 * The seed of the augmentation of the run's batch number `step` (0-based over the whole run): its own stream, so
 * a batch replayed after a crash is augmented the same way and the twin can draw the same numbers.
 */
export function augmentSeed(seed: number, step: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + step + 0x5bd1e995) >>> 0;
}
