/**
 * The PyTorch parity suite once more on the wasm backend's relaxed-SIMD (fused multiply-add) build, the one the
 * engine host, the CLIs, Electron and Chromium run. The other wasm suites run the plain build: vitest's Node 20
 * has relaxed SIMD off until enableRelaxedSimd() turns it on for this test file's process (pool: forks).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { registerBackend, setBackend } from '../backend/backend';
import { createWasmBackend } from '../backend/wasm/index';
import { relaxedSimdSupported } from '../backend/wasm/runtime';
import { enableRelaxedSimd } from './relaxed-simd';

const enabled = enableRelaxedSimd();

it('turns relaxed SIMD on, and the wasm backend loads the fused multiply-add build', () => {
  expect(enabled).toBe(true);
  expect(relaxedSimdSupported()).toBe(true);
});

registerBackend(createWasmBackend());
setBackend('wasm');

const dir = fileURLToPath(new URL('../test/', import.meta.url));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort()) {
  await import(/* @vite-ignore */ `../test/${file}`);
}
