import { describe, expect, it } from 'vitest';
import { MNIST_MEAN, MNIST_STD } from '../../../../common/spec/types';
import { centreOfMass, inkBox, rasterize } from './raster';
import { BOX, normalise, preprocess, SIDE } from './preprocess';
import { StrokeRecorder, type Stroke } from './strokes';

/** An oval as a closed polyline: centre (cx, cy), radii rx, ry. */
function oval(cx: number, cy: number, rx: number, ry: number, n = 48): Stroke {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = (i / n) * 2 * Math.PI;
    return { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) };
  });
}

/** A "7": a bar and a slanted descender, drawn off-centre so the centring has work to do. */
function seven(x: number, y: number, size: number): Stroke[] {
  return [[{ x, y }, { x: x + size, y }, { x: x + size * 0.4, y: y + size * 1.4 }]];
}

const scaleStrokes = (strokes: Stroke[], k: number, dx = 0, dy = 0): Stroke[] =>
  strokes.map((s) => s.map((p) => ({ x: p.x * k + dx, y: p.y * k + dy })));

describe('rasterize', () => {
  it('covers a thick horizontal line fully inside, partly at its edge', () => {
    const img = rasterize([[{ x: 2, y: 5 }, { x: 8, y: 5 }]], 10, 10, { scale: 1, dx: 0, dy: 0 }, 2);
    expect(img.data[4 * 10 + 5]).toBeCloseTo(1, 5); // pixel centre (5.5, 4.5): half a pixel from the line
    expect(img.data[3 * 10 + 5]).toBeCloseTo(0, 5); // 1.5 away: r + ½ − 1.5 = 0
    expect(img.data[0]).toBe(0);
    const sum = img.data.reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(2 * 6); // the 6×2 body plus round caps
    expect(sum).toBeLessThan(2 * 6 + Math.PI * 1.6);
  });

  it('draws a one-point stroke as a dot and never exceeds 1 where strokes cross', () => {
    const img = rasterize([[{ x: 5, y: 5 }], [{ x: 0, y: 5 }, { x: 10, y: 5 }], [{ x: 5, y: 0 }, { x: 5, y: 10 }]], 10, 10, { scale: 1, dx: 0, dy: 0 }, 3);
    expect(Math.max(...img.data)).toBeLessThanOrEqual(1);
    expect(centreOfMass(img)!.x).toBeCloseTo(5, 1);
  });
});

describe('preprocess (MNIST-style)', () => {
  const cases: [string, Stroke[]][] = [
    ['a vertical stroke (a 1)', [[{ x: 100, y: 40 }, { x: 102, y: 140 }, { x: 104, y: 250 }]]],
    ['an oval (a 0)', [oval(300, 200, 60, 100)]],
    ['an off-centre 7', seven(20, 30, 90)],
    ['a wide dash', [[{ x: 10, y: 10 }, { x: 200, y: 16 }]]],
  ];

  it.each(cases)('puts the centre of mass of %s within 0.5 px of the centre', (_, strokes) => {
    const out = preprocess(strokes, 'none')!;
    const com = centreOfMass({ width: SIDE, height: SIDE, data: Float32Array.from(out.pixels) })!;
    expect(Math.abs(com.x - SIDE / 2)).toBeLessThan(0.5);
    expect(Math.abs(com.y - SIDE / 2)).toBeLessThan(0.5);
    expect(Math.hypot(out.centre.x - 14, out.centre.y - 14)).toBeLessThan(0.5);
  });

  it.each(cases)('makes the longer side of %s 20 px', (_, strokes) => {
    const out = preprocess(strokes, 'none')!;
    expect(Math.max(out.ink.width, out.ink.height)).toBeCloseTo(BOX, 6);
    const scaled = out.steps.find((s) => s.id === 'scaled')!.image;
    expect(Math.max(scaled.width, scaled.height)).toBe(BOX);
    // Pixels more than half covered span the 20 px, give or take the anti-aliased edge.
    const box = inkBox({ width: SIDE, height: SIDE, data: Float32Array.from(out.pixels) }, 127)!;
    const longer = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
    expect(longer).toBeGreaterThanOrEqual(BOX - 1);
    expect(longer).toBeLessThanOrEqual(BOX + 1);
    expect(out.pixels.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)).toBe(true);
  });

  it('gives the same 28×28 input whether the digit is drawn small or large, anywhere on the pad', () => {
    for (const [, strokes] of cases) {
      const small = preprocess(scaleStrokes(strokes, 0.25, 7, 3), 'standardize')!;
      const large = preprocess(scaleStrokes(strokes, 3, -40, 120), 'standardize')!;
      const worst = Math.max(...small.pixels.map((p, i) => Math.abs(p - large.pixels[i])));
      expect(worst).toBeLessThanOrEqual(1); // float rounding may flip one grey level
    }
  });

  it('is white ink on black: the corners are 0 and the stroke reaches 255', () => {
    const out = preprocess(cases[0][1], 'none')!;
    expect(out.pixels[0]).toBe(0);
    expect(out.pixels[SIDE * SIDE - 1]).toBe(0);
    expect(Math.max(...out.pixels)).toBe(255);
    expect(out.steps.map((s) => s.id)).toEqual(['crop', 'scaled', 'placed', 'centred', 'normalised']);
  });

  it('returns null for an empty pad', () => {
    expect(preprocess([], 'scale')).toBeNull();
  });
});

describe('normalise', () => {
  it('applies exactly the training normalisations', () => {
    expect(Array.from(normalise([0, 255], 'none'))).toEqual([0, 255]);
    expect(Array.from(normalise([0, 255], 'scale'))).toEqual([0, 1]);
    const [black, white] = normalise([0, 255], 'standardize');
    expect(black).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 5);
    expect(white).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 5);
  });
});

describe('StrokeRecorder', () => {
  it('records strokes per pointer, ignores a second pointer, undoes and clears', () => {
    const pad = new StrokeRecorder();
    expect(pad.down(1, 10, 10)).toBe(true);
    expect(pad.down(2, 50, 50)).toBe(false); // a second finger
    pad.move(2, 60, 60);
    pad.move(1, 10, 10.2); // too close: dropped
    pad.move(1, 10, 40);
    expect(pad.drawing).toBe(true);
    pad.up(2);
    expect(pad.drawing).toBe(true);
    pad.up(1);
    expect(pad.strokes).toEqual([[{ x: 10, y: 10 }, { x: 10, y: 40 }]]);
    pad.down(3, 0, 0);
    pad.up(3);
    expect(pad.strokes).toHaveLength(2);
    pad.undo();
    expect(pad.strokes).toHaveLength(1);
    pad.down(4, 1, 1);
    pad.undo(); // undoes the stroke in progress
    expect(pad.strokes).toHaveLength(1);
    expect(pad.move(4, 5, 5)).toBe(false);
    pad.clear();
    expect(pad.empty).toBe(true);
  });

  it('hands out a new array after each change', () => {
    const pad = new StrokeRecorder();
    pad.down(1, 0, 0);
    const a = pad.strokes;
    pad.move(1, 0, 10);
    expect(pad.strokes).not.toBe(a);
    expect(a[0]).toHaveLength(1);
  });
});
