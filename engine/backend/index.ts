/** The backend layer: registry, kernel names and the typed-array helpers kernels share. */
export { cpuBackend, deviceInput, endStep, getBackend, getKernel, hasOwnKernel, listBackends, registerBackend, setBackend } from './backend';
export type { Backend, DeviceData, KernelName, KernelTable } from './backend';
export * as K from './kernel-names';
export * from './arrays';
