/**
 * gpu.js in a worker thread (engine/backend/gpujs/remote.ts, ./gpujs-worker.ts), the way the engine runs WebGPU:
 * first with gpu.js's webasm mode in the worker (quick, and every machine has it), then with WebGPU itself through
 * Dawn where a device exists (here SwiftShader's Vulkan, ./webgpu-test-device.ts).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { endStep, getBackend, registerBackend, setBackend } from '../backend/backend';
import { createGpujsBackend, type GpujsBackend, type RemoteRunner } from '../backend/gpujs/index';
import { cnn, expectResidentTraining, mlp } from '../backend/gpujs/training-check';
import { startGpujsWorker, type GpujsWorker } from './gpujs-worker';
import { startTestWebGpu } from './webgpu-test-device';

const COPY = 'function (x) {\n  return x[this.thread.x];\n}';
const previous = getBackend().name;
afterEach(() => {
  endStep();
  setBackend(previous);
});

const webasm = await startGpujsWorker({ mode: 'webasm' });
const backend = createGpujsBackend({ runner: webasm.runner, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-webasm-worker' });
registerBackend(backend);
afterAll(() => backend.dispose());

describe('gpu.js in a worker thread (webasm)', () => {
  it.each([
    ['an MLP with Adam', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const)('%s trains as on the CPU; per step, only the logits cross back', (_, build, shape) => {
    const sent = webasm.runner.launches;
    expectResidentTraining(build, shape, backend.name, backend.store!);
    expect(webasm.runner.launches).toBeGreaterThan(sent);
    expect(webasm.runner.workerLaunches).toBe(webasm.runner.launches); // every launch sent ran there
    expect(webasm.runner.fallbacks).toEqual([]);
  });

  it('a kernel that does not build fails where it is called, with gpu.js\'s reason, and the runner goes on', () => {
    const runner = webasm.runner;
    const broken = { source: 'function (x) {\n  return notAFunction(x[this.thread.x]);\n}', n: 4, args: [new Float32Array(4)] };
    expect(() => runner.runOnDevice(broken)).toThrow(/^gpu\.js webasm: .+ line 2/);
    expect(Array.from(runner.run({ source: COPY, n: 3, args: [Float32Array.from([1, 2, 3])] }))).toEqual([1, 2, 3]);
  });

  it('a value freed before a kernel reads it is an error, not a wrong answer', () => {
    const runner = webasm.runner;
    const gone = runner.upload(Float32Array.from([1, 2]));
    (gone as { delete(): void }).delete();
    // A source not launched before, so its first launch is checked.
    expect(() => runner.runOnDevice({ source: `${COPY}\n// freed`, n: 2, args: [gone] })).toThrow(/freed before a kernel read it/);
  });

  it('reads larger than the reply buffer grow it; uploads are copies the caller may change', () => {
    const values = Float32Array.from({ length: 700_000 }, (_, i) => i % 977);
    const up = webasm.runner.upload(values);
    values.fill(-1);
    const back = (up as { toArray(): Float32Array }).toArray();
    expect(back.length).toBe(700_000);
    expect(back[976]).toBe(976);
    expect(back[699_999]).toBe(699_999 % 977);
  });
});

describe('the worker thread ends', () => {
  it('dispose frees the device values and ends the thread; later calls say it stopped', async () => {
    const worker = await startGpujsWorker({ mode: 'webasm' });
    const own = createGpujsBackend({ runner: worker.runner, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-dispose-test' });
    own.keep!(Float32Array.from([1, 2, 3]));
    own.dispose();
    await expect(worker.exited).resolves.toBeTypeOf('number');
    expect(() => worker.runner.upload(Float32Array.from([1]))).toThrow(/stopped/);
  });

  it('a worker that stops answering is given up on after its timeout, with a clear error, and ended', async () => {
    const worker: GpujsWorker = await startGpujsWorker({ mode: 'webasm', timeoutMs: 300 });
    // A kernel that runs for minutes (two nested loops of a million): the worker is busy, not dead, but too slow.
    const spin = `function (x) {\n  let s = 0;\n  for (let i = 0; i < 1048576; i++) {\n    for (let j = 0; j < 1048576; j++) {\n      s = s + x[0] * 0.5;\n    }\n  }\n  return s;\n}`;
    expect(() => (worker.runner as RemoteRunner).runOnDevice({ source: spin, n: 1, args: [Float32Array.from([1])] })).toThrow(/no answer within 300 ms/);
    await expect(worker.exited).resolves.toBeTypeOf('number');
    expect(() => worker.runner.upload(Float32Array.from([1]))).toThrow(/no answer/);
  });
});

const webgpu = await startTestWebGpu();
const noWebGpu = 'skip' in webgpu ? webgpu.skip : null;
if (noWebGpu) console.log(`WebGPU training checks skipped: ${noWebGpu}`);

describe.skipIf(noWebGpu !== null)('gpu.js WebGPU through Dawn in a worker', () => {
  let gpuBackend: GpujsBackend;
  afterAll(() => gpuBackend?.dispose());

  it.each([
    ['an MLP with Adam', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const)('%s trains as on the CPU with its weights in GPU buffers; per step, only the logits come back', (_, build, shape) => {
    const worker = webgpu as GpujsWorker;
    gpuBackend ??= createGpujsBackend({ runner: worker.runner, mode: 'webgpu' });
    registerBackend(gpuBackend);
    expect(gpuBackend.store).not.toBeNull(); // resident by default
    expectResidentTraining(build, shape, gpuBackend.name, gpuBackend.store!);
    expect(worker.runner.fallbacks).toEqual([]);
  });
});
