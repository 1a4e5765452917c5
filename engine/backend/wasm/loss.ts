/**
 * The fused softmax cross-entropy in wasm (K.CrossEntropy, K.CrossEntropyBackward; assembly/loss.ts), with the CPU
 * kernels' signatures (engine/backend/cpu/loss.ts). float32 logits run here, a resident Linear output read in place,
 * and the gradient stays resident for the Linear's backward (its weight-gradient matmul and bias sum read it there);
 * float64 (gradient checks) goes to the CPU kernel.
 */
import type { KernelTable } from '../backend';
import { cpuKernels } from '../cpu/index';
import { host, inputPointer, isF32In } from './resident';
import type { KernelOutput } from './kernels';
import type { WasmRuntime } from './runtime';

/** An output of n floats: resident, or in the arena and copied out (kernels.ts `output`). */
type Output = (n: number) => KernelOutput;

export function wasmLossKernels(rt: WasmRuntime, output: Output): Pick<KernelTable, 'CrossEntropy' | 'CrossEntropyBackward'> {
  const ex = rt.exports;
  const crossEntropy: KernelTable['CrossEntropy'] = (x, classes, targets, ignoreIndex) => {
    const rows = targets.length;
    if (!isF32In(x) || x.length !== rows * classes) return cpuKernels.CrossEntropy(host(x), classes, targets, ignoreIndex);
    rt.reset();
    const px = inputPointer(rt, x);
    const pt = rt.putInts(targets);
    // Both per-row results in one block, copied out once (an array's allocation costs more than 64 values).
    const results = rt.alloc(rows * 16);
    ex.crossEntropyRows(px, pt, rows, classes, ignoreIndex, results, results + rows * 8);
    const both = rt.takeF64(results, 2 * rows);
    return { losses: both.subarray(0, rows), lse: both.subarray(rows) };
  };

  const crossEntropyBackward: KernelTable['CrossEntropyBackward'] = (x, classes, targets, ignoreIndex, lse, scale) => {
    const rows = targets.length;
    if (!isF32In(x) || x.length !== rows * classes || lse.length !== rows || scale.length !== rows) {
      return cpuKernels.CrossEntropyBackward(host(x), classes, targets, ignoreIndex, lse, scale);
    }
    rt.reset();
    const dx = output(x.length);
    const px = inputPointer(rt, x);
    const pt = rt.putInts(targets);
    ex.crossEntropyRowsBackward(px, pt, rows, classes, ignoreIndex, rt.putF64(lse), rt.putF64(scale), dx.ptr);
    return dx.result();
  };

  return { CrossEntropy: crossEntropy, CrossEntropyBackward: crossEntropyBackward };
}
