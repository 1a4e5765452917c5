/**
 * Turns the pad's strokes into a 28×28 MNIST-style input, the way the MNIST digits were made:
 *
 *   1. the bounding box of the ink;
 *   2. scale so that the longer side of the ink is 20 px, keeping the aspect ratio, and draw the strokes again with
 *      a fixed, anti-aliased pen (so a digit drawn small and one drawn large become the same image);
 *   3. put that into a 28×28 frame, box centred;
 *   4. shift so that the ink's centre of mass is at the frame's centre (14, 14) — sub-pixel here, by re-rendering;
 *   5. white ink on black, 0…255, then the normalisation the run trained with (none, /255, or MNIST mean/std).
 *
 * Every step is kept as a small image for the Predict tab to show.
 */
import { MNIST_MEAN, MNIST_STD, type Normalize } from '../../../../common/spec/types';
import { blank, centreOfMass, rasterize, type Grey, type Placement } from './raster';
import type { Point, Stroke } from './strokes';

export const SIDE = 28;
export const BOX = 20;
/** The pen's width in the 28×28 image: about an MNIST stroke. */
export const PEN_WIDTH = 2.4;
/** How far the centre-of-mass shift may move the ink (keeps a 20 px box inside the 28 px frame). */
const MAX_SHIFT = (SIDE - BOX) / 2;
/** The crop preview's longer side, in its own pixels. */
const CROP_SIDE = 56;

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
  /** The ink's centre of mass in the final image (the frame's centre is 14, 14). */
  centre: Point;
  /** The ink's extent in the final image, pen included. */
  ink: { width: number; height: number };
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

/**
 * The whole pipeline. `padPen` is the pad's own pen width (for the crop preview only). Returns null when nothing
 * is drawn.
 */
export function preprocess(strokes: readonly Stroke[], normalize: Normalize, padPen = 16): Preprocessed | null {
  const box = strokeBox(strokes);
  if (!box) return null;
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const longer = Math.max(w, h);

  // 1. the ink's bounding box, as drawn (pad pen included), shrunk to a preview.
  const half = padPen / 2;
  const cropScale = CROP_SIDE / (longer + padPen);
  const crop = rasterize(strokes, Math.max(1, Math.ceil((w + padPen) * cropScale)), Math.max(1, Math.ceil((h + padPen) * cropScale)),
    { scale: cropScale, dx: (half - box.x0) * cropScale, dy: (half - box.y0) * cropScale }, padPen * cropScale);

  // 2. longer side of the ink (pen included) = 20 px; a dot stays a dot.
  const scale = longer > 0 ? (BOX - PEN_WIDTH) / longer : 1;
  const inkW = w * scale + PEN_WIDTH;
  const inkH = h * scale + PEN_WIDTH;
  const scaled = rasterize(strokes, Math.ceil(inkW), Math.ceil(inkH),
    { scale, dx: PEN_WIDTH / 2 - box.x0 * scale, dy: PEN_WIDTH / 2 - box.y0 * scale }, PEN_WIDTH);

  // 3. box centred in 28×28.
  const boxCentred: Placement = {
    scale,
    dx: SIDE / 2 - ((box.x0 + box.x1) / 2) * scale,
    dy: SIDE / 2 - ((box.y0 + box.y1) / 2) * scale,
  };
  const placed = rasterize(strokes, SIDE, SIDE, boxCentred, PEN_WIDTH);

  // 4. centre of mass to the centre: shift, re-render, repeat (sampling moves the mass a hair each time).
  let at = boxCentred;
  let centred = placed;
  for (let i = 0; i < 4; i++) {
    const com = centreOfMass(centred);
    if (!com) break;
    const ddx = SIDE / 2 - com.x;
    const ddy = SIDE / 2 - com.y;
    if (Math.abs(ddx) < 0.01 && Math.abs(ddy) < 0.01) break;
    const clamp = (v: number) => Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, v));
    at = { scale, dx: boxCentred.dx + clamp(at.dx - boxCentred.dx + ddx), dy: boxCentred.dy + clamp(at.dy - boxCentred.dy + ddy) };
    centred = rasterize(strokes, SIDE, SIDE, at, PEN_WIDTH);
  }

  // 5. 0…255, white on black, then the run's normalisation.
  const pixels = Array.from(centred.data, (v) => Math.round(v * 255));
  const rounded: Grey = { width: SIDE, height: SIDE, data: Float32Array.from(pixels, (v) => v / 255) };
  const input = normalise(pixels, normalize);
  return {
    steps: [
      { id: 'crop', image: crop },
      { id: 'scaled', image: scaled },
      { id: 'placed', image: placed },
      { id: 'centred', image: rounded },
      { id: 'normalised', image: toDisplay(input, SIDE, SIDE) },
    ],
    pixels,
    input,
    centre: centreOfMass(rounded) ?? { x: SIDE / 2, y: SIDE / 2 },
    ink: { width: inkW, height: inkH },
  };
}

/** An all-black 28×28 frame, for the empty pad. */
export const EMPTY_FRAME: Grey = blank(SIDE, SIDE);
