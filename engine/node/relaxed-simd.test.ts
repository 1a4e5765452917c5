/**
 * The PyTorch parity suite once more on the wasm backend's relaxed-SIMD (fused multiply-add) build, the one the
 * engine host, the CLIs, Electron and Chromium run. The other wasm suites run the plain build: vitest's Node 20
 * has relaxed SIMD off until enableRelaxedSimd() turns it on for this test file's process (pool: forks).
 */
import { expect, it } from 'vitest';
import { registerBackend, setBackend } from '../backend/backend';
import { createWasmBackend } from '../backend/wasm/index';
import { relaxedSimdSupported } from '../backend/wasm/runtime';
import { enableRelaxedSimd } from './relaxed-simd';
import { importParitySuite } from '../test/parity-suite';

const enabled = enableRelaxedSimd();

it('turns relaxed SIMD on, and the wasm backend loads the fused multiply-add build', () => {
  expect(enabled).toBe(true);
  expect(relaxedSimdSupported()).toBe(true);
});

registerBackend(createWasmBackend());
setBackend('wasm');

await importParitySuite();
