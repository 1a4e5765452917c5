/**
 * gpu.js in a worker thread (engine/backend/gpujs/remote.ts, ./gpujs-worker.ts), the way the engine runs WebGPU:
 * first with gpu.js's webasm mode in the worker (quick, and every machine has it), then with WebGPU itself through
 * Dawn where a device exists (here SwiftShader's Vulkan, ./test-support/webgpu-test-device.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { endStep, getBackend, registerBackend, setBackend } from '../backend/backend';
import { trainingStep } from '../backend/choose';
import { crossEntropy } from '../nn/index';
import { manualSeed } from '../random';
import { createGpujsBackend, type GpujsBackend, type RemoteRunner } from '../backend/gpujs/index';
import { batches, cnn, expectClose, expectResidentTraining, mlp, train } from '../backend/gpujs/test-support/training-check';
import { startGpujsWorker, type GpujsWorker } from './gpujs-worker';
import { startTestWebGpu } from './test-support/webgpu-test-device';

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
  ] as const)('%s trains as on the CPU; per step, only the loss crosses back', (_, build, shape) => {
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

describe('a thread lost mid-run', () => {
  it('kept weights and moments come back from their mirrors, and training goes on on the CPU with nothing lost', async () => {
    const worker = await startGpujsWorker({ mode: 'webasm', timeoutMs: 2_000 });
    const lost = createGpujsBackend({ runner: worker.runner, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-lost-test' });
    registerBackend(lost);
    const data = batches([16, 48], 6);
    const want = train(mlp, data, 'cpu', lost.store!);

    // As the trainer does: three steps on the worker; the thread dies during the fourth; that step is done again
    // on the CPU, from the state the step began with, and the run goes on there.
    setBackend(lost.name);
    manualSeed(21);
    const { model, optimizer } = mlp();
    const losses: number[] = [];
    for (const [i, [x, y]] of data.entries()) {
      if (i === 3) {
        endStep(); // the trainer's, before the batch: it asks for the mirrors of the weights the step starts from
        void worker.runner.fallbacks; // a request: answered once the thread has taken everything before it
        await worker.kill();
      }
      try {
        losses.push(trainingStep(model, crossEntropy, optimizer, x, y)());
      } catch (error) {
        expect(getBackend().name).toBe(lost.name);
        expect((error as Error).message).toMatch(/no answer within 2 s/);
        optimizer.zeroGrad(true);
        setBackend('cpu');
        losses.push(trainingStep(model, crossEntropy, optimizer, x, y)());
      }
    }
    expect(lost.store!.restoredFromMirror).toBeGreaterThan(0);
    expectClose(losses, want.losses);
    model.parameters().forEach((p, i) => expectClose(p.data, want.model.parameters()[i].data));
    const state = optimizer.stateDict().state;
    for (const [i, s] of Object.entries(want.optimizer.stateDict().state)) expectClose(state[Number(i)].exp_avg as Float32Array, s.exp_avg as Float32Array);
  });
});

const webgpu = await startTestWebGpu();
const noWebGpu = 'skip' in webgpu ? webgpu.skip : null;
if (noWebGpu) console.log(`WebGPU training checks skipped: ${noWebGpu}`);
let gpuBackend: GpujsBackend | undefined;
// Whether or not a test made a backend of it, the thread is stopped here (a Dawn thread left to the process's exit
// may still have a callback to deliver).
afterAll(() => (gpuBackend ? gpuBackend.dispose() : 'runner' in webgpu && webgpu.runner.destroy()));

describe.skipIf(noWebGpu !== null)('gpu.js WebGPU through Dawn in a worker', () => {

  it.each([
    ['an MLP with Adam', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const)('%s trains as on the CPU with its weights in GPU buffers; per step, only the loss comes back', (_, build, shape) => {
    const worker = webgpu as GpujsWorker;
    gpuBackend ??= createGpujsBackend({ runner: worker.runner, mode: 'webgpu' });
    registerBackend(gpuBackend);
    expect(gpuBackend.store).not.toBeNull(); // resident by default
    expectResidentTraining(build, shape, gpuBackend.name, gpuBackend.store!);
    expect(worker.runner.fallbacks).toEqual([]);
  });

  it('a device too slow to answer in time is given up on without aborting the process: the thread ends itself once the device is idle', () => {
    // Ended from outside while its read waited on mapAsync, the thread took the whole process down with it (Dawn:
    // "Promise not resolved or rejected: mapAsync()", SIGABRT): a 60 s timeout on a slow device killed the engine
    // host, and pytorch/examples' Net on SwiftShader killed the bench. In a child process, so that an abort fails
    // this test rather than ends the test runner.
    const root = resolve(import.meta.dirname, '../..');
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-abandon-'));
    try {
      const script = join(dir, 'child.mts');
      writeFileSync(script, `
        import { startTestWebGpu } from ${JSON.stringify(join(root, 'engine/node/test-support/webgpu-test-device.ts'))};
        import { startGpujsWorker } from ${JSON.stringify(join(root, 'engine/node/gpujs-worker.ts'))};
        await startTestWebGpu().then((w) => ('runner' in w ? w.runner.destroy() : undefined)); // sets up the driver
        const worker = await startGpujsWorker({ mode: 'webgpu', timeoutMs: 200 });
        const slow = 'function (x, n) {\\n  let s = 0;\\n  for (let i = 0; i < n; i++) {\\n    s += Math.sin(x[this.thread.x] + i);\\n  }\\n  return s;\\n}';
        const input = worker.runner.upload(new Float32Array(65536).fill(1));
        try {
          // Seconds of work on SwiftShader: its first launch (a build check) or its read is still waiting when the
          // 200 ms run out, and the device is busy either way.
          worker.runner.runOnDevice({ source: slow, n: 65536, args: [input, 3000] }).toArray();
          console.log('answered in time');
        } catch (error) {
          console.log(error.message);
        }
        worker.exited.then((code) => console.log('thread ended', code));
        // The script ends here; the process waits for the thread to end itself.
      `);
      const child = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), script], { encoding: 'utf8', timeout: 120_000 });
      expect(child.stdout + child.stderr).not.toMatch(/Promise not resolved|napi/); // Dawn writes it to stdout
      expect(child.stdout).toMatch(/gpu\.js worker: no answer within 200 ms \(the device may be lost\)\nthread ended 0/);
      expect(child.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
