/**
 * The WebAssembly SIMD backend: float32 GEMM, convolution and the hot elementwise kernels compiled from
 * AssemblyScript (./assembly), every other kernel falling back to the CPU reference. Register it explicitly:
 *
 *   if (wasmSupported()) { registerBackend(createWasmBackend()); setBackend('wasm'); }
 *
 * See ./README.md for the build, the tests and how to benchmark it against the CPU backend.
 */
import type { Backend } from '../backend';
import { wasmKernels } from './kernels';
import { WasmRuntime, wasmSupported } from './runtime';

export { wasmSupported };

/** A fresh wasm backend (its own module instance and memory). Throws where WebAssembly SIMD is missing. */
export function createWasmBackend(name = 'wasm'): Backend {
  return { name, kernels: wasmKernels(new WasmRuntime()) };
}
