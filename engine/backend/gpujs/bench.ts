/**
 * `npx tsx engine/backend/gpujs/bench.ts [mode]`: the gpu.js kernels against the CPU reference kernels, per size,
 * for choosing the thresholds (where gpu.js starts to pay) and for the figures in ./README.md. Best of 5 after a
 * warm-up, wall time, copies in and out included (that is what a kernel call costs the engine).
 */
import { GPU } from 'gpu.js';
import { registerBackend, setBackend } from '../backend';
import { cpuKernels } from '../cpu/index';
import { manualSeed, Random } from '../../random';
import { Tensor } from '../../tensor';
import { PRESETS } from '../../../common/model-spec/index';
import { buildModel, inputShape, makeLoss, makeOptimizer, prepareInput } from '../../model-spec/index';
import { createGpujsBackend } from './index';
import type { GpujsMode } from './runner';

// The engine's libs have no console/performance types (it runs everywhere); every runtime has both.
const { console, performance, process } = globalThis as unknown as {
  console: { log(line: string): void };
  performance: { now(): number };
  process?: { argv: string[] };
};
const mode = process?.argv[2] ?? 'webasm';
const gpu = new GPU({ mode: mode as GpujsMode });
const backend = createGpujsBackend({ gpu, mode: mode as 'webasm', thresholds: { macs: 0, elements: 0 } });
const k = backend.kernels;

function best(fn: () => unknown): number {
  fn();
  let t = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);

console.log(`gpu.js ${mode} vs the CPU reference (ms, best of 5)`);
for (const [label, m, kk, n, transA, transB] of [
  ['16×16·16×16', 16, 16, 16, false, false],
  ['64×64·64×64', 64, 64, 64, false, false],
  ['MLP fc1 64×784·784×128', 64, 784, 128, false, false],
  ['MLP fc1 dW 784×64·64×128 (Aᵀ)', 784, 64, 128, true, false],
  ['MLP fc2 dx 64×64·64×128 (Bᵀ)', 64, 64, 128, false, true],
  ['256³', 256, 256, 256, false, false],
] as const) {
  const a = rand(m * kk);
  const b = rand(kk * n);
  const attrs = { m, k: kk, n, aOffsets: new Int32Array([0]), bOffsets: new Int32Array([0]), transA, transB, dtype: 'float32' as const };
  const tg = best(() => k.Matmul!(a, b, attrs));
  const tc = best(() => cpuKernels.Matmul(a, b, attrs));
  const gf = (t: number) => ((2 * m * n * kk) / t / 1e6).toFixed(2);
  console.log(`matmul ${label.padEnd(32)} gpujs ${tg.toFixed(2).padStart(8)} (${gf(tg)} GFLOP/s)   cpu ${tc.toFixed(2).padStart(8)} (${gf(tc)} GFLOP/s)`);
}
for (const n of [1 << 10, 1 << 14, 1 << 17, 1 << 20]) {
  const x = rand(n);
  const y = rand(n);
  const tg = best(() => k.Relu!(x));
  const tc = best(() => cpuKernels.Relu(x));
  const ag = best(() => k.Add!(x, [n], y, [n], [n], 'float32'));
  const ac = best(() => cpuKernels.Add(x, [n], y, [n], [n], 'float32'));
  console.log(`relu ${String(n).padStart(8)}: gpujs ${tg.toFixed(3)} cpu ${tc.toFixed(3)}   add: gpujs ${ag.toFixed(3)} cpu ${ac.toFixed(3)}`);
}
const x = rand(64 * 1 * 28 * 28);
const w = rand(6 * 25);
const conv = { strideH: 1, strideW: 1, padTop: 2, padBottom: 2, padLeft: 2, padRight: 2, dilationH: 1, dilationW: 1, groups: 1 };
const cg = best(() => k.Conv2d!(x, [64, 1, 28, 28], w, [6, 1, 5, 5], null, conv));
const cc = best(() => cpuKernels.Conv2d(x, [64, 1, 28, 28], w, [6, 1, 5, 5], null, conv));
console.log(`conv2d LeNet conv1 [64,1,28,28]*[6,1,5,5] pad 2: gpujs ${cg.toFixed(2)} cpu ${cc.toFixed(2)}`);

/** Median ms of one MLP-preset training step (batch 64: forward, loss, backward, optimizer) on `name`. */
function trainingStep(preset: string, name: string, steps = 15): number {
  const spec = PRESETS[preset];
  setBackend(name);
  manualSeed(0);
  const model = buildModel(spec);
  const lossFn = makeLoss(spec);
  const optimizer = makeOptimizer(spec, model.parameters());
  const rng = new Random(1);
  const shape = [64, ...inputShape(spec)];
  const x = new Tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal()), shape);
  const y = new Tensor(Int32Array.from({ length: 64 }, () => Math.floor(rng.uniform() * 10)), [64]);
  const times: number[] = [];
  for (let i = 0; i < steps + 3; i++) {
    const t0 = performance.now();
    const loss = lossFn(model.forward(prepareInput(spec, x)) as Tensor, y);
    loss.item();
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad(true);
    if (i >= 3) times.push(performance.now() - t0);
  }
  setBackend('cpu');
  return times.sort((p, q) => p - q)[Math.floor(times.length / 2)];
}

registerBackend(backend);
for (const preset of ['MLP', 'LeNet-5']) {
  const cpu = trainingStep(preset, 'cpu');
  const g = trainingStep(preset, backend.name, preset === 'MLP' ? 15 : 5);
  console.log(`${preset} training step, batch 64 (median ms): cpu ${cpu.toFixed(1)}   ${backend.name} (every supported kernel on gpu.js) ${g.toFixed(1)}`);
}
backend.dispose();
void gpu.destroy();
