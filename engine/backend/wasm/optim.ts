/**
 * Optimizer updates in wasm, ready for the optimizers to call once the kernel table has an entry for them.
 *
 * Not registered yet: engine/optim (Adam's loop) calls no kernel today, and adding one needs a kernel name
 * (kernel-names.ts), its CPU reference (the current loop of engine/optim/adam.ts) and Adam calling
 * getKernel(K.AdamStep). Then one line in kernels.ts registers this. Measured on the MLP's 109k parameters:
 * ~1.15 ms per step in JS, ~0.27 ms here (copies included; in-memory state would remove most of that).
 */
import type { WasmRuntime } from './runtime';

export interface AdamStepAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient (Adam's weight_decay; AdamW decays the parameter itself first). */
  weightDecay: number;
  /** The step number after this update (1 on the first). */
  step: number;
}

/** In place: param, expAvg and expAvgSq are updated (float32, same length as grad). No amsgrad. */
export type AdamStepKernel = (param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, attrs: AdamStepAttrs) => void;

export function wasmAdamStep(rt: WasmRuntime): AdamStepKernel {
  return (param, grad, expAvg, expAvgSq, { lr, beta1, beta2, eps, weightDecay, step }) => {
    const n = param.length;
    rt.reset();
    const pp = rt.put(param);
    const pg = rt.put(grad);
    const pm = rt.put(expAvg);
    const pv = rt.put(expAvgSq);
    const bc1 = 1 - beta1 ** step;
    rt.exports.adam(pp, pg, pm, pv, n, beta1, beta2, eps, weightDecay, lr / bc1, Math.sqrt(1 - beta2 ** step));
    const f = rt.f32;
    param.set(f.subarray(pp >> 2, (pp >> 2) + n));
    expAvg.set(f.subarray(pm >> 2, (pm >> 2) + n));
    expAvgSq.set(f.subarray(pv >> 2, (pv >> 2) + n));
  };
}
