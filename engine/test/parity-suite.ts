/**
 * The PyTorch parity suite (this folder's *.test.ts) collected once more by another test file: those files run
 * their cases on the active backend, so a file that first registers and activates a backend (wasm, gpu.js webasm,
 * resident, relaxed SIMD, WebGPU) and then calls this gets every fixture case on that backend.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function importParitySuite(): Promise<void> {
  const dir = fileURLToPath(new URL('./', import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort()) {
    await import(/* @vite-ignore */ `./${file}`);
  }
}
