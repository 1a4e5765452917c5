import { describe, expect, it } from 'vitest';
import { MNIST_MEAN, MNIST_STD } from '../../../../common/model-spec/types';
import { MNIST_CENTRE } from './mnist-fit';
import { blank, centreOfMass, inkBox, rasterize, resampleArea, type Grey } from './raster';
import { BOX, EMPTY_FRAME, normalise, PEN_WIDTH, preprocess, preprocessImage, SIDE } from './preprocess';
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
    expect(centreOfMass(img)!.x).toBeCloseTo(4.5, 1); // the cross is centred on x = 5, the edge between pixels 4 and 5
  });
});

describe('preprocess (MNIST-style)', () => {
  const cases: [string, Stroke[]][] = [
    ['a vertical stroke (a 1)', [[{ x: 100, y: 40 }, { x: 102, y: 140 }, { x: 104, y: 250 }]]],
    ['an oval (a 0)', [oval(300, 200, 60, 100)]],
    ['an off-centre 7', seven(20, 30, 90)],
    ['a wide dash', [[{ x: 10, y: 10 }, { x: 200, y: 16 }]]],
    ['an 8 of two loops', [oval(140, 90, 40, 50), oval(140, 190, 50, 50)]],
  ];
  const grey = (pixels: number[]): Grey => ({ width: SIDE, height: SIDE, data: Float32Array.from(pixels, (v) => v / 255) });

  it.each(cases)("puts the centre of mass of %s within 0.1 px of MNIST's, pixel (14, 14)", (_, strokes) => {
    const out = preprocess(strokes, 'none')!;
    const com = centreOfMass(grey(out.pixels))!; // what the network gets: the rounded 0…255 image
    expect(Math.abs(com.x - MNIST_CENTRE.x)).toBeLessThan(0.1);
    expect(Math.abs(com.y - MNIST_CENTRE.y)).toBeLessThan(0.1);
    expect(Math.hypot(out.centre.x - 14, out.centre.y - 14)).toBeLessThan(0.1);
  });

  it.each(cases)('fits %s into a box whose longer side is exactly 20 px', (_, strokes) => {
    const out = preprocess(strokes, 'none')!;
    expect(Math.max(out.box.width, out.box.height)).toBe(BOX);
    const scaled = out.steps.find((s) => s.id === 'scaled')!.image;
    expect(Math.max(scaled.width, scaled.height)).toBe(BOX);
    // In pixels: the box's 20 px straddle 21 rows at most (the edges fall inside pixels, as the centring needs),
    // and counting only pixels at least half inked gives 20, or 19 where a round end barely enters the last row.
    const longer = (threshold: number) => {
      const b = inkBox(grey(out.pixels), threshold)!;
      return Math.max(b.x1 - b.x0 + 1, b.y1 - b.y0 + 1);
    };
    expect(longer(0)).toBeGreaterThanOrEqual(BOX);
    expect(longer(0)).toBeLessThanOrEqual(BOX + 1);
    expect([BOX - 1, BOX]).toContain(longer(127.5 / 255));
    expect(out.pixels.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)).toBe(true);
  });

  it('keeps the aspect ratio of the ink', () => {
    // An oval 120 × 200 pad px drawn with a pen PEN_WIDTH/20 of the digit: ink (120k + pen) × (200k + pen).
    const out = preprocess([oval(300, 200, 60, 100, 200)], 'none')!;
    const k = (BOX - PEN_WIDTH) / 200;
    expect(out.box.height).toBe(BOX);
    expect(out.box.width).toBeCloseTo(120 * k + PEN_WIDTH, 1);
    const b = inkBox(grey(out.pixels), 127.5 / 255)!;
    expect(Math.abs(b.x1 - b.x0 + 1 - out.box.width)).toBeLessThanOrEqual(1);
    // Turned on its side, the same oval gives the transposed box.
    const wide = preprocess([oval(300, 200, 100, 60, 200)], 'none')!;
    expect(wide.box.width).toBe(BOX);
    expect(wide.box.height).toBeCloseTo(out.box.width, 6);
  });

  it('gives the same 28×28 input whether the digit is drawn small or large, anywhere on the pad', () => {
    for (const [, strokes] of cases) {
      const small = preprocess(scaleStrokes(strokes, 0.25, 7, 3), 'standardize')!;
      const large = preprocess(scaleStrokes(strokes, 3, -40, 120), 'standardize')!;
      const worst = Math.max(...small.pixels.map((p, i) => Math.abs(p - large.pixels[i])));
      expect(worst).toBeLessThanOrEqual(1); // the scan's pixel grid may fall a hair differently
    }
  });

  it('is white ink on black: the corners are 0 and the stroke reaches 255', () => {
    const out = preprocess(cases[0][1], 'none')!;
    expect(out.pixels[0]).toBe(0);
    expect(out.pixels[SIDE * SIDE - 1]).toBe(0);
    expect(Math.max(...out.pixels)).toBe(255);
    expect(out.steps.map((s) => s.id)).toEqual(['crop', 'scaled', 'placed', 'centred', 'normalised']);
  });

  it('gives nothing to predict for an empty pad, or ink too faint to count, and the empty frame is all zeros', () => {
    expect(preprocess([], 'scale')).toBeNull();
    expect(preprocess([[]], 'scale')).toBeNull();
    const faint = rasterize(cases[0][1], 300, 300, { scale: 1, dx: 0, dy: 0 }, 10);
    faint.data.forEach((v, i) => (faint.data[i] = v * 0.4));
    expect(preprocessImage(faint, 'none')).toBeNull();
    expect(preprocessImage(blank(50, 50), 'none')).toBeNull();
    expect(EMPTY_FRAME.data.length).toBe(SIDE * SIDE);
    expect(EMPTY_FRAME.data.every((v) => v === 0)).toBe(true);
  });

  it('draws a lone dot as a round blob fitted to the box, centred', () => {
    const out = preprocess([[{ x: 50, y: 50 }]], 'none')!;
    expect(out.box.width).toBeCloseTo(BOX, 6);
    expect(out.box.height).toBeCloseTo(BOX, 6);
    expect(Math.hypot(out.centre.x - 14, out.centre.y - 14)).toBeLessThan(0.1);
  });
});

describe('resampleArea', () => {
  it('conserves ink and averages over each output pixel (a box filter)', () => {
    const src = blank(8, 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 4; x++) src.data[y * 8 + x] = 1; // left half inked
    const out = resampleArea(src, 4, 4, { scale: 0.25, dx: 1.5, dy: 1 }); // 8 px → 2 px, shifted by 1.5, 1
    // Ink covers x ∈ [1.5, 2.5), y ∈ [1, 3): half of pixel 1, half of pixel 2 in rows 1 and 2.
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0]);
  });
});

describe('centreOfMass', () => {
  it('counts pixel i at index i, as scipy.ndimage.center_of_mass does', () => {
    const img = blank(28, 28);
    img.data[14 * 28 + 14] = 1;
    expect(centreOfMass(img)).toEqual({ x: 14, y: 14 });
    img.data[14 * 28 + 15] = 1;
    expect(centreOfMass(img)).toEqual({ x: 14.5, y: 14 });
    expect(centreOfMass(blank(3, 3))).toBeNull();
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

  it('hands out the same array while the points stay: pen-up, a dropped point, a second pointer change nothing', () => {
    const pad = new StrokeRecorder();
    pad.down(1, 0, 0);
    pad.move(1, 0, 10);
    const drawn = pad.strokes;
    expect(pad.strokes).toBe(drawn);
    pad.move(1, 0, 10.2); // too close to the last point
    pad.down(2, 5, 5); // a second finger
    pad.move(2, 9, 9);
    expect(pad.strokes).toBe(drawn);
    // Lifting the pen adds no point: the same array, so nothing downstream prepares or repaints again.
    pad.up(1);
    expect(pad.drawing).toBe(false);
    expect(pad.strokes).toBe(drawn);
    expect(drawn).toEqual([[{ x: 0, y: 0 }, { x: 0, y: 10 }]]);
    // The next stroke, an undo and a clear are changes again, and leave the arrays handed out before as they were.
    pad.down(1, 20, 20);
    const second = pad.strokes;
    expect(second).not.toBe(drawn);
    expect(second).toHaveLength(2);
    pad.up(1);
    pad.undo();
    expect(pad.strokes).not.toBe(second);
    expect(pad.strokes).toEqual(drawn);
    expect(second).toHaveLength(2);
    pad.clear();
    expect(pad.strokes).toEqual([]);
    pad.load([[{ x: 1, y: 1 }]]);
    expect(pad.strokes).toEqual([[{ x: 1, y: 1 }]]);
  });
});
