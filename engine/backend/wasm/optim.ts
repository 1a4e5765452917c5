/**
 * The Adam/AdamW update in wasm (K.AdamStep), with the CPU kernel's signature (engine/backend/cpu/optim.ts).
 * float32 without AMSGrad runs here; float64, AMSGrad and small parameters (the MLP's last two biases: the call and
 * the copies cost more than the loop) go to the CPU kernel. Measured on the MLP's 109k parameters: ~1.15 ms per step in JS, ~0.27 ms here with
 * copies, and a quarter of that once the parameter and its moments are pinned in wasm memory.
 */
import type { KernelTable } from '../backend';
import { cpuKernels } from '../cpu/index';
import { host, inputPointer, isF32In } from './resident';
import type { WasmRuntime } from './runtime';
import type { ThreadPool } from './threads';

/**
 * Below this many values a parameter is updated by the CPU kernel. µs per call, CPU kernel / here copied / here
 * pinned: 64 values 0.46 / 0.56 / 0.22, 128 values 0.81 / 0.68 / 0.27, 640 values (the MLP's last weight) 3.67 /
 * 1.66 / 0.59. One threshold for both paths, so that a pinned parameter gets the bits a copied one does.
 */
export const MIN_ADAM_VALUES = 128;
/** From this many values, threads share the update (the MLP's first layer: 100k values, ~0.1 ms alone). */
const THREADED_ADAM_VALUES = 1 << 15;
/** Values per chunk of a shared update (a multiple of 4: the kernel's SIMD loop starts each range aligned). */
const ADAM_CHUNK_VALUES = 1 << 14;

export function wasmAdamStep(rt: WasmRuntime, pool: ThreadPool | null = null): KernelTable['AdamStep'] {
  return (param, grad, expAvg, expAvgSq, maxExpAvgSq, attrs) => {
    const n = param.length;
    // The gradient may be a resident matmul output (a WasmData: the optimizer passes kernelInput), read in place.
    const f32 = param instanceof Float32Array && isF32In(grad) && expAvg instanceof Float32Array && expAvgSq instanceof Float32Array;
    if (!f32 || maxExpAvgSq !== null || n < MIN_ADAM_VALUES) return cpuKernels.AdamStep(param, host(grad), expAvg, expAvgSq, maxExpAvgSq, attrs);
    const { lr, beta1, beta2, eps, weightDecay, decoupledDecay = 0, step } = attrs;
    // Pinned arrays (runtime.ts `pin`: the optimizer's moments, and parameters moved into this memory) are
    // updated in place. Others are copied in, and written back only once the wasm call has succeeded, so a failure
    // (memory that cannot grow) leaves them untouched and the CPU kernel does this update instead: nothing is
    // applied twice. A pinned array cannot fail that way: nothing is allocated for it.
    let pp: number, pm: number, pv: number;
    try {
      rt.reset();
      pp = rt.read(param);
      const pg = inputPointer(rt, grad as Float32Array);
      pm = rt.read(expAvg);
      pv = rt.read(expAvgSq);
      if (decoupledDecay !== 0) {
        const keep = 1 - decoupledDecay;
        const view = rt.f32.subarray(pp >> 2, (pp >> 2) + n);
        for (let i = 0; i < n; i++) view[i] *= keep;
      }
      const bc1 = 1 - beta1 ** step;
      const stepSize = lr / bc1, bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      const threads = pool && n >= THREADED_ADAM_VALUES ? pool.threads() : 1;
      if (threads > 1) {
        // Shared out in element ranges (assembly/optim.ts adamRange): elementwise, so the split changes nothing.
        const block = rt.alloc(10 * 4);
        rt.i32.set([pp, pg, pm, pv], block >> 2);
        rt.f32.set([beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt], (block >> 2) + 4);
        pool!.ranges('adamRange', block, n, ADAM_CHUNK_VALUES, threads);
      } else {
        rt.exports.adam(pp, pg, pm, pv, n, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt);
      }
    } catch {
      return cpuKernels.AdamStep(param, host(grad), expAvg, expAvgSq, maxExpAvgSq, attrs);
    }
    rt.writeBack(param, pp);
    rt.writeBack(expAvg, pm);
    rt.writeBack(expAvgSq, pv);
  };
}
