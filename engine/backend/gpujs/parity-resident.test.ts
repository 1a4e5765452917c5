/**
 * The PyTorch parity suite (engine/test/*.test.ts) on the gpu.js backend in resident mode (./device.ts), as
 * parity.test.ts runs it without: every op's result stays a device value, the next op takes it as its input, and
 * only the test's own reads download. The budget is small (1 MB), so many cases also evict their older results.
 * webasm's "textures" are arrays, so this checks the bookkeeping; e2e/gpu-parity runs the suite on WebGL2 textures.
 */
import { afterAll, expect, it } from 'vitest';
import { GPU } from 'gpu.js';
import { registerBackend, setBackend } from '../backend';
import { createGpujsBackend } from './index';
import { importParitySuite } from '../../test/parity-suite';

const backend = createGpujsBackend({
  gpu: new GPU({ mode: 'webasm' }), mode: 'webasm', resident: true, budgetBytes: 1 << 20, thresholds: { macs: 0, elements: 0 },
});
registerBackend(backend);
setBackend(backend.name);

await importParitySuite();

afterAll(() => {
  console.log(`gpujs-webasm resident parity: ${backend.runner.launches} gpu.js launches, ${backend.store!.downloads} downloads`);
});

it('gpu.js ran the parity cases in webasm mode itself, on device values', () => {
  expect(backend.runner.fallbacks).toEqual([]);
  expect(backend.store!.downloads).toBeGreaterThan(0);
});
