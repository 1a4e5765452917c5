/**
 * Turns the pad's strokes into a 28×28 MNIST-style input, the way the MNIST digits were made (mnist-fit.ts):
 *
 *   1. draw the strokes large, with a pen in proportion to the digit (so a digit drawn small and one drawn large
 *      become the same picture): the "scan";
 *   2. fit the ink, measured above a threshold, into a 20×20 box keeping the aspect ratio, area-averaged;
 *   3. put that into a 28×28 frame, box centred;
 *   4. shift (by fractions of a pixel) so the centre of mass is on MNIST's, pixel (14, 14), and soften the edges
 *      as much as MNIST's are;
 *   5. white ink on black, 0…255, then the normalisation the run trained with (none, /255, or MNIST mean/std).
 *
 * Every step is kept as a small image for the Predict tab to show.
 */
import { MNIST_MEAN, MNIST_STD, type Normalize } from '../../../../common/model-spec/types';
import { BOX, fitToMnist, SIDE, type Fitted } from './mnist-fit';
import { blank, rasterize, resampleArea, type Grey } from './raster';
import type { Point, Stroke } from './strokes';

export { BOX, SIDE } from './mnist-fit';
/** The pen's width in the 28×28 image: about an MNIST stroke. */
export const PEN_WIDTH = 2.4;
/** The scan's pixels per final pixel: enough that its own anti-aliasing is lost in the box filter. */
export const SCAN_RESOLUTION = 8;
/** The first step's picture, the scan, is shown at most this many pixels a side. */
const PREVIEW_SIDE = 56;

export type StepId = 'crop' | 'scaled' | 'placed' | 'centred' | 'normalised';

export interface Step {
  id: StepId;
  image: Grey;
}

export interface Preprocessed {
  steps: Step[];
  /** The 28×28 image, row by row, 0…255 (white ink on black): what a `predict` request carries. */
  pixels: number[];
  /** The same after the run's normalisation: what the network's input layer sees. */
  input: Float32Array;
  /** The ink's centre of mass in the final image, pixel-index coordinates (MNIST's is 14, 14). */
  centre: Point;
  /** The fitted box in the final image (longer side 20), continuous coordinates. */
  box: Fitted['box'];
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function strokeBox(strokes: readonly Stroke[]): Box | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const stroke of strokes) {
    for (const p of stroke) {
      x0 = Math.min(x0, p.x);
      y0 = Math.min(y0, p.y);
      x1 = Math.max(x1, p.x);
      y1 = Math.max(y1, p.y);
    }
  }
  return x0 === Infinity ? null : { x0, y0, x1, y1 };
}

/**
 * The strokes drawn at SCAN_RESOLUTION with a pen PEN_WIDTH final pixels wide, the longer side of the ink
 * 20 × SCAN_RESOLUTION pixels: what NIST's scanner was to MNIST. A single dot is drawn as a pen-sized dot.
 */
export function scan(strokes: readonly Stroke[]): Grey | null {
  const box = strokeBox(strokes);
  if (!box) return null;
  const longer = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const pen = PEN_WIDTH * SCAN_RESOLUTION;
  const scale = longer > 0 ? (BOX * SCAN_RESOLUTION - pen) / longer : 1;
  const margin = Math.ceil(pen / 2) + 1;
  const width = Math.ceil((box.x1 - box.x0) * scale) + 2 * margin;
  const height = Math.ceil((box.y1 - box.y0) * scale) + 2 * margin;
  const step = SCAN_STEP / scale;
  return rasterize(strokes.map((s) => thin(s, step)), width, height, { scale, dx: margin - box.x0 * scale, dy: margin - box.y0 * scale }, pen);
}

/** Scan pixels between the points the scan keeps: a pad stroke has a point every pad pixel or so, far more than needed. */
const SCAN_STEP = 2;

/** The stroke with points closer than `step` to the last one kept dropped (its two ends always kept). */
function thin(stroke: Stroke, step: number): Stroke {
  if (stroke.length <= 2) return stroke;
  const kept = [stroke[0]];
  for (let i = 1; i < stroke.length - 1; i++) {
    const last = kept[kept.length - 1];
    if (Math.hypot(stroke[i].x - last.x, stroke[i].y - last.y) >= step) kept.push(stroke[i]);
  }
  kept.push(stroke[stroke.length - 1]);
  return kept;
}

/** The MNIST normalisations, as the engine applies them to a 0…255 image (engine/data/transforms). */
export function normalise(pixels: ArrayLike<number>, how: Normalize): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    out[i] = how === 'none' ? v : how === 'scale' ? v / 255 : (v / 255 - MNIST_MEAN) / MNIST_STD;
  }
  return out;
}

/** Rescales any values to 0…1 for display (the normalised input is not in 0…1). */
function toDisplay(values: Float32Array, width: number, height: number): Grey {
  let min = Infinity, max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const span = max - min || 1;
  return { width, height, data: values.map((v) => (v - min) / span) };
}

/** The scan shrunk (area-averaged) to at most PREVIEW_SIDE pixels a side, for the Predict tab to show. */
function preview(source: Grey): Grey {
  const k = PREVIEW_SIDE / Math.max(source.width, source.height);
  if (k >= 1) return source;
  return resampleArea(source, Math.ceil(source.width * k), Math.ceil(source.height * k), { scale: k, dx: 0, dy: 0 });
}

/** Steps 2–5 on any picture of ink (0…1, white on black): the pad's scan, or a test's upscaled MNIST digit. */
export function preprocessImage(source: Grey, normalize: Normalize, blur?: number): Preprocessed | null {
  const fitted = fitToMnist(source, blur);
  if (!fitted) return null;
  const pixels = Array.from(fitted.centred.data, (v) => Math.round(v * 255));
  const rounded: Grey = { width: SIDE, height: SIDE, data: Float32Array.from(pixels, (v) => v / 255) };
  const input = normalise(pixels, normalize);
  return {
    steps: [
      { id: 'crop', image: preview(source) },
      { id: 'scaled', image: fitted.scaled },
      { id: 'placed', image: fitted.placed },
      { id: 'centred', image: rounded },
      { id: 'normalised', image: toDisplay(input, SIDE, SIDE) },
    ],
    pixels,
    input,
    centre: fitted.centre,
    box: fitted.box,
  };
}

/** The whole pipeline from the pad's strokes. Returns null when nothing is drawn. */
export function preprocess(strokes: readonly Stroke[], normalize: Normalize): Preprocessed | null {
  const source = scan(strokes);
  return source && preprocessImage(source, normalize);
}

/** An all-black 28×28 frame, for the empty pad. */
export const EMPTY_FRAME: Grey = blank(SIDE, SIDE);
