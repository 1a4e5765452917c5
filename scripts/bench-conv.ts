/**
 * `npx tsx scripts/bench-conv.ts [--reps N] [--rounds R]`: the wasm conv kernels on Mnist_CNN's and LeNet-5's conv
 * shapes (batch 64), in this thread's CPU time per call (engine/node/thread-cpu.ts), which the other processes of
 * a loaded machine do not inflate: forward, weight + bias gradient, input gradient, each layer, R rounds
 * interleaved, the median printed. Compare two trees by running it in each, alternately.
 */
import { endStep, getKernel, registerBackend, setBackend } from '../engine/backend/backend';
import * as K from '../engine/backend/kernel-names';
import { createWasmBackend } from '../engine/backend/wasm/index';
import { conv2dAttrs, type Conv2dOptions } from '../engine/ops/conv';
import { enableRelaxedSimd } from '../engine/node/relaxed-simd';
import { threadCpuClock } from '../engine/node/thread-cpu';

const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const reps = arg('--reps', 100), rounds = arg('--rounds', 5);

interface Layer { name: string; x: number[]; w: number[]; opts: Conv2dOptions }
const LAYERS: Layer[] = [
  { name: 'CNN conv1 1→16 s2', x: [64, 1, 28, 28], w: [16, 1, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'CNN conv2 16→16 s2', x: [64, 16, 14, 14], w: [16, 16, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'CNN conv3 16→10 s2', x: [64, 16, 7, 7], w: [10, 16, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'LeNet conv1 1→6 5×5', x: [64, 1, 28, 28], w: [6, 1, 5, 5], opts: { padding: 2 } },
  { name: 'LeNet conv2 6→16 5×5', x: [64, 6, 14, 14], w: [16, 6, 5, 5], opts: {} },
];

enableRelaxedSimd();
const backend = createWasmBackend();
registerBackend(backend);
setBackend(backend.name);
const clock = threadCpuClock();
if (!clock) throw new Error('bench-conv needs a per-thread CPU clock (Linux)');
const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

const passes = LAYERS.flatMap((l) => {
  const attrs = conv2dAttrs(l.opts, l.w[2], l.w[3]);
  const x = random(size(l.x)), w = random(size(l.w)), b = random(l.w[0]);
  const { shape } = getKernel(K.Conv2d)(x, l.x, w, l.w, b, attrs);
  const dy = random(size(shape));
  endStep();
  return [
    { name: `${l.name} forward`, run: () => getKernel(K.Conv2d)(x, l.x, w, l.w, b, attrs) },
    { name: `${l.name} dW+db`, run: () => getKernel(K.Conv2dBackward)(dy, x, l.x, w, l.w, attrs, { input: false, weight: true, bias: true }) },
    ...(l.x[1] > 1 ? [{ name: `${l.name} dx`, run: () => getKernel(K.Conv2dBackward)(dy, x, l.x, w, l.w, attrs, { input: true, weight: false, bias: false }) }] : []),
  ];
});
const times = passes.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  passes.forEach((p, i) => {
    for (let k = 0; k < 5; k++) { p.run(); endStep(); }
    const t0 = clock();
    for (let k = 0; k < reps; k++) { p.run(); endStep(); }
    times[i].push((clock() - t0) / reps);
  });
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (let i = 0; i < passes.length; i++) {
  console.log(`${passes[i].name.padEnd(34)} ${median(times[i]).toFixed(3).padStart(7)} ms  (${Math.min(...times[i]).toFixed(3)}–${Math.max(...times[i]).toFixed(3)})`);
}
