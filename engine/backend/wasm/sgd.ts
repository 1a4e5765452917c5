/**
 * The SGD update in wasm (K.SgdStep; assembly/sgd.ts), with the CPU kernel's signature (engine/backend/cpu/optim.ts).
 * float32 runs here: the parameter and its momentum buffer in place where pinned, the gradient read in place where
 * it is a resident matmul output (a Linear weight's: the optimizer passes kernelInput); float64 and small parameters
 * (a bias: the copies cost more than the loop) go to the CPU kernel. Mnist_Logistic's 7,840-value weight: the JS
 * loop and the gradient's download took ~15 µs of its step.
 */
import type { KernelTable } from '../backend';
import { cpuKernels } from '../cpu/index';
import { host, inputPointer, isF32In } from './resident';
import type { WasmRuntime } from './runtime';

/** Below this many values a parameter is updated by the CPU kernel. */
export const MIN_SGD_VALUES = 1024;

export function wasmSgdStep(rt: WasmRuntime): KernelTable['SgdStep'] {
  return (param, grad, momentumBuffer, attrs) => {
    const n = param.length;
    const buffer = attrs.momentum !== 0 ? momentumBuffer : null;
    const f32 = param instanceof Float32Array && isF32In(grad) && (buffer === null || buffer instanceof Float32Array);
    if (!f32 || n < MIN_SGD_VALUES) return cpuKernels.SgdStep(param, host(grad), momentumBuffer, attrs);
    const { lr, momentum, dampening, weightDecay, nesterov, maximize, first } = attrs;
    // As wasmAdamStep: arrays that are not pinned are copied in and written back only once the call has succeeded,
    // so a failure (memory that cannot grow) leaves them untouched for the CPU kernel.
    let pp: number, pb: number;
    try {
      rt.reset();
      pp = rt.read(param);
      const pg = inputPointer(rt, grad as Float32Array);
      pb = buffer === null ? 0 : rt.read(buffer);
      rt.exports.sgd(pp, pg, pb, n, lr, momentum, dampening, weightDecay, +nesterov, +maximize, +first);
    } catch {
      return cpuKernels.SgdStep(param, host(grad), momentumBuffer, attrs);
    }
    rt.writeBack(param, pp);
    if (buffer !== null) rt.writeBack(buffer, pb);
  };
}
