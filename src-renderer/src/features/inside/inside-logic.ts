/**
 * The layer view's rules, plain TS so they test without Svelte: how a layer's output is drawn (feature maps, bars,
 * or the softmax), how values become colours, and how weights become pictures.
 *
 * Colours, as CNN Explainer draws them: a layer whose values are all ≥ 0 (after a ReLU or a pool of one) is grey,
 * black at 0 and white at the layer's largest value; a layer with negative values is diverging, blue below 0, white
 * at 0 and red above, scaled by the layer's largest |value|. One scale per layer, so its channels compare.
 */

export type LayerKind = 'maps' | 'bars';

/** [C, H, W] is C feature maps; [L, F] (a sequence) is one map; [F] is bars. */
export function layerKind(shape: readonly number[]): LayerKind {
  return shape.length >= 2 ? 'maps' : 'bars';
}

export interface Plane {
  width: number;
  height: number;
  values: Float32Array;
}

/** The feature maps of a [C, H, W] or [H, W] output: views into `values`, one per channel. */
export function planes(values: Float32Array, shape: readonly number[]): Plane[] {
  const [height, width] = shape.slice(-2);
  const size = height * width;
  const count = shape.length >= 3 ? shape.slice(0, -2).reduce((a, b) => a * b, 1) : 1;
  const out: Plane[] = [];
  for (let c = 0; c < count && (c + 1) * size <= values.length; c++) out.push({ width, height, values: values.subarray(c * size, (c + 1) * size) });
  return out;
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

// ---------- weights ----------

export type WeightPicture =
  /** Conv filters [out, in, kh, kw]: one image per output channel, for input channel `input`. */
  | { kind: 'filters'; planes: Plane[]; inputs: number }
  /** A Linear's weights for one output as a 28×28 (or √in × √in) map: what that output looks for in the image. */
  | { kind: 'row-map'; plane: Plane; outputs: number }
  /** Any other 2-D weight: the whole [out, in] matrix as one image. */
  | { kind: 'matrix'; plane: Plane }
  | { kind: 'none' };

/**
 * What to draw for a layer's weight tensor. `pick` chooses the conv input channel or the Linear output shown.
 * A Linear whose input is a square number of features (784 = 28×28 pixels) is drawn as that square, as learners see
 * logistic regression's weights.
 */
export function weightPicture(op: string, shape: readonly number[], values: Float32Array, pick = 0): WeightPicture {
  if (shape.length === 4) {
    const [out, inputs, kh, kw] = shape;
    const input = Math.min(Math.max(0, pick), inputs - 1);
    const size = kh * kw;
    const filters: Plane[] = [];
    for (let o = 0; o < out; o++) {
      const start = (o * inputs + input) * size;
      filters.push({ width: kw, height: kh, values: values.subarray(start, start + size) });
    }
    return { kind: 'filters', planes: filters, inputs };
  }
  if (shape.length === 2) {
    const [out, inputs] = shape;
    const side = Math.round(Math.sqrt(inputs));
    if (op === 'Linear' && side * side === inputs && side >= 8) {
      const row = Math.min(Math.max(0, pick), out - 1);
      return { kind: 'row-map', plane: { width: side, height: side, values: values.subarray(row * inputs, (row + 1) * inputs) }, outputs: out };
    }
    return { kind: 'matrix', plane: { width: inputs, height: out, values } };
  }
  return { kind: 'none' };
}

/** The mean of a plane, as the page exposes it for tests (data-mean) and as a tooltip. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}
