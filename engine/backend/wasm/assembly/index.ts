// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/** The wasm module's exports: every kernel the TS side (../kernels.ts) calls, and where free memory starts. */
export { gemm, gemmPrepare, gemmPanels, gemmScratchBytes, transpose } from './gemm';
export { convInputGradImages, convRegionBytes } from './conv-images';
export { implicitForward, implicitWeightGrad, implicitWeightGradReduce, implicitRegionBytes, implicitPartialBytes, packWeightPanels } from './conv-implicit';
export { maxPool2d, maxPool2dBackward, maxPoolRange, maxPoolBackwardRange, avgPool2d, avgPool2dBackward } from './pool';
export { adam, adamRange } from './optim';
export { gatherBytes, touchRows } from './data';
export { binary, relu, reluGrad, reluRange, reluGradRange, sumRows, rowSums, softmaxRows, maxRows } from './elementwise';
export { crossEntropyRows, crossEntropyRowsBackward } from './loss';
export { sgd } from './sgd';

/** The first byte after the module's static data: the TS arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}
