/**
 * Turns on WebAssembly relaxed SIMD in this Node process where its V8 has it behind a flag, so the wasm backend
 * loads its fused multiply-add build (engine/backend/wasm/runtime.ts): +25–35% GEMM throughput.
 *
 * Chromium and Electron (the utilityProcess the engine runs in) ship relaxed SIMD, and so does Node 22+. Node 20's
 * V8 11.3 has the finished proposal behind `--experimental-wasm-relaxed-simd`; V8 flags are process-wide, so
 * worker threads see it too. Call this before the first wasm backend is made: the runtime checks the feature once.
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdModuleValidates } from '../backend/wasm/runtime';

export function enableRelaxedSimd(): boolean {
  if (relaxedSimdModuleValidates()) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdModuleValidates();
}
