/**
 * The PyTorch parity suite (engine/test/*.test.ts) again, with the wasm backend registered and active.
 *
 * Those files run their cases on the active backend (ops.test.ts on every registered one), so importing them
 * after `registerBackend` + `setBackend('wasm')` collects every fixture case once more against the wasm kernels,
 * in this file's module graph, without touching the parity files. `npx vitest run engine/backend/wasm` runs it.
 */
import { registerBackend, setBackend } from '../backend';
import { createWasmBackend } from './index';
import { importParitySuite } from '../../test/parity-suite';

registerBackend(createWasmBackend());
setBackend('wasm');

await importParitySuite();
