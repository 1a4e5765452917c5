/**
 * WebGPU for tests on a machine without a GPU: Debian's Chromium ships SwiftShader as a Vulkan driver
 * (/usr/lib/chromium/vk_swiftshader_icd.json), and Dawn's `webgpu` package can use it through the system's Vulkan
 * loader (`libvulkan1`; .ci/run installs it). Pointing the loader there before Dawn starts gives Node a real,
 * if slow, WebGPU device, so the gpu.js WebGPU backend runs the same tests here as on a user's GPU.
 *
 * Only tests call this: on a user's machine Dawn finds the real driver, and the chooser measures what it gives.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startGpujsWorker, type GpujsWorker } from '../gpujs-worker';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Starts gpu.js's WebGPU worker on the machine's Vulkan driver, or SwiftShader's; the reason when neither works. */
export async function startTestWebGpu(): Promise<GpujsWorker | { skip: string }> {
  // The Vulkan loader reads the variable when Dawn first starts it, in this process (worker threads share it).
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // Vulkan's window-system code complains on every start without it; nothing here draws to a window.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  try {
    return await startGpujsWorker({ mode: 'webgpu' });
  } catch (error) {
    return { skip: `WebGPU through Dawn is unavailable here: ${(error as Error).message}` };
  }
}
