/**
 * Plain-words reasons for a gpu.js mode that cannot run, for reports and test skips. The one that needs
 * explaining is WebGPU in Node: it comes from Dawn's `webgpu` package, a native addon. The 0.2.9 build gpu.js
 * depends on needs glibc 2.38 / libstdc++ 3.4.32, so on older systems (Debian 12 ships glibc 2.36) it fails to load
 * with a linker message about GLIBC_2.38 or GLIBCXX_3.4.32; LayerLab's own (0.6.2) loads there.
 */

import { engineText, englishText, type EngineText } from '../../../common/engine-text';

/** What the WebGPU worker says when Dawn loads but finds no adapter (no GPU driver): the commonest case. */
export const NO_WEBGPU_ADAPTER = 'Dawn found no WebGPU adapter (no Vulkan, Metal or D3D12 driver)';

/**
 * Why gpu.js mode `mode` cannot run, from the `error` raised while loading or using it, as the header's line for
 * the backend says it (`unavailable (…)`, a code the renderer words in the learner's language).
 */
export function gpujsFailureText(mode: string, error: unknown): EngineText {
  const message = error instanceof Error ? error.message : String(error);
  if (mode === 'webgpu' && /GLIBC(XX)?_[0-9.]+' not found/.test(message)) {
    const wanted = /`(GLIBC(?:XX)?_[0-9.]+)'/.exec(message)?.[1] ?? 'a newer glibc';
    return engineText('backend.unavailable.oldGlibc', { wanted });
  }
  if (mode === 'webgpu' && /Cannot find (module|package) 'webgpu'/.test(message)) return engineText('backend.unavailable.noWebgpuPackage', {});
  if (mode === 'headlessgl' && /Cannot find (module|package) 'gl'/.test(message)) return engineText('backend.unavailable.noGlPackage', {});
  if (mode === 'webgpu' && message === NO_WEBGPU_ADAPTER) return engineText('backend.unavailable.noWebgpuAdapter', {});
  return engineText('backend.unavailable', { error: message.split('\n')[0] });
}

/** A short reason for `error`, raised while loading or using gpu.js mode `mode`: the line's words inside "unavailable (…)". */
export function describeGpujsFailure(mode: string, error: unknown): string {
  return englishText(gpujsFailureText(mode, error)).replace(/^unavailable \((.*)\)$/s, '$1');
}
