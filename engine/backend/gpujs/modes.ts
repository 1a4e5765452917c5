/**
 * Plain-words reasons for a gpu.js mode that cannot run, for reports and test skips. The one that needs
 * explaining is WebGPU in Node: it comes from Dawn's `webgpu` package, a native addon. The 0.2.9 build gpu.js
 * depends on needs glibc 2.38 / libstdc++ 3.4.32, so on older systems (Debian 12 ships glibc 2.36) it fails to load
 * with a linker message about GLIBC_2.38 or GLIBCXX_3.4.32; LayerLab's own (0.6.2) loads there.
 */

/** A short reason for `error`, raised while loading or using gpu.js mode `mode`. */
export function describeGpujsFailure(mode: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (mode === 'webgpu' && /GLIBC(XX)?_[0-9.]+' not found/.test(message)) {
    const wanted = /`(GLIBC(?:XX)?_[0-9.]+)'/.exec(message)?.[1] ?? 'a newer glibc';
    return `Dawn's webgpu package needs glibc ≥ 2.38 (the system lacks ${wanted})`;
  }
  if (mode === 'webgpu' && /Cannot find (module|package) 'webgpu'/.test(message)) return "the 'webgpu' package is not installed";
  if (mode === 'headlessgl' && /Cannot find (module|package) 'gl'/.test(message)) return "the optional 'gl' package is not installed";
  return message.split('\n')[0];
}
