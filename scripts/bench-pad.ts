/**
 * `npx tsx scripts/bench-pad.ts`: how long the Predict pad's preprocessing takes after pen-up, the renderer's share
 * of the 30 ms pen-up → prediction budget (#15.2). Digits are drawn as the pad records them, a point every pad
 * pixel on the 280 px pad; each is preprocessed many times and the median and 95th percentile printed. The engine's
 * share, one LeNet-5 forward, is `npm run bench`'s "single-image prediction" line. A log, not a test: a busy
 * machine only makes the numbers larger.
 */
import { preprocess } from '../src-renderer/src/features/predict/preprocess';
import type { Point, Stroke } from '../src-renderer/src/features/predict/strokes';

/** A polyline through `corners`, with a point every pad pixel along it. */
function dense(corners: Point[]): Stroke {
  const out: Point[] = [corners[0]];
  for (let i = 1; i < corners.length; i++) {
    const a = corners[i - 1], b = corners[i];
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
    for (let k = 1; k <= n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  return out;
}

const arc = (cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 64): Point[] =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = from + ((to - from) * i) / n;
    return { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) };
  });

const DIGITS: Record<string, Stroke[]> = {
  '0': [dense(arc(140, 140, 60, 100, 0, 2 * Math.PI))],
  '1': [dense([{ x: 130, y: 40 }, { x: 140, y: 240 }])],
  '2': [dense([...arc(140, 90, 55, 50, Math.PI, 2.2 * Math.PI), { x: 80, y: 240 }, { x: 210, y: 240 }])],
  '7': [dense([{ x: 70, y: 40 }, { x: 210, y: 40 }, { x: 120, y: 250 }])],
  '8': [dense(arc(140, 85, 45, 50, 0, 2 * Math.PI)), dense(arc(140, 190, 55, 55, 0, 2 * Math.PI))],
};

const RUNS = 200;
const rows: string[] = [];
for (const [name, strokes] of Object.entries(DIGITS)) {
  for (let i = 0; i < 20; i++) preprocess(strokes, 'standardize'); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    preprocess(strokes, 'standardize');
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const points = strokes.reduce((n, s) => n + s.length, 0);
  rows.push(`${name}  ${String(points).padStart(5)} points  median ${times[RUNS >> 1].toFixed(2)} ms  p95 ${times[Math.floor(RUNS * 0.95)].toFixed(2)} ms`);
}
console.log(`Predict pad preprocessing after pen-up (${RUNS} runs each):\n${rows.join('\n')}`);
