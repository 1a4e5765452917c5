/**
 * The pad's preprocessing against real MNIST: each test digit is blown up 8× and thresholded, a thick bilevel
 * stroke like the scans MNIST was made from, then sent through the same pipeline as the pad's strokes
 * (preprocessImage). What comes out must sit where MNIST's digits sit, be as big and have edges as soft.
 *
 * MNIST is read from ../shared/data/mnist (outside the repository); without it the test is skipped and says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../../../common/idx';
import { EDGE_BLUR, MNIST_CENTRE } from './mnist-fit';
import { preprocessImage, SIDE } from './preprocess';
import { centreOfMass, inkBox, type Grey } from './raster';

const MNIST = fileURLToPath(new URL('../../../../../shared/data/mnist/', import.meta.url));
const IMAGES = `${MNIST}t10k-images-idx3-ubyte.gz`;
const COUNT = 500;
const UPSCALE = 8;

const noData = existsSync(IMAGES) ? null : `MNIST's test images are not readable at ${IMAGES}: they live outside the repository, in ../shared/data/mnist`;
if (noData) console.log(`MNIST preprocessing statistics skipped: ${noData}`);

/** The first COUNT test digits, 0…1. */
function readDigits(): Grey[] {
  const images = parseIdx(gunzipSync(readFileSync(IMAGES)), { name: 't10k-images', dtype: 'uint8', shape: [null, 28, 28] });
  return Array.from({ length: COUNT }, (_, i) => ({
    width: SIDE,
    height: SIDE,
    data: Float32Array.from(images.data.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
  }));
}

/** Bilinear upscaling by k (pixel centres at i + ½), thresholded at ½: a bilevel "scan" of the digit. */
function rescan(image: Grey, k: number): Grey {
  const width = image.width * k;
  const height = image.height * k;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= image.width || y >= image.height ? 0 : image.data[y * image.width + x]);
  const data = new Float32Array(width * height);
  for (let Y = 0; Y < height; Y++) {
    for (let X = 0; X < width; X++) {
      const u = (X + 0.5) / k - 0.5;
      const v = (Y + 0.5) / k - 0.5;
      const x0 = Math.floor(u), y0 = Math.floor(v), fx = u - x0, fy = v - y0;
      const value = (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1);
      data[Y * width + X] = value >= 0.5 ? 1 : 0;
    }
  }
  return { width, height, data };
}

interface Stats {
  centre: { x: number; y: number };
  /** Mean longer side of the box of pixels at least half inked. */
  halfInkBox: number;
  /** Share of the non-zero pixels in 1–63, 64–127, 128–191, 192–249, 250–255. */
  levels: number[];
}

function stats(images: Grey[]): Stats {
  let cx = 0, cy = 0, box = 0, inked = 0;
  const levels = [0, 0, 0, 0, 0];
  for (const image of images) {
    const c = centreOfMass(image)!;
    cx += c.x;
    cy += c.y;
    const b = inkBox(image, 127.5 / 255)!;
    box += Math.max(b.x1 - b.x0 + 1, b.y1 - b.y0 + 1);
    for (const v of image.data) {
      const g = Math.round(v * 255);
      if (g === 0) continue;
      inked++;
      levels[g < 64 ? 0 : g < 128 ? 1 : g < 192 ? 2 : g < 250 ? 3 : 4]++;
    }
  }
  const n = images.length;
  return { centre: { x: cx / n, y: cy / n }, halfInkBox: box / n, levels: levels.map((l) => l / inked) };
}

const greyOf = (pixels: number[]): Grey => ({ width: SIDE, height: SIDE, data: Float32Array.from(pixels, (v) => v / 255) });
const levelDistance = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe.skipIf(noData)('preprocessing re-makes real MNIST digits', () => {
  const originals = noData ? [] : readDigits();
  // Each digit re-made twice, with the pipeline's edge blur and with half a pixel of blur; rescanning is the slow part.
  const remade = originals.map((d) => {
    const scan = rescan(d, UPSCALE);
    return { plain: preprocessImage(scan, 'none', EDGE_BLUR)!, blurred: preprocessImage(scan, 'none', 0.5)! };
  });

  it("MNIST's own centre of mass is pixel (14, 14), counting pixel i at i", () => {
    const { centre } = stats(originals);
    expect(Math.abs(centre.x - MNIST_CENTRE.x)).toBeLessThan(0.05);
    expect(Math.abs(centre.y - MNIST_CENTRE.y)).toBeLessThan(0.05);
  });

  it("puts every re-made digit's centre of mass on MNIST's, with a 20 px box, as big and as soft as MNIST's", () => {
    const want = stats(originals);
    const outs = remade.map((r) => r.plain);
    const got = stats(outs.map((o) => greyOf(o.pixels)));
    console.log(`MNIST   ${JSON.stringify(want)}\nre-made ${JSON.stringify(got)}`);

    // A lopsided digit whose box reaches the frame's edge stays inside, as MNIST kept its own (test digit 483
    // fills columns 8–27 with its centre at 13.86): only those may miss the centre.
    const atEdge = (o: (typeof outs)[number]) => o.box.x < 1e-6 || o.box.y < 1e-6 || o.box.x + o.box.width > SIDE - 1e-6 || o.box.y + o.box.height > SIDE - 1e-6;
    const missed = outs.filter((o) => Math.hypot(o.centre.x - MNIST_CENTRE.x, o.centre.y - MNIST_CENTRE.y) >= 0.1);
    expect(missed.every(atEdge)).toBe(true);
    expect(missed.length).toBeLessThanOrEqual(COUNT / 100);
    expect(Math.abs(got.centre.x - want.centre.x)).toBeLessThan(0.05);
    expect(Math.abs(got.centre.y - want.centre.y)).toBeLessThan(0.05);
    for (const o of outs) expect(Math.max(o.box.width, o.box.height)).toBe(20);
    expect(Math.abs(got.halfInkBox - want.halfInkBox)).toBeLessThan(0.3);
    expect(levelDistance(got.levels, want.levels)).toBeLessThan(0.05);

    // Pixel for pixel, a re-made digit differs from its original by little more than the sub-pixel shift.
    let diff = 0;
    outs.forEach((o, i) => o.pixels.forEach((p, j) => (diff += Math.abs(p - originals[i].data[j] * 255))));
    expect(diff / (COUNT * SIDE * SIDE)).toBeLessThan(9);
  });

  it('needs no extra blur: half a pixel of it moves the grey levels away from MNIST', () => {
    const want = stats(originals).levels;
    const plain = stats(remade.map((r) => greyOf(r.plain.pixels))).levels;
    const blurred = stats(remade.map((r) => greyOf(r.blurred.pixels))).levels;
    expect(levelDistance(plain, want)).toBeLessThan(levelDistance(blurred, want));
  });
});
