/**
 * `npx tsx scripts/bench-conv.ts [--reps N] [--rounds R] [--against DIR]`: the wasm conv kernels on Mnist_CNN's and
 * LeNet-5's conv shapes (batch 64), in this thread's CPU time per call (engine/node/thread-cpu.ts), which the other
 * processes of a loaded machine do not inflate: forward, weight + bias gradient, input gradient, each layer, R
 * rounds interleaved, the median printed. The clock lags by up to a 4 ms scheduler tick, so a round's N calls
 * should take tens of ms (the default 100 do on these shapes).
 *
 * `--against DIR` compares with another checkout (its wasm built): both trees' kernels load into this one process,
 * each with its own modules, and run alternately, block by block, so that a neighbour's load hits both alike. On a
 * 2-core machine at load 15, separate runs of the two trees differed by ±30% from run to run; alternated in one
 * process, the same kernels agreed within a few percent.
 */
import { threadCpuClock } from '../engine/node/thread-cpu';
import { enableRelaxedSimd } from '../engine/node/relaxed-simd';

const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const reps = Number(arg('--reps') ?? 100), rounds = Number(arg('--rounds') ?? 5);
const against = arg('--against');

interface Layer { name: string; x: number[]; w: number[]; opts: { stride?: number; padding?: number } }
const LAYERS: Layer[] = [
  { name: 'CNN conv1 1→16 s2', x: [64, 1, 28, 28], w: [16, 1, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'CNN conv2 16→16 s2', x: [64, 16, 14, 14], w: [16, 16, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'CNN conv3 16→10 s2', x: [64, 16, 7, 7], w: [10, 16, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'LeNet conv1 1→6 5×5', x: [64, 1, 28, 28], w: [6, 1, 5, 5], opts: { padding: 2 } },
  { name: 'LeNet conv2 6→16 5×5', x: [64, 6, 14, 14], w: [16, 6, 5, 5], opts: {} },
];

/** One tree's passes: its own backend, kernels and ops modules (a dynamic import per tree). */
async function treePasses(root: string) {
  const { createWasmBackend } = await import(`${root}/engine/backend/wasm/index.ts`);
  const { conv2dAttrs } = await import(`${root}/engine/ops/conv.ts`);
  const backend = createWasmBackend();
  const k = backend.kernels;
  const end = () => backend.endStep?.();
  return LAYERS.flatMap((l, i) => {
    const attrs = conv2dAttrs(l.opts, l.w[2], l.w[3]);
    const { x, w, b, dy } = inputs[i];
    return [
      { name: `${l.name} forward`, run: () => { k.Conv2d(x, l.x, w, l.w, b, attrs); end(); } },
      { name: `${l.name} dW+db`, run: () => { k.Conv2dBackward(dy, x, l.x, w, l.w, attrs, { input: false, weight: true, bias: true }); end(); } },
      ...(l.x[1] > 1 ? [{ name: `${l.name} dx`, run: () => { k.Conv2dBackward(dy, x, l.x, w, l.w, attrs, { input: true, weight: false, bias: false }); end(); } }] : []),
    ];
  });
}

enableRelaxedSimd();
const clock = threadCpuClock();
if (!clock) throw new Error('bench-conv needs a per-thread CPU clock (Linux)');
const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const outSize = (n: number, k: number, s = 1, p = 0) => Math.floor((n + 2 * p - k) / s) + 1;
// The same inputs for both trees.
const inputs = LAYERS.map((l) => {
  const o = outSize(l.x[2], l.w[2], l.opts.stride, l.opts.padding);
  return { x: random(size(l.x)), w: random(size(l.w)), b: random(l.w[0]), dy: random(l.x[0] * l.w[0] * o * o) };
});
const roots = [new URL('..', import.meta.url).pathname.replace(/\/$/, ''), ...(against ? [against.replace(/\/$/, '')] : [])];
const trees = await Promise.all(roots.map(treePasses));
const times = trees.map((passes) => passes.map(() => [] as number[]));
for (let r = 0; r < rounds; r++) {
  trees[0].forEach((_, i) => {
    trees.forEach((passes, t) => {
      const p = passes[i];
      for (let k = 0; k < 5; k++) p.run();
      const t0 = clock();
      for (let k = 0; k < reps; k++) p.run();
      times[t][i].push((clock() - t0) / reps);
    });
  });
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const cell = (a: number[]) => `${median(a).toFixed(3).padStart(7)} ms  (${Math.min(...a).toFixed(3)}–${Math.max(...a).toFixed(3)})`;
if (against) console.log(`${''.padEnd(34)} ${'this tree'.padEnd(27)} ${against}`);
for (let i = 0; i < trees[0].length; i++) {
  console.log(`${trees[0][i].name.padEnd(34)} ${times.map((t) => cell(t[i]).padEnd(27)).join(' ')}`);
}
