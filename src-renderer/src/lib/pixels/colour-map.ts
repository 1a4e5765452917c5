/**
 * How a plane of values becomes pixels, for every small image the renderer draws (feature maps and filters, the
 * pad's 28×28 input, dataset thumbnails): plain TS, so it tests without Svelte.
 *
 * Colours, as CNN Explainer draws them: values all ≥ 0 (an image, or a layer after a ReLU or a pool of one) are grey,
 * black at 0 and white at the scale's max; values with negatives are diverging, blue below 0, white at 0 and red
 * above, scaled by the largest |value|. An image of 0…1 intensities is GREY_UNIT.
 */

/** A width × height image of values, row by row. */
export interface Plane {
  width: number;
  height: number;
  values: ArrayLike<number>;
}

export interface Scale {
  /** 'grey' when no value is below 0, else 'diverging'. */
  kind: 'grey' | 'diverging';
  /** The largest |value| (1 when all are 0), what maps to white (grey) or full red/blue (diverging). */
  max: number;
}

/** One scale for a whole layer (or a weight tensor); NaN and ±Infinity are left out. */
export function scaleOf(values: ArrayLike<number>): Scale {
  let max = 0;
  let negative = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < 0) negative = true;
    if (Math.abs(v) > max) max = Math.abs(v);
  }
  return { kind: negative ? 'diverging' : 'grey', max: max || 1 };
}

/** One value's colour, [r, g, b], 0..255. */
export function colour(v: number, scale: Scale): [number, number, number] {
  if (!Number.isFinite(v)) return [255, 0, 255]; // NaN or ±Inf: magenta, so it is seen
  const t = Math.min(1, Math.abs(v) / scale.max);
  if (scale.kind === 'grey') {
    const g = Math.round(t * 255);
    return [g, g, g];
  }
  const fade = Math.round(255 * (1 - t));
  return v < 0 ? [fade, fade, 255] : [255, fade, fade];
}

/** A plane's pixels as RGBA bytes for putImageData. */
export function rgba(values: ArrayLike<number>, scale: Scale): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = colour(values[i], scale);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** The value behind a displayed grey level, for a readback check: the inverse of `colour` on a grey scale. */
export function greyValue(level: number, scale: Scale): number {
  return (level / 255) * scale.max;
}

/** Intensities 0…1 as grey, black to white (a pixel image). */
export const GREY_UNIT: Scale = { kind: 'grey', max: 1 };

/** The mean of a plane, as the page exposes it for tests (data-mean) and as a tooltip. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}

/** The largest value of a plane (-Infinity when empty), shown beside the mean. */
export function peak(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

/** Bytes 0…255 as grey, black to white (a dataset image as stored). */
export const GREY_BYTES: Scale = { kind: 'grey', max: 255 };

/** An image kept as `{ width, height, data }` (the pad's rasters) as a Plane. */
export const planeOf = ({ width, height, data }: { width: number; height: number; data: ArrayLike<number> }): Plane => ({ width, height, values: data });
