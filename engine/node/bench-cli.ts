/**
 * `npm run bench [-- options]`: training speed per preset and backend, GEMM throughput, and prediction latency,
 * beside the "Engine speed" targets (PyTorch CPU on the same machine class, batch 64, one 60k-sample epoch).
 *
 *   --presets a,b     presets to time (default: the four with targets; `all` for every preset)
 *   --backends a,b    cpu, wasm, wasm+threads, gpujs-webgpu (default: every one available here; threads: one
 *                     worker per extra core; gpujs-webgpu: gpu.js's WebGPU through Dawn in a worker, on any
 *                     adapter Dawn finds, software ones included, which the report names)
 *   --batches N       timed batches per preset/backend (default 40; 5 more warm up first); the epoch time is
 *                     estimated as the median ms/batch × 938 (60000 / 64)
 *   --stat median|min which batch time estimates the epoch (default median; min = what a batch costs when
 *                     it gets the CPU, the steadier figure on a loaded machine)
 *   --full            also train real epochs on MNIST (--data, default ../shared/data/mnist) per preset/backend;
 *                     the figure is the median of every epoch but the first (which includes warm-up: JIT tiers,
 *                     memory growth), comparable with the table's PyTorch column (median full-epoch seconds)
 *   --epochs N        epochs for --full and for each side of the --torch race (default 2; 3 with --torch)
 *   --data DIR        the MNIST folder for --full and --torch
 *   --torch [PYTHON]  also race PyTorch on this machine (scripts/torch_bench.py; default /usr/bin/python3), for
 *                     each preset with a target: PyTorch is tuned first (torch threads × OpenBLAS threads, 1..cores
 *                     each, the best kept; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it, glibc malloc told
 *                     to keep freed memory), then LayerLab's
 *                     best CPU backend here and the tuned PyTorch train full MNIST epochs (--data) in turn,
 *                     --epochs each (default 3 with --torch); the report gives each side's median after the first
 *                     and its min–max, the ratio, PyTorch's winning configuration, its BLAS kernel and environment,
 *                     and the machine's load average
 *   --no-resident     gpujs-webgpu's step plans through gpu.js's own fused encoder, which hands the weights back
 *                     as arrays every step, instead of LayerLab's resident plans (to compare the two)
 *   --stats [ROUNDS]  also what the Train tab's layer statistics (#16.3) cost: per preset/backend, a sample's own ms
 *                     over the steps between samples (50; 500 on a device), and the same run's blocks of that many
 *                     steps with one sample and without, alternating, ROUNDS each (default 3): engine/node/bench-stats.ts
 *   --gpu-timeout MS  how long gpujs-webgpu's thread may take to answer before the device counts as lost (default
 *                     60000, as in the app); a part that fails (a preset, the GEMM table, the prediction) is reported
 *                     with its reason (`failures` in --json) and the others go on
 *   --json            one JSON document instead of tables
 *   --no-relaxed-simd time the plain SIMD kernels (no fused multiply-add), as Node 20 runs them without a flag
 *
 * Synthetic batches (random pixels and labels) keep the estimate free of data loading; --full includes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad } from '../autograd';
import { endStep, getBackend, registerBackend, setBackend, listBackends, getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { createWasmBackend, relaxedSimdSupported, wasmSupported, type WasmBackend } from '../backend/wasm/index';
import { enableRelaxedSimd } from './relaxed-simd';
import { createNodeWasmBackend } from './wasm-threads';
import { availableParallelism, loadavg } from 'node:os';
import { manualSeed, Random } from '../random';
import { Tensor } from '../tensor';
import { measuresAccuracy, PRESETS, PRESET_NAMES, type ModelSpec } from '../../common/model-spec/index';
import {
  buildModel, evaluate, makeLoss, makeOptimizer, makeTargetsOf, prepareInput, inputShape, specDatasets, specLoaders, trainEpoch,
} from '../model-spec/index';
import { Trainer } from '../train/trainer';
import { readMnist } from './mnist-files';
import { startGpujsWorker } from './gpujs-worker';
import { threadCpuClock } from './thread-cpu';
import { describeAdapter } from './backends';
import { createGpujsBackend, RemoteRunner, type GpujsBackend } from '../backend/gpujs/index';
import { isDeviceData } from '../backend/backend';
import { sampleEvery } from '../inspect/layer-stats';
import { measureStatsOverhead, statsLine, type StatsOverhead } from './bench-stats';

/** seconds per 60k-sample epoch at batch 64: our targets, and PyTorch's CPU figure they were set from. */
export const TARGETS: Record<string, { target: number; torch: number }> = {
  Mnist_Logistic: { target: 0.3, torch: 0.11 },
  MLP: { target: 1.1, torch: 1.06 },
  Mnist_CNN: { target: 2, torch: 1.09 },
  'LeNet-5': { target: 5, torch: 4.8 },
};

/**
 * Full-epoch seconds a GPU should reach (gpujs-webgpu, batch 64), against PyTorch CUDA's on the NVIDIA H200 where
 * the GPU path was measured (issue: "A GPU path that really accelerates").
 */
export const GPU_TARGETS: Record<string, { target: number; torchCuda: number }> = {
  MLP: { target: 0.5, torchCuda: 1.54 },
  'LeNet-5': { target: 1.2, torchCuda: 2.4 },
  'Example-Net': { target: 1.8, torchCuda: 1.79 },
};

const EPOCH_SAMPLES = 60000;
const BATCH = 64;
const BATCHES_PER_EPOCH = Math.ceil(EPOCH_SAMPLES / BATCH);

interface Options {
  presets: string[];
  backends: string[];
  batches: number;
  full: boolean;
  epochs: number;
  stat: 'median' | 'min';
  data: string;
  json: boolean;
  /** The Python to run scripts/torch_bench.py with, or null. */
  torch: string | null;
  /** Rounds of the layer statistics' overhead (--stats), or 0 for none. */
  statsRounds: number;
  /** How long gpujs-webgpu's thread may take to answer (ms; --gpu-timeout), or undefined for the runner's default. */
  gpuTimeoutMs: number | undefined;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const presetArg = value('--presets');
  const presets = presetArg === 'all' ? PRESET_NAMES : presetArg ? presetArg.split(',') : Object.keys(TARGETS);
  for (const p of presets) if (!PRESETS[p]) throw new Error(`--presets: unknown preset '${p}' (known: ${PRESET_NAMES.join(', ')})`);
  const available = [
    'cpu', ...(wasmSupported() ? ['wasm'] : []), ...(wasmSupported(true) && availableParallelism() > 1 ? ['wasm+threads'] : []),
    WEBGPU, // whether Dawn finds an adapter is only known once it has started (main)
  ];
  const backends = value('--backends')?.split(',') ?? available;
  for (const b of backends) if (!available.includes(b)) throw new Error(`--backends: '${b}' is not available here (available: ${available.join(', ')})`);
  const batches = Number(value('--batches') ?? 40);
  if (!Number.isInteger(batches) || batches < 1) throw new Error(`--batches must be a positive integer`);
  const torchAt = argv.indexOf('--torch');
  // The race against PyTorch needs timed epochs for a spread: two after the warm-up one, unless asked otherwise.
  const epochs = Number(value('--epochs') ?? (torchAt >= 0 ? 3 : 2));
  if (!Number.isInteger(epochs) || epochs < 2) throw new Error(`--epochs must be an integer of at least 2 (the first is warm-up)`);
  const stat = value('--stat') ?? 'median';
  if (stat !== 'median' && stat !== 'min') throw new Error(`--stat must be median or min, got '${stat}'`);
  const torchArg = torchAt >= 0 ? argv[torchAt + 1] : undefined;
  const torch = torchAt < 0 ? null : torchArg && !torchArg.startsWith('--') ? torchArg : '/usr/bin/python3';
  const statsAt = argv.indexOf('--stats');
  const statsArg = statsAt >= 0 ? argv[statsAt + 1] : undefined;
  const statsRounds = statsAt < 0 ? 0 : statsArg && !statsArg.startsWith('--') ? Number(statsArg) : 3;
  if (!Number.isInteger(statsRounds) || statsRounds < 0) throw new Error(`--stats takes a whole number of rounds, got '${statsArg}'`);
  const gpuTimeoutArg = value('--gpu-timeout');
  const gpuTimeoutMs = gpuTimeoutArg === undefined ? undefined : Number(gpuTimeoutArg);
  if (gpuTimeoutMs !== undefined && !(Number.isInteger(gpuTimeoutMs) && gpuTimeoutMs > 0)) throw new Error(`--gpu-timeout must be a positive number of ms, got '${gpuTimeoutArg}'`);
  return {
    presets, backends, batches, stat, full: argv.includes('--full'), epochs, json: argv.includes('--json'),
    data: value('--data') ?? join(process.cwd(), '..', 'shared', 'data', 'mnist'), torch, statsRounds, gpuTimeoutMs,
  };
}

const wasmBackends: WasmBackend[] = [];
const WEBGPU = 'gpujs-webgpu';
let webgpuBackend: GpujsBackend | null = null;
/** What a backend ran on, where its name does not say (WebGPU's adapter). */
const adapters: Record<string, string> = {};

/** Starts gpu.js's WebGPU worker; the adapter in words, or throws why there is none. */
async function prepareWebGpu(resident: boolean, timeoutMs: number | undefined): Promise<string> {
  const worker = await startGpujsWorker({ mode: 'webgpu', resident, timeoutMs });
  webgpuBackend = createGpujsBackend({ runner: worker.runner, mode: 'webgpu' });
  registerBackend(webgpuBackend);
  return describeAdapter(worker.adapter);
}

/** Registers the wasm backends on first use; with threads, waits (up to 5 s) for the workers to start. */
async function prepareBackend(name: string): Promise<void> {
  if (listBackends().includes(name)) return;
  if (name === 'wasm') wasmBackends.push(createWasmBackend());
  if (name === 'wasm+threads') {
    const backend = createNodeWasmBackend();
    wasmBackends.push(backend);
    for (let i = 0; i < 200 && backend.readyThreads() < availableParallelism() - 1; i++) await new Promise((r) => setTimeout(r, 25));
  }
  registerBackend(wasmBackends[wasmBackends.length - 1]);
}

function useBackend(name: string): void {
  setBackend(name);
}

/** A synthetic batch shaped for the spec: standard-normal pixels, uniform labels. */
function syntheticBatch(spec: ModelSpec, rng: Random): [Tensor, Tensor] {
  const shape = [BATCH, ...inputShape(spec)];
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Int32Array(BATCH);
  for (let i = 0; i < BATCH; i++) y[i] = Math.floor(rng.uniform() * 10);
  return [new Tensor(x, shape), new Tensor(y, [BATCH])];
}

export interface TrainResult {
  preset: string;
  backend: string;
  msPerBatch: number;
  samplesPerSec: number;
  epochSeconds: number;
  /** Process CPU time per batch (user + system, all threads), and the epoch estimate from it. */
  cpuMsPerBatch: number;
  cpuEpochSeconds: number;
  fullEpochSeconds: number | null;
  /** Training accuracy over that epoch (a check that the backend trains, not only runs); NaN for an autoencoder. */
  fullEpochAccuracy: number | null;
  /** The test set's accuracy after the full epochs (--full), in eval mode; NaN for an autoencoder. */
  fullEpochTestAccuracy: number | null;
  /**
   * The engine thread's own time per step: the step's wall time less what it spent waiting for a device (all of
   * it on a CPU backend).
   */
  hostMsPerStep: number;
  /**
   * The engine thread's CPU time per step (./thread-cpu.ts; Linux), which other processes on the machine do not
   * inflate; null where the platform has no per-thread clock.
   */
  hostCpuMsPerStep: number | null;
  /**
   * The gpu.js thread's CPU time per step, all of it: its plan work and Dawn's polling for the device's answer
   * (dawn.node keeps a setImmediate loop running while a map is pending). Null off Linux and without a worker.
   */
  workerCpuMsPerStep: number | null;
  /** On a GPU backend, per timed step: command buffers submitted, kernel dispatches, reads that waited for the
   * device, and messages that crossed to its thread; null elsewhere. */
  submitsPerStep: number | null;
  dispatchesPerStep: number | null;
  readbacksPerStep: number | null;
  crossingsPerStep: number | null;
  /**
   * On a GPU backend, per timed step: bytes the step plans wrote to the device and read back, the gpu.js thread's
   * own ms in resident plan calls (its host work, serial with the device's; null through gpu.js's own encoder,
   * whose copies and waits cannot be told apart), and values brought home because a plan was about to write over
   * them.
   */
  uploadBytesPerStep: number | null;
  readBytesPerStep: number | null;
  planHostMsPerStep: number | null;
  evictionsPerStep: number | null;
  /** The step plans' executor ('resident-encoder' on WebGPU), and why a step was left eager. */
  planExecutors: string[] | null;
  planFailures: string[] | null;
}

/** This thread's CPU clock (./thread-cpu.ts), opened once. */
const engineThreadCpu = threadCpuClock();

/** The RemoteRunner behind a backend, when it has one (gpujs-webgpu). */
function remoteRunnerOf(backend: string): RemoteRunner | null {
  const runner = (getBackend() as Partial<GpujsBackend>).runner;
  return getBackend().name === backend && runner instanceof RemoteRunner ? runner : null;
}

function timeTraining(preset: string, backend: string, opts: Options): TrainResult {
  const spec = PRESETS[preset];
  useBackend(backend);
  manualSeed(0);
  const model = buildModel(spec);
  const lossFn = makeLoss(spec);
  const optimizer = makeOptimizer(spec, model.parameters());
  const rng = new Random(1);
  const batches = Array.from({ length: 8 }, () => syntheticBatch(spec, rng));
  // The engine's own loop, as the CLI and the engine host train: the step's metrics (loss and correct count) read
  // once after backward, so a GPU runs the step to there as one plan. `afterRead` hooks run right after that read.
  const afterRead = new Map<number, () => void>();
  const targetsOf = makeTargetsOf(spec);
  const trainer = new Trainer({
    model, lossFn, optimizer, inputOf: (x) => prepareInput(spec, x), targetsOf, accuracy: measuresAccuracy(spec),
    observe: (step) => {
      const hook = afterRead.get(step);
      return hook ? { afterBackward: hook, dispose: () => undefined } : null;
    },
  });
  const step = (i: number, hook?: () => void) => {
    const [x, y] = batches[i % batches.length];
    if (hook) afterRead.set(trainer.step + 1, hook);
    const outcome = trainer.trainBatch(x, y);
    if (outcome.kind !== 'ok') throw new Error(`bench: ${preset} on ${backend}: a batch did not train (${outcome.kind})`);
  };
  for (let i = 0; i < 5; i++) step(i);
  // The median (or min) batch, not the mean: on a shared machine some batches lose the CPU to other processes.
  // CPU time as well: under a load of other processes it still shows what one batch costs (threads add theirs).
  const times: number[] = [];
  const remote = remoteRunnerOf(backend);
  // The device's counts are taken right after a step's read, when nothing is queued: a request anywhere else would
  // send part of a step on its own, as a batch of another shape (step-plans.ts).
  const counts = () => (remote ? { ...remote.stats(), waitedMs: remote.waitedMs, crossings: remote.crossings } : null);
  const marks: { before: ReturnType<typeof counts>; after: ReturnType<typeof counts> } = { before: null, after: null };
  step(opts.batches, () => (marks.before = counts()));
  let hostMs = 0;
  const engineCpu0 = engineThreadCpu?.() ?? null;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < opts.batches; i++) {
    const waited0 = remote?.waitedMs ?? 0;
    const t0 = performance.now();
    step(i, i === opts.batches - 1 ? () => (marks.after = counts()) : undefined);
    const ms = performance.now() - t0;
    times.push(ms);
    hostMs += ms - ((remote?.waitedMs ?? 0) - waited0);
  }
  const cpu = process.cpuUsage(cpu0);
  const engineCpu = engineCpu0 === null ? null : engineThreadCpu!() - engineCpu0;
  // From the read of the step before the timed ones to the read of the last: as many steps as were timed.
  const { before, after } = marks;
  const perStep = (key: 'submits' | 'dispatches' | 'readbacks' | 'crossings' | 'uploadBytes' | 'readBytes' | 'planHostMs' | 'evictions'): number | null =>
    before && after ? (after[key] - before[key] - (key === 'crossings' ? 1 : 0)) / opts.batches : null; // less a stats request
  const structure = {
    hostMsPerStep: hostMs / opts.batches,
    hostCpuMsPerStep: engineCpu === null ? null : engineCpu / opts.batches,
    workerCpuMsPerStep: before?.threadCpuMs != null && after?.threadCpuMs != null ? (after.threadCpuMs - before.threadCpuMs) / opts.batches : null,
    submitsPerStep: perStep('submits'),
    dispatchesPerStep: perStep('dispatches'),
    readbacksPerStep: perStep('readbacks'),
    crossingsPerStep: perStep('crossings'),
    uploadBytesPerStep: perStep('uploadBytes'),
    readBytesPerStep: perStep('readBytes'),
    // Measured for resident plans only (step-plans.ts WorkerCounts.planHostMs).
    planHostMsPerStep: after?.executors.includes('resident-encoder') ? perStep('planHostMs') : null,
    evictionsPerStep: perStep('evictions'),
    planExecutors: after?.executors ?? null,
    planFailures: after?.planFailures ?? null,
  };
  const msPerBatch = opts.stat === 'min' ? Math.min(...times) : median(times);
  const cpuMsPerBatch = (cpu.user + cpu.system) / 1000 / opts.batches;
  let fullEpochSeconds: number | null = null;
  let fullEpochAccuracy: number | null = null;
  let fullEpochTestAccuracy: number | null = null;
  if (opts.full) {
    const sets = specDatasets(spec, readMnist(opts.data), { validationSize: 0 });
    const loaders = specLoaders(spec, sets, new Random(0));
    const seconds: number[] = [];
    const accuracy = measuresAccuracy(spec);
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const t1 = performance.now();
      fullEpochAccuracy = trainEpoch(model, lossFn, optimizer, loaders.train, { epoch, targetsOf, accuracy }).accuracy;
      seconds.push((performance.now() - t1) / 1000);
    }
    fullEpochSeconds = median(seconds.slice(1));
    if (loaders.test) fullEpochTestAccuracy = evaluate(model, lossFn, loaders.test, { targetsOf, accuracy }).accuracy;
  }
  setBackend('cpu');
  return {
    preset, backend, msPerBatch, samplesPerSec: (BATCH * 1000) / msPerBatch,
    epochSeconds: (msPerBatch * BATCHES_PER_EPOCH) / 1000, cpuMsPerBatch, cpuEpochSeconds: (cpuMsPerBatch * BATCHES_PER_EPOCH) / 1000,
    fullEpochSeconds, fullEpochAccuracy, fullEpochTestAccuracy, ...structure,
  };
}

/** The layer statistics' cost on this preset and backend (bench-stats.ts), sampled as the engine host samples. */
function timeLayerStats(preset: string, backend: string, rounds: number): StatsOverhead {
  const spec = PRESETS[preset];
  useBackend(backend);
  manualSeed(0);
  const model = buildModel(spec);
  const rng = new Random(1);
  const base = sampleEvery(BATCHES_PER_EPOCH, getBackend().keep !== undefined);
  const result = measureStatsOverhead({
    preset, backend, spec, model, lossFn: makeLoss(spec), optimizer: makeOptimizer(spec, model.parameters()),
    batches: Array.from({ length: 8 }, () => syntheticBatch(spec, rng)), base, rounds,
  });
  setBackend('cpu');
  return result;
}

/**
 * The products of a training step as engine/ops/linear.ts calls them (forward x·Wᵀ with W [out, in] read transposed,
 * dx = g·W, dW = gᵀ·x with g read transposed) for the MLP and LeNet-5's first two layers, and LeNet's convs as
 * GEMMs (the conv kernels themselves use an implicit GEMM).
 */
export const GEMM_SHAPES: Array<{ name: string; m: number; k: number; n: number; transA?: boolean; transB?: boolean }> = [
  { name: 'MLP fc1 forward  64×784·(128×784)ᵀ', m: 64, k: 784, n: 128, transB: true },
  { name: 'MLP fc1 dW       (64×128)ᵀ·64×784', m: 128, k: 64, n: 784, transA: true },
  { name: 'MLP fc2 forward  64×128·(64×128)ᵀ', m: 64, k: 128, n: 64, transB: true },
  { name: 'MLP fc2 dx       64×64·64×128', m: 64, k: 64, n: 128 },
  { name: 'MLP fc2 dW       (64×64)ᵀ·64×128', m: 64, k: 64, n: 128, transA: true },
  { name: 'LeNet fc1 forward 64×400·(120×400)ᵀ', m: 64, k: 400, n: 120, transB: true },
  { name: 'LeNet fc1 dx     64×120·120×400', m: 64, k: 120, n: 400 },
  { name: 'LeNet fc1 dW     (64×120)ᵀ·64×400', m: 120, k: 64, n: 400, transA: true },
  { name: 'LeNet conv1 GEMM 6×25·25×50176', m: 6, k: 25, n: 50176 },
  { name: 'LeNet conv2 GEMM 16×150·150×6400', m: 16, k: 150, n: 6400 },
  { name: 'LeNet conv2 dW   16×6400·6400×150 (Bᵀ)', m: 16, k: 6400, n: 150, transB: true },
];

/**
 * Calls before a shape is timed, and at least this long: V8 runs a wasm function as baseline code until it has
 * compiled the optimized one in the background, which on a loaded machine can take many calls.
 */
const GEMM_WARMUP_CALLS = 10;
const GEMM_WARMUP_MS = 100;
/** Timed calls per shape: at least this many, and for at least this long. */
const GEMM_TIMED_CALLS = 10;
const GEMM_TIMED_MS = 200;

export interface GemmResult {
  shape: string;
  backend: string;
  gflops: number;
}

function timeGemm(backend: string): GemmResult[] {
  useBackend(backend);
  const kernel = getKernel(K.Matmul);
  const rng = new Random(2);
  const out: GemmResult[] = [];
  for (const s of GEMM_SHAPES) {
    const a = Float32Array.from({ length: s.m * s.k }, () => rng.normal());
    const b = Float32Array.from({ length: s.k * s.n }, () => rng.normal());
    const attrs = { ...s, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0), dtype: 'float32' as const };
    const flops = 2 * s.m * s.k * s.n;
    const first = kernel(a, b, attrs);
    const reps = Math.max(3, Math.round(1e8 / flops / (backend === 'cpu' ? 20 : 1)));
    if (backend === WEBGPU && isDeviceData(first)) {
      // A GPU result is only a launch: time the launches and the read of the last, which waits for them all. (The
      // wasm backend's resident results are device data too, but computed when the call returns: timed per call
      // below, each freed before the next, as a training step does. Timed as launches, every call took a new
      // block of wasm memory, grew it and evicted older ones: the Aᵀ product read 10 GFLOP/s instead of 50.)
      first.read();
      const t0 = performance.now();
      let last = first;
      for (let r = 0; r < reps; r++) last = kernel(a, b, attrs) as typeof first;
      last.read();
      const seconds = (performance.now() - t0) / 1000 / reps;
      endStep();
      out.push({ shape: s.name, backend, gflops: flops / seconds / 1e9 });
      continue;
    }
    endStep();
    for (let r = 0, start = performance.now(); r < GEMM_WARMUP_CALLS || performance.now() - start < GEMM_WARMUP_MS; r++) {
      kernel(a, b, attrs);
      endStep();
    }
    const times: number[] = [];
    const start = performance.now();
    while (times.length < GEMM_TIMED_CALLS || performance.now() - start < GEMM_TIMED_MS) {
      const t0 = performance.now();
      kernel(a, b, attrs); // the input copies; the output may stay in the backend's memory, as in training
      times.push(performance.now() - t0);
      endStep(); // frees it
    }
    const seconds = Math.min(...times) / 1000; // the best call: what the kernel does when it has the CPU
    out.push({ shape: s.name, backend, gflops: flops / seconds / 1e9 });
  }
  setBackend('cpu');
  return out;
}

export interface LatencyResult {
  backend: string;
  medianMs: number;
}

/** One 28×28 image through LeNet-5 in eval mode without gradients: the Predict panel's path. */
function timePrediction(backend: string): LatencyResult {
  useBackend(backend);
  manualSeed(0);
  const spec = PRESETS['LeNet-5'];
  const model = buildModel(spec);
  model.eval();
  const x = syntheticBatch(spec, new Random(3))[0];
  const one = new Tensor(x.data.slice(0, 784), [1, 1, 28, 28]);
  const times: number[] = [];
  noGrad(() => {
    for (let i = 0; i < 20; i++) model.forward(one);
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      (model.forward(one) as Tensor).data;
      times.push(performance.now() - t0);
    }
  });
  setBackend('cpu');
  return { backend, medianMs: median(times) };
}

/** A PyTorch configuration: torch's intra-op threads and OpenBLAS's own (null where torch's BLAS is not OpenBLAS). */
export interface TorchConfig {
  torchThreads: number;
  blasThreads: number | null;
}

/** One configuration of the search: its median ms per training step in each round, and the best of those. */
export interface TorchSearchRow extends TorchConfig {
  msPerStep: number;
  rounds: number[];
}

/** What scripts/torch_bench.py says about the PyTorch it runs, before it trains. */
export interface TorchSetup {
  torch: string;
  device: string;
  cores: number;
  /** torch.get_num_threads() before the search set it (one per physical core, where torch can tell). */
  torchDefaultThreads: number;
  /** The BLAS libraries torch loaded, and OpenBLAS's kernel (core type) and build, where it is OpenBLAS. */
  blas: { libraries: string[]; corename: string | null; config: string | null; defaultThreads: number | null; note: string | null };
  /** ATen's CPU capability (its own vector kernels), as torch.__config__ reports it. */
  capability: string | null;
  /** The variables that change PyTorch's speed (OPENBLAS_*, OMP_*, MKL_*, ...), as the PyTorch run saw them. */
  env: Record<string, string>;
  /** What the script removed from its environment before OpenBLAS loaded (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE). */
  unset: Record<string, string>;
  /** What it set: glibc malloc's MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_, so that freed blocks are kept
   * rather than faulted in again every step (scripts/torch_bench.py says why). */
  set: Record<string, string>;
}

/** One full epoch: wall seconds, and the process's CPU seconds (all its threads; on a loaded machine, what the
 * epoch cost when it had the CPU, plus any spinning). */
export interface EpochTime {
  seconds: number;
  cpuSeconds: number;
}

/**
 * Full-epoch wall (and CPU) seconds in the order run; the median, min and max wall seconds of those after the
 * first (warm-up), and their median CPU seconds.
 */
export interface Spread {
  seconds: number[];
  cpuSeconds: number[];
  median: number;
  min: number;
  max: number;
  cpuMedian: number;
}

/** One preset's race: LayerLab's best CPU backend and tuned PyTorch, epoch by epoch in turn. */
export interface RaceResult {
  preset: string;
  layerlab: Spread & { backend: string };
  torch: Spread & { config: TorchConfig; search: TorchSearchRow[] };
  /** LayerLab's median / PyTorch's (≤ 1: LayerLab is as fast or faster). */
  ratio: number;
}

export interface TorchHere {
  version: string;
  setup: TorchSetup;
  /** Tuned PyTorch's median seconds per full epoch after the first, per preset. */
  seconds: Record<string, number>;
  /** The winning torch thread count per preset (the whole configuration is in races). */
  threads: Record<string, number>;
  races: RaceResult[];
  /** The machine's load averages (1, 5, 15 min) before and after the races, and its cores: how loaded it was. */
  load: { before: number[]; after: number[]; cores: number };
}

const TORCH_SCRIPT = fileURLToPath(new URL('../../scripts/torch_bench.py', import.meta.url));

/**
 * scripts/torch_bench.py --serve, kept running so that its epochs can alternate with LayerLab's: one JSON request a
 * line on its stdin, one JSON answer a line on its stdout. It idles (blocked on stdin) while LayerLab trains.
 */
export class TorchProcess {
  private readonly lines: string[] = [];
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  private stderr = '';
  private ended: Error | null = null;

  private constructor(private readonly child: ChildProcess, readonly python: string) {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-20000)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next.resolve(line);
      else this.lines.push(line);
    });
    const end = (error: Error) => {
      this.ended ??= error;
      for (const w of this.waiting.splice(0)) w.reject(this.ended);
    };
    child.on('error', (error) => end(new Error(`could not run ${python}: ${error.message}`)));
    child.on('close', (code, signal) => end(this.failure(code, signal)));
  }

  /** Starts the script and waits for its setup line (torch imported, MNIST read); throws why it could not start. */
  static async start(python: string, data: string, script = TORCH_SCRIPT): Promise<{ process: TorchProcess; setup: TorchSetup }> {
    const child = spawn(python, [script, '--serve', '--data', data], { stdio: ['pipe', 'pipe', 'pipe'] });
    const torch = new TorchProcess(child, python);
    const hello = (await torch.next()) as TorchSetup & { ready?: boolean };
    if (!hello.ready) {
      torch.close();
      throw new Error(`${python} ${script} --serve: expected its setup line, got ${JSON.stringify(hello)}`);
    }
    const { ready: _, ...setup } = hello;
    return { process: torch, setup };
  }

  /** Searches the preset's configurations and makes its model under the best. */
  tune(preset: string): Promise<{ config: TorchConfig; search: TorchSearchRow[] }> {
    return this.request({ tune: preset }) as Promise<{ config: TorchConfig; search: TorchSearchRow[] }>;
  }

  /** One full epoch of the tuned preset. */
  async epoch(preset: string): Promise<EpochTime> {
    const { seconds, cpuSeconds } = (await this.request({ epoch: preset })) as EpochTime;
    return { seconds, cpuSeconds };
  }

  /** Ends its input: the script exits. */
  close(): void {
    this.child.stdin!.end();
  }

  private async request(message: object): Promise<unknown> {
    if (this.ended) throw this.ended;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
    const answer = (await this.next()) as { error?: string };
    if (answer.error) throw new Error(`${this.python} ${TORCH_SCRIPT} ${JSON.stringify(message)}: ${answer.error}`);
    return answer;
  }

  private async next(): Promise<unknown> {
    const line = this.lines.shift() ?? (await new Promise<string>((resolve, reject) => {
      if (this.ended) reject(this.ended);
      else this.waiting.push({ resolve, reject });
    }));
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`${this.python} printed a line that is not JSON: ${line.slice(0, 200)}`);
    }
  }

  private failure(code: number | null, signal: string | null): Error {
    const last = this.stderr.trim().split('\n').pop() ?? '';
    if (/No module named 'torch'/.test(last)) return new Error(`PyTorch is not installed for ${this.python} (Debian: apt-get install python3-torch)`);
    return new Error(`${this.python} ${TORCH_SCRIPT} exited (${signal ?? `status ${code}`})${last ? `: ${last}` : ''}`);
  }
}

/** Runs a, then b, then a, ... for `epochs` rounds, so that whatever else loads the machine meets both sides. */
export async function interleave<T>(
  epochs: number, a: () => T | Promise<T>, b: () => T | Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] };
  for (let e = 0; e < epochs; e++) {
    out.a.push(await a());
    out.b.push(await b());
  }
  return out;
}

/** Median (of an even count, the mean of the middle two), min and max of the epochs after the first (warm-up). */
export function spread(epochs: EpochTime[]): Spread {
  const timed = epochs.length > 1 ? epochs.slice(1) : epochs;
  const middle = (values: number[]) => {
    const sorted = [...values].sort((p, q) => p - q);
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  };
  const wall = timed.map((e) => e.seconds);
  return {
    seconds: epochs.map((e) => e.seconds), cpuSeconds: epochs.map((e) => e.cpuSeconds),
    median: middle(wall), min: Math.min(...wall), max: Math.max(...wall), cpuMedian: middle(timed.map((e) => e.cpuSeconds)),
  };
}

/** The backend to race: the fastest CPU backend in these results (PyTorch's side is on the CPU), else the fastest. */
export function bestBackend(rows: TrainResult[]): string {
  const wall = (r: TrainResult) => r.fullEpochSeconds ?? r.epochSeconds;
  const cpu = rows.filter((r) => r.backend !== WEBGPU);
  return (cpu.length ? cpu : rows).reduce((best, r) => (wall(r) < wall(best) ? r : best)).backend;
}

/** A fresh model of the preset on the backend, and a function that trains it one full MNIST epoch. */
function layerlabEpochs(preset: string, backend: string, mnist: ReturnType<typeof readMnist>): () => EpochTime {
  const spec = PRESETS[preset];
  useBackend(backend);
  manualSeed(0);
  const model = buildModel(spec);
  const lossFn = makeLoss(spec);
  const optimizer = makeOptimizer(spec, model.parameters());
  const loaders = specLoaders(spec, specDatasets(spec, mnist, { validationSize: 0 }), new Random(0));
  let epoch = 0;
  return () => {
    useBackend(backend);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    trainEpoch(model, lossFn, optimizer, loaders.train, { epoch: ++epoch });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
}

/**
 * For each preset with a target: tunes PyTorch (its search runs alone), then trains LayerLab's best backend and the
 * tuned PyTorch epoch by epoch in turn, `epochs` each.
 */
async function race(
  torch: { process: TorchProcess; setup: TorchSetup }, training: TrainResult[], opts: Options, out: (line: string) => void,
): Promise<TorchHere> {
  const before = loadavg();
  const mnist = readMnist(opts.data);
  const races: RaceResult[] = [];
  // A preset whose every row failed has nothing of LayerLab's to race.
  for (const preset of opts.presets.filter((p) => TARGETS[p] && training.some((r) => r.preset === p))) {
    const { config, search } = await torch.process.tune(preset);
    const backend = bestBackend(training.filter((r) => r.preset === preset));
    if (!opts.json) {
      out(`PyTorch ${preset}: ms per step by torch threads × BLAS threads (best of ${search[0]?.rounds.length ?? 0} rounds): ` +
        `${search.map((r) => `${configName(r)} ${r.msPerStep.toFixed(3)}`).join(', ')}; racing ${configName(config)} against LayerLab ${backend}`);
    }
    let sides: { a: EpochTime[]; b: EpochTime[] };
    try {
      sides = await interleave(opts.epochs, layerlabEpochs(preset, backend, mnist), () => torch.process.epoch(preset));
    } finally {
      setBackend('cpu');
    }
    const layerlab = { backend, ...spread(sides.a) };
    const pytorch = { config, search, ...spread(sides.b) };
    races.push({ preset, layerlab, torch: pytorch, ratio: layerlab.median / pytorch.median });
  }
  return {
    version: torch.setup.torch, setup: torch.setup, races,
    seconds: Object.fromEntries(races.map((r) => [r.preset, r.torch.median])),
    threads: Object.fromEntries(races.map((r) => [r.preset, r.torch.config.torchThreads])),
    load: { before, after: loadavg(), cores: availableParallelism() },
  };
}

/** The races as a table: per preset, LayerLab's best backend, tuned PyTorch, the ratio; then the machine's load. */
export function raceLines(torch: TorchHere, epochs: number): string[] {
  const side = (s: Spread) => `${s.median.toFixed(3)} (${s.min.toFixed(3)}–${s.max.toFixed(3)}; cpu ${s.cpuMedian.toFixed(3)})`;
  const lines = [
    '',
    `LayerLab against tuned PyTorch ${torch.version} here: ${epochs} full MNIST epochs each, taken in turn (LayerLab, PyTorch, ` +
      'LayerLab, ...);',
    `seconds per epoch, median of epochs 2–${epochs} (min–max; median process CPU seconds, all threads); PyTorch's ` +
      'configuration = torch threads × OpenBLAS threads:',
    `${pad('preset', 15)} ${pad('LayerLab', 48)} ${pad('PyTorch', 40)} LayerLab / PyTorch`,
  ];
  for (const r of torch.races) {
    lines.push(`${pad(r.preset, 15)} ${pad(`${side(r.layerlab)} ${r.layerlab.backend}`, 48)} ` +
      `${pad(`${side(r.torch)} ${configName(r.torch.config)}`, 40)} ${r.ratio.toFixed(2)}×`);
  }
  const { before, after, cores } = torch.load;
  const busy = Math.max(before[0], after[0]) > 0.5;
  lines.push(`load average (1 min) ${before[0].toFixed(2)} before, ${after[0].toFixed(2)} after, on ${cores} cores` +
    (busy ? ': other processes were running, so the figures carry their noise (the spread shows how much)' : ''));
  return lines;
}

const configName = (c: TorchConfig) => `${c.torchThreads}×${c.blasThreads ?? '-'}`;

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted[sorted.length >> 1];
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    out(`bench: ${(err as Error).message}`);
    return 2;
  }
  // As the engine host does (engine/node/backends.ts); --no-relaxed-simd times the plain SIMD build instead.
  if (!argv.includes('--no-relaxed-simd')) enableRelaxedSimd();
  if (opts.backends.includes(WEBGPU)) {
    try {
      const resident = !argv.includes('--no-resident');
      const adapter = await prepareWebGpu(resident, opts.gpuTimeoutMs);
      adapters[WEBGPU] = adapter;
      if (!opts.json) {
        out(`${WEBGPU}: gpu.js WebGPU through Dawn on ${adapter}, every kernel on the device; step plans ` +
          (resident ? 'resident (the state stays on the device)' : "through gpu.js's fused encoder (the state crosses to the host and back each step)"));
      }
    } catch (error) {
      // Asked for by name, its absence is an error; in the default list, a note.
      if (argv.includes('--backends')) {
        out(`bench: ${WEBGPU} is not available here: ${(error as Error).message}`);
        return 2;
      }
      if (!opts.json) out(`${WEBGPU}: not available here (${(error as Error).message})`);
      opts.backends = opts.backends.filter((b) => b !== WEBGPU);
    }
  }
  for (const backend of opts.backends) if (backend !== WEBGPU) await prepareBackend(backend);
  if (!opts.json && opts.backends.some((b) => b.startsWith('wasm'))) {
    out(`wasm kernels: ${relaxedSimdSupported() ? 'relaxed SIMD (fused multiply-add)' : 'SIMD without relaxed SIMD (no fused multiply-add)'}; threads: ${availableParallelism() - 1} worker(s)`);
  }
  let torch: { process: TorchProcess; setup: TorchSetup } | null = null;
  if (opts.torch) {
    // Started first, so that a missing PyTorch says so before LayerLab's timings; it waits on its input (no CPU)
    // until the races, which come after them.
    try {
      torch = await TorchProcess.start(opts.torch, opts.data);
      if (!opts.json) out(describeTorch(torch.setup));
    } catch (error) {
      out(`bench: --torch: ${(error as Error).message}`);
      for (const b of wasmBackends) b.dispose();
      webgpuBackend?.dispose();
      return 2;
    }
  }
  try {
    await report(opts, out, torch);
  } catch (error) {
    if (!(error instanceof RaceError)) throw error;
    out(`bench: --torch: ${error.message}`);
    return 2;
  } finally {
    for (const b of wasmBackends) b.dispose();
    webgpuBackend?.dispose();
    torch?.process.close();
  }
  return 0;
}

/** A failure of the PyTorch side during the races. */
class RaceError extends Error {}

/** The PyTorch run in one line: version, BLAS kernel, what was unset for it, and the environment that matters. */
export function describeTorch(setup: TorchSetup): string {
  const { blas } = setup;
  const kernel = blas.corename
    ? `OpenBLAS kernel ${blas.corename} (${blas.config}; ${blas.defaultThreads} threads by default)`
    : `BLAS ${blas.libraries.join(', ') || 'not found'}${blas.note ? ` (${blas.note})` : ''}`;
  const vars = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
  return `PyTorch ${setup.torch} here (${setup.device}, ${setup.cores} cores, ${setup.torchDefaultThreads} torch thread${setup.torchDefaultThreads > 1 ? 's' : ''} by default): ${kernel}, ATen CPU capability ${setup.capability ?? 'unknown'}; ` +
    `unset for it: ${vars(setup.unset) || 'nothing'}; set for it: ${vars(setup.set) || 'nothing'}; its environment: ${vars(setup.env) || 'no OPENBLAS_/OMP_/GOMP_/KMP_/MKL_/DNNL_/ATEN_/TORCH_ variables, no LD_PRELOAD'}`;
}

/** An accuracy in words: a percentage, or 'n/a' where there is none (an autoencoder's). */
const percent = (a: number | null, digits: number): string => (a === null || Number.isNaN(a) ? 'n/a' : `${(100 * a).toFixed(digits)}%`);

/** A part of the bench that failed on a backend (a device that stopped answering): reported, and the rest goes on. */
export interface BenchFailure {
  part: 'training' | 'gemm' | 'latency';
  preset: string | null;
  backend: string;
  error: string;
}

/**
 * Runs one part of the bench; a failure becomes a BenchFailure (and a line) instead of ending the bench, so that one
 * row a device cannot do (pytorch/examples' Net past the gpu.js thread's timeout on a software adapter) does not
 * take every other row's figures with it: the GPU server's bundle run writes one JSON for all of them.
 */
function attempt<T>(failures: BenchFailure[], where: Omit<BenchFailure, 'error'>, out: (line: string) => void, json: boolean, run: () => T): T | null {
  try {
    return run();
  } catch (error) {
    const failure = { ...where, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
    failures.push(failure);
    setBackend('cpu');
    const what = where.preset ?? (where.part === 'gemm' ? 'GEMM table' : 'prediction');
    if (!json) out(`${pad(what, 15)} ${pad(where.backend, 12)} failed: ${failure.error}`);
    return null;
  }
}

async function report(opts: Options, out: (line: string) => void, torchProcess: { process: TorchProcess; setup: TorchSetup } | null): Promise<void> {
  const training: TrainResult[] = [];
  const failures: BenchFailure[] = [];
  for (const preset of opts.presets) {
    for (const backend of opts.backends) {
      const r = attempt(failures, { part: 'training', preset, backend }, out, opts.json, () => timeTraining(preset, backend, opts));
      if (!r) continue;
      training.push(r);
      if (!opts.json) {
        out(`${pad(preset, 15)} ${pad(backend, 12)} ${lpad(r.msPerBatch.toFixed(2), 8)} ms/batch ${lpad(r.samplesPerSec.toFixed(0), 7)} samples/s  epoch ≈ ${r.epochSeconds.toFixed(2)} s` +
          `  (CPU time ${r.cpuMsPerBatch.toFixed(2)} ms/batch, epoch ≈ ${r.cpuEpochSeconds.toFixed(2)} s)` +
          (r.fullEpochSeconds !== null ? `  (full epoch ${r.fullEpochSeconds.toFixed(2)} s, train accuracy ${percent(r.fullEpochAccuracy, 1)}, test accuracy ${percent(r.fullEpochTestAccuracy, 2)})` : '') +
          `  host ${r.hostMsPerStep.toFixed(2)} ms/step` +
          (r.hostCpuMsPerStep !== null ? ` (engine thread CPU ${r.hostCpuMsPerStep.toFixed(2)} ms${r.workerCpuMsPerStep !== null ? `, gpu.js thread CPU ${r.workerCpuMsPerStep.toFixed(2)} ms with Dawn's polling` : ''})` : '') +
          (r.submitsPerStep !== null ? `, ${r.submitsPerStep.toFixed(1)} submits, ${r.dispatchesPerStep!.toFixed(0)} dispatches, ${r.readbacksPerStep!.toFixed(1)} reads, ${r.crossingsPerStep!.toFixed(1)} thread crossings per step` +
            `; gpu.js thread ${r.planHostMsPerStep === null ? 'n/a (not a resident plan)' : `${r.planHostMsPerStep.toFixed(2)} ms`}, ${kib(r.uploadBytesPerStep!)} up, ${kib(r.readBytesPerStep!)} down, ${r.evictionsPerStep!.toFixed(1)} evictions per step` +
            (r.planExecutors?.length ? ` (plans: ${r.planExecutors.join('; ')})` : ' (no step plan)') : ''));
      }
    }
  }
  const layerStats: StatsOverhead[] = [];
  if (opts.statsRounds > 0) {
    if (!opts.json) out(`\nLayer statistics (#16.3), sampled as the engine host samples them (the budget: under 5%):`);
    for (const preset of opts.presets) {
      for (const backend of opts.backends) {
        const s = timeLayerStats(preset, backend, opts.statsRounds);
        layerStats.push(s);
        if (!opts.json) out(statsLine(s));
      }
    }
  }
  const gemm = opts.backends.flatMap((backend) => attempt(failures, { part: 'gemm', preset: null, backend }, out, opts.json, () => timeGemm(backend)) ?? []);
  const latency = opts.backends.flatMap((backend) => attempt(failures, { part: 'latency', preset: null, backend }, out, opts.json, () => [timePrediction(backend)]) ?? []);
  let torch: TorchHere | null = null;
  if (torchProcess) {
    try {
      torch = await race(torchProcess, training, opts, out);
    } catch (error) {
      throw new RaceError((error as Error).message);
    }
  }
  if (opts.json) {
    const wasm = { relaxedSimd: relaxedSimdSupported(), workers: availableParallelism() - 1 };
    out(JSON.stringify({ batch: BATCH, epochSamples: EPOCH_SAMPLES, targets: TARGETS, gpuTargets: GPU_TARGETS, wasm, adapters, torchHere: torch, training, gemm, latency, failures, ...(opts.statsRounds > 0 ? { layerStats } : {}) }, null, 2));
    return;
  }
  out('');
  out(`Epoch seconds (60k samples, batch 64) against the targets (ratio = best / target; ≤ 1 meets it).`);
  out(`wall = ${opts.stat} batch × 938${opts.full ? ' (or the full epoch)' : ''}; cpu = process CPU time per batch × 938:`);
  const cols = opts.backends.flatMap((b) => [`${b} wall`, `${b} cpu`]);
  out(`${pad('preset', 15)} ${cols.map((c) => lpad(c, 10)).join(' ')} ${lpad('target', 7)} ${lpad('torch', 6)}  ratio wall/cpu` +
    (torch ? `  ${lpad('torch here', 10)}` : ''));
  for (const preset of opts.presets) {
    const rows = training.filter((r) => r.preset === preset);
    const wall = (r: TrainResult) => r.fullEpochSeconds ?? r.epochSeconds;
    const t = TARGETS[preset];
    const ratio = (f: (r: TrainResult) => number) => (t && rows.length > 0 ? (Math.min(...rows.map(f)) / t.target).toFixed(2) : '-');
    const cells = opts.backends.flatMap((b) => {
      const r = rows.find((x) => x.backend === b);
      return r ? [wall(r).toFixed(2), r.cpuEpochSeconds.toFixed(2)] : ['failed', 'failed'];
    });
    const here = torch?.seconds[preset];
    out(`${pad(preset, 15)} ${cells.map((c) => lpad(c, 10)).join(' ')} ` +
      `${lpad(t ? t.target.toFixed(2) : '-', 7)} ${lpad(t ? t.torch.toFixed(2) : '-', 6)}  ${ratio(wall)} / ${ratio((r) => r.cpuEpochSeconds)}` +
      (torch ? `  ${lpad(here !== undefined ? here.toFixed(2) : '-', 10)}` : ''));
  }
  if (torch) for (const line of raceLines(torch, opts.epochs)) out(line);
  out('');
  out(`GEMM GFLOP/s (best kernel call after warm-up, input copies included):`);
  out(`${pad('shape', 42)} ${opts.backends.map((b) => lpad(b, 8)).join(' ')}`);
  for (const s of GEMM_SHAPES) {
    out(`${pad(s.name, 42)} ${opts.backends.map((b) => lpad(gemm.find((g) => g.shape === s.name && g.backend === b)?.gflops.toFixed(2) ?? 'failed', 8)).join(' ')}`);
  }
  out('');
  out(`LeNet-5 single-image prediction, median ms: ${latency.map((l) => `${l.backend} ${l.medianMs.toFixed(3)}`).join(', ')}`);
  const gpuRows = training.filter((r) => r.backend === WEBGPU && GPU_TARGETS[r.preset]);
  if (gpuRows.length > 0) {
    out('');
    out(`GPU targets (${adapters[WEBGPU] ?? WEBGPU}; seconds per epoch, wall = ${opts.full ? 'the full epoch' : `${opts.stat} batch × 938`}):`);
    for (const r of gpuRows) {
      const t = GPU_TARGETS[r.preset];
      const wall = r.fullEpochSeconds ?? r.epochSeconds;
      out(`${pad(r.preset, 15)} ${lpad(wall.toFixed(2), 8)}  target ${t.target.toFixed(2)}  ratio ${(wall / t.target).toFixed(2)}  (PyTorch CUDA on the H200: ${t.torchCuda.toFixed(2)})`);
    }
  }
}

if (process.argv[1]?.endsWith('bench-cli.ts')) process.exitCode = await main(process.argv.slice(2));
