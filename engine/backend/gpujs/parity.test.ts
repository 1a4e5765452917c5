/**
 * The PyTorch parity suite (engine/test/*.test.ts) again, with the gpu.js backend in webasm mode registered and
 * active, as engine/backend/wasm/parity.test.ts does for the wasm backend: those files run their cases on the
 * active backend, so importing them after `setBackend('gpujs-webasm')` collects every fixture case once more.
 *
 * Thresholds are zero, so every float32 case a gpu.js kernel supports runs on gpu.js (the measured defaults would
 * keep webasm's work on the CPU and test nothing). The last test checks gpu.js never fell back to its own cpu
 * mode. `npx vitest run engine/backend/gpujs` runs it.
 */
import { afterAll, expect, it } from 'vitest';
import { GPU } from 'gpu.js';
import { registerBackend, setBackend } from '../backend';
import { createGpujsBackend } from './index';
import { importParitySuite } from '../../test/parity-suite';

const backend = createGpujsBackend({ gpu: new GPU({ mode: 'webasm' }), mode: 'webasm', thresholds: { macs: 0, elements: 0 } });
registerBackend(backend);
setBackend(backend.name);

await importParitySuite();

afterAll(() => {
  console.log(`gpujs-webasm parity: ${backend.runner.launches} gpu.js launches`);
});

it('gpu.js ran the parity cases in webasm mode itself (no silent fallback to its cpu mode)', () => {
  expect(backend.runner.fallbacks).toEqual([]);
});
