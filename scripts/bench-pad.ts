/**
 * `npm run bench:pad`: the legs of the Predict pad's 30 ms pen-up → prediction budget (#15.2) that run outside a
 * page. (1) The renderer's preprocessing of a drawing, as each pen move asks it (pen-up reuses the last move's, see
 * strokes.ts): digits drawn as the pad records them, a point every pad pixel on the 280 px pad, each preprocessed
 * many times. (2) The engine's forward pass for one image, as the engine host answers a `predict` (predictImage),
 * for the MLP and LeNet-5 on the CPU backend. Median and 95th percentile of each. The whole way in the page, leg
 * by leg (preprocess, the round trip over the host boundary, Svelte's DOM update, the frame), is
 * e2e/predict-pad.spec.ts's log, from the tab's own performance marks (PAD_MEASURES). A log, not a test: a busy
 * machine only makes the numbers larger, so the load average is printed with them.
 */
import { cpus, loadavg } from 'node:os';
import { noGrad } from '../engine/autograd';
import { manualSeed } from '../engine/random';
import { buildModel } from '../engine/model-spec/build';
import { PRESETS } from '../common/model-spec/presets';
import { predictImage } from '../src-main/engine-host/training/evaluation';
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
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
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
  rows.push(`${name}  ${String(points).padStart(5)} points  median ${quantile(times, 0.5).toFixed(2)} ms  p95 ${quantile(times, 0.95).toFixed(2)} ms`);
}
console.log(`Load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores.`);
console.log(`\nPredict pad preprocessing of a drawing, per pen move (${RUNS} runs each):\n${rows.join('\n')}`);

// The engine's share: one drawn 8 through each model, as the engine host's predict does it (untrained weights take
// as long as trained ones).
const pixels = preprocess(DIGITS['8'], 'standardize')!.pixels;
const forward: string[] = [];
for (const name of ['MLP', 'LeNet-5']) {
  manualSeed(0);
  const spec = PRESETS[name];
  const model = buildModel(spec);
  model.eval();
  const times: number[] = [];
  noGrad(() => {
    for (let i = 0; i < 20; i++) predictImage(model, spec, pixels, false);
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      predictImage(model, spec, pixels, false);
      times.push(performance.now() - t0);
    }
  });
  times.sort((a, b) => a - b);
  forward.push(`${name.padEnd(8)} median ${quantile(times, 0.5).toFixed(2)} ms  p95 ${quantile(times, 0.95).toFixed(2)} ms`);
}
console.log(`\nThe engine's forward pass for one image (predictImage, CPU backend, ${RUNS} runs each):\n${forward.join('\n')}`);
console.log('\nThe whole way in the page, leg by leg: npx playwright test e2e/predict-pad.spec.ts (its log).');
