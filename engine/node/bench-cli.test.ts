/**
 * `npm run bench` end to end, kept small: one preset, two batches, the CPU and the wasm backend, JSON out. What is
 * checked is the report's shape and its arithmetic (epoch = ms per batch × 938), not any speed: timing belongs to
 * the benchmark itself, never to a test.
 */
import { describe, expect, it } from 'vitest';
import { GPU_TARGETS, main, TARGETS } from './bench-cli';
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
    expect(report.gemm.length).toBe(2 * 8);
    for (const g of report.gemm) expect(g.gflops).toBeGreaterThan(0);
    expect(report.latency.map((l: { backend: string }) => l.backend)).toEqual(['cpu', 'wasm']);
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
    expect(report.gemm.length).toBe(8);
    for (const g of report.gemm) expect(g.gflops).toBeGreaterThan(0);
    expect(report.latency[0].medianMs).toBeGreaterThan(0);
  });

  it('refuses bad options with a clear message and exit code 2', async () => {
    for (const [argv, message] of [
      [['--presets', 'Nope'], /unknown preset 'Nope'/],
      [['--backends', 'gpu9000'], /'gpu9000' is not available here/],
      [['--batches', '0'], /--batches must be a positive integer/],
      [['--full', '--epochs', '1'], /--epochs must be an integer of at least 2/],
      [['--stat', 'mean'], /--stat must be median or min/],
      [['--torch', '/nonexistent/python3', '--presets', 'MLP'], /--torch: could not run \/nonexistent\/python3/],
    ] as const) {
      const { code, lines } = await run([...argv]);
      expect(code).toBe(2);
      expect(lines.join('\n')).toMatch(message);
    }
  });
});
