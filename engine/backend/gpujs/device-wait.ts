/**
 * Waiting for the device without spinning a core. dawn.node delivers a map's (or any) callback from a setImmediate
 * loop that calls wgpuInstanceProcessEvents until the callback comes: while a step's read is pending, the gpu.js
 * thread runs at 100% of a core. On a GPU that wait is a millisecond; on SwiftShader (this project's tests) it is
 * the whole step, and the spinning thread takes a core from SwiftShader's own workers, which compute the step: on
 * a 2-core machine, half of the machine.
 *
 * So a wait spins as Dawn does for its first SPIN_MS (a GPU's answer comes that soon, and a nap would only add to
 * it), then naps between Dawn's rounds: Atomics.wait blocks the thread for a tenth of the time waited so far (at
 * most MAX_NAP_MS), so a late answer is seen at most ~10% (1 ms) later and the core is free meanwhile.
 *
 * The worker's program is source text that cannot import (engine/node/gpujs-worker.ts), so this function is
 * embedded by its text: it must not refer to anything outside itself. Without setImmediate (a browser's worker,
 * whose event loop delivers WebGPU's callbacks without a spin) it simply awaits.
 */
export function napWhileWaiting(): <T>(pending: Promise<T>) => Promise<T> {
  const SPIN_MS = 2;
  const MAX_NAP_MS = 1;
  const host = globalThis as unknown as {
    setImmediate?: (f: () => void) => unknown;
    performance: { now(): number };
  };
  const setImmediate = host.setImmediate;
  if (typeof setImmediate !== 'function') return (pending) => pending;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const nextRound = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return async <T>(pending: Promise<T>): Promise<T> => {
    let settled = false;
    const watched = pending.then(
      () => void (settled = true),
      () => void (settled = true),
    );
    const started = host.performance.now();
    while (!settled) {
      const waited = host.performance.now() - started;
      if (waited > SPIN_MS) Atomics.wait(nap, 0, 0, Math.min(MAX_NAP_MS, waited / 10));
      await nextRound(); // Dawn's ProcessEvents runs in this round, and the callback's promise settles after it
    }
    await watched;
    return pending;
  };
}
