/**
 * How MNIST made a 28×28 digit from a larger picture of ink, as LeCun, Cortes and Burges describe it: "size
 * normalized to fit in a 20x20 pixel box while preserving their aspect ratio … grey levels as a result of the
 * anti-aliasing technique used by the normalization algorithm … centered in a 28x28 image by computing the center
 * of mass of the pixels, and translating the image so as to position this point at the center of the 28x28 field."
 *
 * What the real files say (all 70,000 digits, ../shared/data/mnist, measured for #15):
 * - the centre of mass, in pixel-index coordinates (pixel i weighs in at i, as scipy.ndimage.center_of_mass
 *   counts), averages (14.007, 13.996) on the training set, spread evenly over ±0.5 (MNIST shifted by whole
 *   pixels). So MNIST's centre is pixel (14, 14), i.e. 14.5 if pixel i covers [i, i+1): half a pixel right of
 *   and below the frame's middle, which is where the pad used to put it.
 * - the longer side of the box of non-zero pixels is exactly 20 in 99.98% of digits (19 in the rest);
 * - edges are soft: 61% of the non-zero pixels are below 250, the grey levels a box filter gives when it shrinks a
 *   finely drawn stroke, which is what this file does (EDGE_BLUR).
 *
 * We shift by fractions of a pixel instead, so the centre of mass lands on (14, 14) itself rather than anywhere
 * within half a pixel of it. Both cannot hold at once with whole pixels: a symmetric digit 20 px tall whose box
 * starts on a pixel boundary has its centre at 13.5 or 14.5, and MNIST took either. The price is that a box edge
 * may fall inside a pixel, so the partly covered row beyond it makes the box 21 px if every non-zero pixel counts;
 * measured on pixels at least half inked it is 20, or 19 where a round stroke end barely reaches into the last
 * row (16% of MNIST test digits re-made by this pipeline, against 1.4% of MNIST's own). The box we fit is measured the same way, on the source's ink above
 * INK_THRESHOLD, so the source's own anti-aliased fringe never makes the digit smaller.
 */
import { centreOfMass, gaussianBlur, inkBox, resampleArea, type Grey } from './raster';
import type { Point } from './strokes';

export const SIDE = 28;
export const BOX = 20;
/** MNIST's centre of mass, pixel-index coordinates. */
export const MNIST_CENTRE: Point = { x: 14, y: 14 };
/** Ink this strong or stronger counts towards the box: in the source, half-covered pixels and up. */
export const INK_THRESHOLD = 0.5;
/**
 * An extra Gaussian blur after the box filter, in output pixels, applied only inside the ink (softenInside).
 * None: area-averaging a finely drawn stroke already gives MNIST's grey levels. Six pad-style digits against
 * 1,000 MNIST test digits (share of non-zero pixels in 1–63, 64–127, 128–191, 192–249, 250–255): MNIST .19 .13
 * .14 .17 .37; this pipeline at σ 0 .21 .12 .12 .18 .37, at σ 0.5 .17 .18 .16 .44 .05; the old single-pass pad
 * renderer .16 .17 .12 .12 .43 (the "sharper than MNIST" edges of #15). preprocess.mnist.test.ts checks it.
 */
export const EDGE_BLUR = 0;

export interface Fitted {
  /** The ink fitted into the 20×20 box (longer side 20 px, aspect kept), before it is placed. */
  scaled: Grey;
  /** That box in the middle of the 28×28 frame. */
  placed: Grey;
  /** The final image, 0…1: centre of mass on MNIST_CENTRE, brightest pixel 1. */
  centred: Grey;
  /** Where the fitted box sits in the final frame, in continuous coordinates (pixel i covers [i, i+1)). */
  box: { x: number; y: number; width: number; height: number };
  /** The final image's centre of mass, pixel-index coordinates. */
  centre: Point;
}

/**
 * Fits the ink of `source` (any size, 0…1, white ink on black; usually far larger than 28×28) into a 28×28 MNIST
 * frame. Returns null when nothing reaches INK_THRESHOLD.
 */
export function fitToMnist(source: Grey, blur = EDGE_BLUR): Fitted | null {
  const found = inkBox(source, INK_THRESHOLD - 1e-6);
  if (!found) return null;
  // Only the box's ink is fitted: a faint fringe outside it would land outside the 20 px.
  const ink = crop(source, found);
  const scale = BOX / Math.max(ink.width, ink.height);
  // The longer side is BOX exactly, not BOX give or take a rounding error.
  const width = ink.width >= ink.height ? BOX : ink.width * scale;
  const height = ink.height >= ink.width ? BOX : ink.height * scale;
  const scaled = resampleArea(ink, Math.ceil(width - 1e-9), Math.ceil(height - 1e-9), { scale, dx: 0, dy: 0 });
  const middle = { x: (SIDE - width) / 2, y: (SIDE - height) / 2 };
  const placed = resampleArea(ink, SIDE, SIDE, { scale, dx: middle.x, dy: middle.y });

  // Move the box so the centre of mass lands on MNIST's; resampling moves the measured centre by a few
  // hundredths, so measure and correct again. The box stays inside the frame (a very lopsided digit may then miss
  // the centre).
  let at = { x: middle.x, y: middle.y };
  let centre = centreOfMass(placed)!;
  let centred = placed;
  for (let pass = 0; pass < 3; pass++) {
    at = { x: clamp(at.x + MNIST_CENTRE.x - centre.x, 0, SIDE - width), y: clamp(at.y + MNIST_CENTRE.y - centre.y, 0, SIDE - height) };
    centred = brightestToOne(softenInside(resampleArea(ink, SIDE, SIDE, { scale, dx: at.x, dy: at.y }), blur));
    centre = centreOfMass(centred)!;
    if (Math.abs(centre.x - MNIST_CENTRE.x) < 0.005 && Math.abs(centre.y - MNIST_CENTRE.y) < 0.005) break;
  }
  return { scaled, placed, centred, box: { ...at, width, height }, centre };
}

/** The source's pixels inside `box`, as an image of their own. */
function crop(source: Grey, box: { x0: number; y0: number; x1: number; y1: number }): Grey {
  const width = box.x1 - box.x0 + 1;
  const height = box.y1 - box.y0 + 1;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) data.set(source.data.subarray((box.y0 + y) * source.width + box.x0, (box.y0 + y) * source.width + box.x0 + width), y * width);
  return { width, height, data };
}

/**
 * A Gaussian blur that keeps ink where it was: only pixels that already hold ink change, each taking the
 * weighted mean of its inked neighbourhood with the empty pixels around counted as black. So edges soften
 * inward and the box keeps its size, as MNIST's do.
 */
function softenInside(image: Grey, sigma: number): Grey {
  if (sigma <= 0) return image;
  const blurred = gaussianBlur(image, sigma);
  return { ...image, data: image.data.map((v, i) => (v > 0 ? blurred.data[i] : 0)) };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** MNIST's brightest pixel is 254 or 255 in every digit: stretch so ours is 1 too. */
function brightestToOne(image: Grey): Grey {
  let max = 0;
  for (const v of image.data) max = Math.max(max, v);
  return max > 0 ? { ...image, data: image.data.map((v) => Math.min(1, v / max)) } : image;
}
