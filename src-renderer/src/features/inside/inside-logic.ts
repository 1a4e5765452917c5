/**
 * The layer view's rules, plain TS so they test without Svelte: how a layer's output is drawn (feature maps, bars,
 * or the softmax) and how weights become pictures. How values become colours is lib/pixels/colour-map.ts (one scale
 * per layer, so its channels compare); it is re-exported here for the layer view's tests.
 */
import type { Plane } from '../../lib/pixels/colour-map';

export { colour, greyValue, mean, rgba, scaleOf, type Plane, type Scale } from '../../lib/pixels/colour-map';

export type LayerKind = 'maps' | 'bars';

/** [C, H, W] is C feature maps; [L, F] (a sequence) is one map; [F] is bars. */
export function layerKind(shape: readonly number[]): LayerKind {
  return shape.length >= 2 ? 'maps' : 'bars';
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
