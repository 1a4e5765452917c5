/**
 * The PyTorch parity suite (engine/test/*.test.ts) again, with the wasm backend registered and active.
 *
 * Those files run their cases on the active backend (ops.test.ts on every registered one), so importing them
 * after `registerBackend` + `setBackend('wasm')` collects every fixture case once more against the wasm kernels,
 * in this file's module graph, without touching the parity files. `npx vitest run engine/backend/wasm` runs it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerBackend, setBackend } from '../backend';
import { createWasmBackend } from './index';

registerBackend(createWasmBackend());
setBackend('wasm');

const dir = fileURLToPath(new URL('../../test/', import.meta.url));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort()) {
  await import(/* @vite-ignore */ `../../test/${file}`);
}
