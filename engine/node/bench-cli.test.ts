/**
 * `npm run bench` end to end, kept small: one preset, two batches, the CPU and the wasm backend, JSON out. What is
 * checked is the report's shape and its arithmetic (epoch = ms per batch × 938), not any speed: timing belongs to
 * the benchmark itself, never to a test.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIdx } from '../../common/idx';
import { GEMM_SHAPES, GPU_TARGETS, interleave, main, spread, TARGETS, type TorchHere } from './bench-cli';
import { startTestWebGpu } from './test-support/webgpu-test-device';

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line));
  return { code, lines };
}

describe('npm run bench', () => {
  it('reports training, GEMM and prediction figures per backend as JSON', async () => {
    const { code, lines } = await run(['--presets', 'Mnist_Logistic', '--backends', 'cpu,wasm', '--batches', '2', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.targets).toEqual(TARGETS);
    expect(report.training.map((r: { backend: string }) => r.backend)).toEqual(['cpu', 'wasm']);
    for (const r of report.training) {
      expect(r.preset).toBe('Mnist_Logistic');
      expect(r.msPerBatch).toBeGreaterThan(0);
      expect(r.epochSeconds).toBeCloseTo((r.msPerBatch * 938) / 1000, 9);
      expect(r.samplesPerSec).toBeCloseTo((64 * 1000) / r.msPerBatch, 6);
      expect(r.fullEpochSeconds).toBeNull();
      // A CPU backend's host time is its whole step; the device fields are for GPU backends only.
      expect(r.hostMsPerStep).toBeGreaterThan(0);
      expect(r).toMatchObject({ submitsPerStep: null, dispatchesPerStep: null, readbacksPerStep: null, crossingsPerStep: null });
    }
    expect(report.gpuTargets).toEqual(GPU_TARGETS);
    expect(report.gemm.length).toBe(2 * GEMM_SHAPES.length);
    for (const g of report.gemm) expect(g.gflops).toBeGreaterThan(0);
    expect(report.latency.map((l: { backend: string }) => l.backend)).toEqual(['cpu', 'wasm']);
  });

  it("times an autoencoder against its own input, as the engine's loop trains it, with no accuracy", async () => {
    // The bench's step was its own loop, which compared the output with the labels: the Autoencoder preset (and so
    // --presets all, run.sh's default) ended the bench with "MSELoss: target shape [64] does not match".
    const { code, lines } = await run(['--presets', 'Autoencoder', '--backends', 'wasm', '--batches', '2', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.failures).toEqual([]);
    expect(report.training).toHaveLength(1);
    expect(report.training[0]).toMatchObject({ preset: 'Autoencoder', backend: 'wasm' });
    expect(report.training[0].msPerBatch).toBeGreaterThan(0);
  });

  it('times gpu.js WebGPU (Dawn in a worker) as one more backend and names its adapter, or says why it cannot', async () => {
    const argv = ['--presets', 'Mnist_Logistic', '--backends', 'gpujs-webgpu', '--batches', '2', '--json'];
    const device = await startTestWebGpu(); // points Dawn at a device where the machine has one for tests
    if ('skip' in device) {
      const { code, lines } = await run(argv);
      expect(code).toBe(2);
      expect(lines.join('\n')).toMatch(/gpujs-webgpu is not available here: \S/);
      return;
    }
    device.runner.destroy(); // the bench starts its own
    const { code, lines } = await run(argv);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.adapters['gpujs-webgpu']).toBeTruthy();
    expect(report.training.map((r: { backend: string }) => r.backend)).toEqual(['gpujs-webgpu']);
    expect(report.training[0].msPerBatch).toBeGreaterThan(0);
    // After its warm-up a step is one resident plan: one crossing, one submit, one read, every kernel dispatched,
    // and nothing brought home early.
    expect(report.training[0]).toMatchObject({
      submitsPerStep: 1, readbacksPerStep: 1, crossingsPerStep: 1, evictionsPerStep: 0, planExecutors: ['resident-encoder'], planFailures: [],
    });
    // Up: the batch (64 × 784 floats) and its targets; down: the loss. The weights (7,850) stay on the device.
    expect(report.training[0].uploadBytesPerStep).toBeGreaterThanOrEqual(4 * 64 * 784);
    expect(report.training[0].uploadBytesPerStep).toBeLessThan(4 * (64 * 784 + 7850));
    expect(report.training[0].readBytesPerStep).toBeLessThan(64);
    expect(report.training[0].planHostMsPerStep).toBeGreaterThan(0);
    expect(report.training[0].dispatchesPerStep).toBeGreaterThan(1);
    expect(report.training[0].hostMsPerStep).toBeGreaterThan(0);
    // Both threads' CPU time per step, where Linux gives a per-thread clock (null elsewhere, and said so in the text).
    if (process.platform === 'linux') {
      expect(report.training[0].hostCpuMsPerStep).toBeGreaterThan(0);
      expect(report.training[0].workerCpuMsPerStep).toBeGreaterThan(0);
    } else expect(report.training[0].hostCpuMsPerStep).toBeNull();
    expect(report.gemm.length).toBe(GEMM_SHAPES.length);
    for (const g of report.gemm) expect(g.gflops).toBeGreaterThan(0);
    expect(report.latency[0].medianMs).toBeGreaterThan(0);
  });

  it('a backend whose device stops answering fails its parts with the reason, and the other backends are still reported', async () => {
    const device = await startTestWebGpu();
    if ('skip' in device) return console.log(`skipped: ${device.skip}`);
    device.runner.destroy(); // the bench starts its own
    // 1 ms: gpu.js's thread cannot answer the first kernel's check in time, as a lost (or very slow) device would not.
    const argv = ['--presets', 'Mnist_Logistic', '--backends', 'gpujs-webgpu,cpu', '--batches', '2', '--json', '--gpu-timeout', '1'];
    const { code, lines } = await run(argv);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.training.map((r: { backend: string }) => r.backend)).toEqual(['cpu']);
    expect(report.gemm.every((g: { backend: string }) => g.backend === 'cpu')).toBe(true);
    expect(report.latency.map((l: { backend: string }) => l.backend)).toEqual(['cpu']);
    expect(report.failures).toEqual([
      { part: 'training', preset: 'Mnist_Logistic', backend: 'gpujs-webgpu', error: 'gpu.js worker: no answer within 1 ms (the device may be lost)' },
      { part: 'gemm', preset: null, backend: 'gpujs-webgpu', error: expect.stringMatching(/no answer within 1 ms/) },
      { part: 'latency', preset: null, backend: 'gpujs-webgpu', error: expect.stringMatching(/no answer within 1 ms/) },
    ]);
    // In the tables: the failed cells say so.
    const text = await run(argv.filter((a) => a !== '--json'));
    expect(text.lines).toContain('Mnist_Logistic  gpujs-webgpu failed: gpu.js worker: no answer within 1 ms (the device may be lost)');
    expect(text.lines).toContain('GEMM table      gpujs-webgpu failed: gpu.js worker: no answer within 1 ms (the device may be lost)');
    expect(text.lines.find((l) => /^Mnist_Logistic +failed +failed +\d/.test(l))).toBeTruthy();
  }, 120_000);

  it('refuses bad options with a clear message and exit code 2', async () => {
    for (const [argv, message] of [
      [['--presets', 'Nope'], /unknown preset 'Nope'/],
      [['--backends', 'gpu9000'], /'gpu9000' is not available here/],
      [['--batches', '0'], /--batches must be a positive integer/],
      [['--full', '--epochs', '1'], /--epochs must be an integer of at least 2/],
      [['--stat', 'mean'], /--stat must be median or min/],
      [['--gpu-timeout', '0'], /--gpu-timeout must be a positive number of ms, got '0'/],
      [['--torch', '/nonexistent/python3', '--presets', 'MLP'], /--torch: could not run \/nonexistent\/python3/],
    ] as const) {
      const { code, lines } = await run([...argv]);
      expect(code).toBe(2);
      expect(lines.join('\n')).toMatch(message);
    }
  });
});

/**
 * A stand-in for `python3 scripts/torch_bench.py --serve` (CI has no PyTorch): a Node script that speaks the same
 * protocol, logs each request, and answers epochs of 1.0, 0.5, 0.3, 0.4, ... seconds. FAKE_TORCH=missing makes it
 * fail as a Python without torch does; FAKE_TORCH=epoch-error makes its epochs fail.
 */
const work = mkdtempSync(join(tmpdir(), 'layerlab-bench-torch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fakePython = join(work, 'fake-python');
const requests = join(work, 'requests.log');
writeFileSync(fakePython, `#!${process.execPath}
const fs = require('node:fs');
const [script, ...args] = process.argv.slice(2);
if (!script.endsWith('torch_bench.py') || args[0] !== '--serve' || args[1] !== '--data') process.exit(9);
if (process.env.FAKE_TORCH === 'missing') {
  process.stderr.write("Traceback (most recent call last):\\nModuleNotFoundError: No module named 'torch'\\n");
  process.exit(1);
}
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
say({ ready: true, torch: '9.9.9', device: 'cpu', cores: 2, torchDefaultThreads: 1, capability: 'AVX512',
  blas: { libraries: ['/x/libopenblasp.so'], corename: 'Cooperlake', config: 'OpenBLAS 0.3.21 Cooperlake', defaultThreads: 2, note: null },
  env: { OMP_WAIT_POLICY: 'passive' }, unset: { OPENBLAS_CORETYPE: 'Haswell' }, set: { MALLOC_TRIM_THRESHOLD_: '1073741824' } });
const seconds = [1.0, 0.5, 0.3, 0.4, 0.2];
let n = 0;
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  fs.appendFileSync(${JSON.stringify(requests)}, line + '\\n');
  const r = JSON.parse(line);
  if (r.tune) {
    say({ preset: r.tune, config: { torchThreads: 2, blasThreads: 1 }, search: [
      { torchThreads: 1, blasThreads: 1, msPerStep: 0.2, rounds: [0.2, 0.3] },
      { torchThreads: 2, blasThreads: 1, msPerStep: 0.1, rounds: [0.1, 0.1] }] });
  } else if (process.env.FAKE_TORCH === 'epoch-error') {
    say({ error: 'RuntimeError: out of memory' });
  } else {
    say({ preset: r.epoch, seconds: seconds[n], cpuSeconds: seconds[n++] / 2 });
  }
});
`);
chmodSync(fakePython, 0o755);

/** A tiny MNIST: 128 training images (two batches of 64), 10 test images. */
const data = join(work, 'mnist');
mkdirSync(data);
const images = (n: number) => writeIdx({ shape: [n, 28, 28], data: Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256) });
const labels = (n: number) => writeIdx({ shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) });
writeFileSync(join(data, 'train-images-idx3-ubyte'), images(128));
writeFileSync(join(data, 'train-labels-idx1-ubyte'), labels(128));
writeFileSync(join(data, 't10k-images-idx3-ubyte'), images(10));
writeFileSync(join(data, 't10k-labels-idx1-ubyte'), labels(10));

describe('npm run bench -- --torch', () => {
  it('takes the two sides in turn, epoch by epoch', async () => {
    const order: string[] = [];
    let i = 0;
    const { a, b } = await interleave(3, () => (order.push('L'), ++i), async () => (order.push('T'), -++i));
    expect(order.join('')).toBe('LTLTLT');
    expect(a).toEqual([1, 3, 5]);
    expect(b).toEqual([-2, -4, -6]);
  });

  it('summarises the epochs after the first: median, min, max, median CPU seconds', () => {
    const e = (seconds: number) => ({ seconds, cpuSeconds: seconds * 2 });
    expect(spread([e(9), e(3), e(1), e(2)])).toEqual({
      seconds: [9, 3, 1, 2], cpuSeconds: [18, 6, 2, 4], median: 2, min: 1, max: 3, cpuMedian: 4,
    });
    expect(spread([e(9), e(3), e(1)])).toMatchObject({ median: 2, min: 1, max: 3, cpuMedian: 4 }); // two timed: their mean
    expect(spread([e(5)])).toMatchObject({ median: 5, min: 5, max: 5 }); // one epoch: nothing to leave out
  });

  it('races LayerLab against the tuned PyTorch and reports both, the ratio, the configuration and the BLAS kernel', async () => {
    rmSync(requests, { force: true });
    const argv = ['--presets', 'Mnist_Logistic', '--backends', 'cpu', '--batches', '2', '--torch', fakePython, '--data', data];
    const { code, lines } = await run([...argv, '--epochs', '4', '--json']);
    expect(code).toBe(0);
    const torch = JSON.parse(lines.join('\n')).torchHere as TorchHere;
    // Tuned once, then one epoch per LayerLab epoch.
    expect(readFileSync(requests, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { tune: 'Mnist_Logistic' }, ...Array.from({ length: 4 }, () => ({ epoch: 'Mnist_Logistic' })),
    ]);
    expect(torch.version).toBe('9.9.9');
    expect(torch.setup).toMatchObject({ blas: { corename: 'Cooperlake' }, unset: { OPENBLAS_CORETYPE: 'Haswell' }, env: { OMP_WAIT_POLICY: 'passive' } });
    expect(torch.races).toHaveLength(1);
    const race = torch.races[0];
    expect(race.preset).toBe('Mnist_Logistic');
    expect(race.torch).toMatchObject({
      config: { torchThreads: 2, blasThreads: 1 }, seconds: [1.0, 0.5, 0.3, 0.4], cpuSeconds: [0.5, 0.25, 0.15, 0.2],
      median: 0.4, min: 0.3, max: 0.5, cpuMedian: 0.2,
    });
    expect(race.torch.search).toHaveLength(2);
    expect(race.layerlab.backend).toBe('cpu');
    expect(race.layerlab.seconds).toHaveLength(4);
    for (const s of race.layerlab.seconds) expect(s).toBeGreaterThan(0);
    expect(race.layerlab.min).toBeLessThanOrEqual(race.layerlab.median);
    expect(race.layerlab.max).toBeGreaterThanOrEqual(race.layerlab.median);
    expect(race.ratio).toBeCloseTo(race.layerlab.median / 0.4, 9);
    expect(torch.seconds).toEqual({ Mnist_Logistic: 0.4 });
    expect(torch.threads).toEqual({ Mnist_Logistic: 2 });
    expect(torch.load.before).toHaveLength(3);
    expect(torch.load.cores).toBeGreaterThan(0);

    // The same in words: the PyTorch run's kernel and environment first, then one row per preset.
    const text = (await run([...argv, '--epochs', '3'])).lines.join('\n');
    expect(text).toMatch(/PyTorch 9\.9\.9 here \(cpu, 2 cores, 1 torch thread by default\): OpenBLAS kernel Cooperlake .*unset for it: OPENBLAS_CORETYPE=Haswell; set for it: MALLOC_TRIM_THRESHOLD_=1073741824; its environment: OMP_WAIT_POLICY=passive/);
    expect(text).toMatch(/ms per step by torch threads × BLAS threads .*: 1×1 0\.200, 2×1 0\.100; racing 2×1 against LayerLab cpu/);
    expect(text).toMatch(/3 full MNIST epochs each, taken in turn/);
    expect(text).toMatch(/Mnist_Logistic +\d+\.\d{3} \(\d+\.\d{3}–\d+\.\d{3}; cpu \d+\.\d{3}\) cpu +0\.400 \(0\.300–0\.500; cpu 0\.200\) 2×1 +\d+\.\d\d×/);
    expect(text).toMatch(/load average \(1 min\) \d+\.\d\d before, \d+\.\d\d after, on \d+ cores/);
  });

  it('says why when PyTorch is missing or fails, with exit code 2', async () => {
    const argv = ['--presets', 'Mnist_Logistic', '--backends', 'cpu', '--batches', '2', '--torch', fakePython, '--data', data];
    try {
      process.env.FAKE_TORCH = 'missing';
      let { code, lines } = await run(argv);
      expect(code).toBe(2);
      expect(lines.join('\n')).toMatch(/bench: --torch: PyTorch is not installed for .*fake-python \(Debian: apt-get install python3-torch\)/);
      process.env.FAKE_TORCH = 'epoch-error';
      ({ code, lines } = await run(argv));
      expect(code).toBe(2);
      expect(lines.join('\n')).toMatch(/bench: --torch: .*\{"epoch":"Mnist_Logistic"\}: RuntimeError: out of memory/);
    } finally {
      delete process.env.FAKE_TORCH;
    }
  });
});
