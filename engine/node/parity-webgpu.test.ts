/**
 * The PyTorch parity suite (engine/test/*.test.ts) on gpu.js's WebGPU mode, through Dawn in a worker thread
 * (engine/backend/gpujs/remote.ts): every float32 case a gpu.js kernel supports runs as a WGSL compute shader, in
 * resident mode (results stay in GPU buffers; the next op binds them; only the test's reads come back), with a
 * 1 MB budget so that many cases also evict. Here the device is SwiftShader's Vulkan (./test-support/webgpu-test-device.ts);
 * where Dawn finds no device at all, the suite is skipped and says why.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { registerBackend, setBackend } from '../backend/backend';
import { createGpujsBackend, type GpujsBackend } from '../backend/gpujs/index';
import { startTestWebGpu } from './test-support/webgpu-test-device';
import { importParitySuite } from '../test/parity-suite';

const started = await startTestWebGpu();
const skip = 'skip' in started ? started.skip : null;
let backend: GpujsBackend | null = null;
if (skip) console.log(`parity on gpujs-webgpu skipped: ${skip}`);
else if (!('skip' in started)) {
  console.log(`gpujs-webgpu parity on ${started.adapter?.description ?? 'an unnamed adapter'}`);
  backend = createGpujsBackend({ runner: started.runner, mode: 'webgpu', budgetBytes: 1 << 20 });
  registerBackend(backend);
  setBackend(backend.name);
  await importParitySuite();
}

afterAll(() => {
  if (!backend) return;
  console.log(`gpujs-webgpu parity: ${backend.runner.launches} launches, ${backend.store!.downloads} downloads`);
  backend.dispose();
});

describe.skipIf(skip !== null)('gpu.js WebGPU through Dawn', () => {
  it('ran the parity cases as WebGPU shaders, on device buffers, with no gpu.js fallback', () => {
    expect(backend!.runner.fallbacks).toEqual([]);
    expect(backend!.runner.launches).toBeGreaterThan(1000);
    expect(backend!.store!.downloads).toBeGreaterThan(0);
  });
});
