/**
 * Backends and the kernel registry.
 *
 * A backend is a name plus a table of kernels keyed by the constants in ./kernel-names. Kernels are plain
 * functions over contiguous typed arrays and shapes (no Tensor, no autograd), so a backend is easy to write and
 * to test against the CPU reference. A faster backend (WASM, gpu.js) may implement any subset: `getKernel` falls
 * back to the CPU kernel for the rest.
 *
 *   registerBackend({ name: 'fast', kernels: { [K.Matmul]: fastMatmul } });
 *   setBackend('fast');            // ops now use fastMatmul, and the CPU kernels for everything else
 *   getKernel(K.Matmul)(a, b, attrs);
 *
 * Registration is explicit: nothing registers itself on import; only 'cpu' is known from the start.
 */
import { cpuKernels } from './cpu/index';
import type { DType, TypedArray } from './arrays';
import type * as KernelNames from './kernel-names';
import type { EngineText } from '../../common/engine-text';

export type KernelName = (typeof KernelNames)[keyof typeof KernelNames];

/** Every kernel's signature, as the CPU reference defines it. */
export type KernelTable = typeof cpuKernels;

export interface Backend {
  readonly name: string;
  /** Any subset of the kernels; missing ones fall back to the CPU reference. */
  readonly kernels: Partial<KernelTable>;
  /** Kernels that take this backend's own DeviceData in place of a float array input (see `deviceInput`). */
  readonly deviceInputs?: ReadonlySet<string>;
  /** The end of a training step (see `endStep`): device memory of the step's tensors may be reused. */
  endStep?(): void;
  /**
   * An array in the backend's own memory with `data`'s values (`data` itself when it already lives there), which
   * its kernels read and update in place; null when the backend cannot hold one (see `pinArray`).
   */
  pin?(data: Float32Array): Float32Array | null;
  /**
   * A long-lived copy of `data` on the backend's device (a parameter, an optimizer moment), which its kernels read
   * and update in place; null when it keeps none (see `keepsOnDevice`). The GPU's counterpart of `pin`.
   */
  keep?(data: Float32Array): DeviceData | null;
  /**
   * Training steps this backend takes to reach its steady pace, which a measurement must run first (gpu.js in a
   * worker replays a repeated step as one plan only once it has seen it: step-plans.ts).
   */
  readonly warmupSteps?: number;
  /**
   * Why this backend's training steps run slower than it could (a GPU's steps left kernel by kernel, and the
   * reason), or null. Asked between epochs; the engine host shows it beside the backend in use.
   */
  stepNote?(): EngineText | null;
}

/**
 * Values a backend keeps on its device (a texture, a GPU storage buffer) instead of in a CPU array: a Tensor may
 * hold one in place of its typed array (`new Tensor(deviceData, shape)`; `tensor.device` gives it back) and
 * downloads it on the first read of `tensor.data`. Only the backend named here understands the handle.
 */
export interface DeviceData {
  /** The registry name of the backend that made it. */
  readonly backend: string;
  readonly dtype: DType;
  /** Number of elements. */
  readonly length: number;
  /** The values, copied into a new CPU array (synchronously: a device without sync readback cannot back a Tensor). */
  read(): TypedArray;
  /** Frees the device memory; the tensor calls it once it has its CPU copy. */
  release?(): void;
  /** Another handle on the same device memory (a reshaped tensor), freed once both are released. */
  share?(): DeviceData;
}

export const cpuBackend: Backend = { name: 'cpu', kernels: cpuKernels };

const backends: Backend[] = [cpuBackend];
let active: Backend = cpuBackend;

/** Adds (or replaces, by name) a backend. It does not become active until `setBackend`. */
export function registerBackend(backend: Backend): void {
  const i = backends.findIndex((b) => b.name === backend.name);
  if (i >= 0) backends[i] = backend;
  else backends.push(backend);
  if (active.name === backend.name) active = backend;
}

/** Makes the named (registered) backend the one ops use. */
export function setBackend(name: string): void {
  const backend = backends.find((b) => b.name === name);
  if (!backend) {
    throw new Error(`setBackend: unknown backend '${name}' (registered: ${backends.map((b) => b.name).join(', ')})`);
  }
  active = backend;
}

export function getBackend(): Backend {
  return active;
}

export function listBackends(): string[] {
  return backends.map((b) => b.name);
}

/**
 * The DeviceData to hand kernel `name` of the active backend in place of a tensor's CPU array, or null (pass
 * `tensor.data`): only a handle the active backend made, and only to a kernel it lists in `deviceInputs`, so a
 * chain of its kernels (conv → relu → pool) keeps the values on the device with no download between ops. Ops cast
 * it to the CPU array type, because kernel signatures are the CPU kernels'.
 */
export function deviceInput(name: KernelName, device: DeviceData | null): DeviceData | null {
  return device !== null && device.backend === active.name && active.deviceInputs?.has(name) ? device : null;
}

/**
 * Whether the active backend runs kernel `name` with a kernel of its own, not the CPU reference (which it falls
 * back to, and which the 'cpu' backend is): for callers that can avoid the reference where it is slow (a byte
 * dataset gathers converted float rows instead of calling K.GatherBytes's per-byte loop).
 */
export function hasOwnKernel(name: KernelName): boolean {
  const own = active.kernels[name as keyof KernelTable];
  return own !== undefined && own !== cpuKernels[name as keyof KernelTable];
}

/**
 * Marks the end of a training step: a backend that keeps kernel outputs on its device (wasm) may free those still
 * there and reuse the memory, so a tensor of an earlier step that was never read on the CPU cannot be read any more
 * (it throws). Training loops call it before each batch; read what you keep (`loss.item()`, `.data`) before then.
 */
export function endStep(): void {
  for (const b of backends) b.endStep?.();
}

/**
 * Long-lived float32 arrays (parameters, optimizer moments) moved into the active backend's memory, as PyTorch keeps
 * them on the device: the wasm backend then reads a weight and updates a parameter in place instead of copying
 * them in and out on every kernel call (the MLP's Adam step copied 2.8 MB per step). The result is an ordinary
 * Float32Array (a view of the backend's memory), valid on every backend: the CPU kernels read it like any other.
 * Returns `data` unchanged where the active backend cannot pin.
 */
export function pinArray(data: Float32Array): Float32Array {
  return active.pin?.(data) ?? data;
}

/** `pinArray` for a tensor's own storage (float32 tensors only; others are left as they are). */
export function pinTensor(tensor: { dtype: DType; data: TypedArray; moveStorageTo(next: TypedArray): void }): void {
  if (tensor.dtype !== 'float32' || !active.pin) return;
  const data = tensor.data as Float32Array;
  const pinned = active.pin(data);
  if (pinned !== null && pinned !== data) tensor.moveStorageTo(pinned);
}

/**
 * Whether the active backend keeps long-lived values on its device for kernel `name` (an optimizer's update): then
 * the optimizer hands it the parameter and its state as device handles (`keepTensor`, `keepArray`), and a training
 * step downloads nothing but what the CPU reads (the loss, the metrics).
 */
export function keepsOnDevice(name: KernelName): boolean {
  return active.keep !== undefined && active.deviceInputs?.has(name) === true;
}

/** A float32 array as the active backend's long-lived device value, or the array itself where it keeps none. */
export function keepArray(data: Float32Array): Float32Array | DeviceData {
  return active.keep?.(data) ?? data;
}

/** Moves a float32 tensor's storage onto the active backend's device for good (until something reads `.data`). */
export function keepTensor(tensor: { dtype: DType; data: TypedArray; device: DeviceData | null; moveStorageToDevice(next: DeviceData): void }): void {
  if (tensor.dtype !== 'float32' || !active.keep || tensor.device?.backend === active.name) return;
  const kept = active.keep(tensor.data as Float32Array);
  if (kept !== null) tensor.moveStorageToDevice(kept);
}

/** Whether a value is a backend's DeviceData rather than a CPU typed array. */
export function isDeviceData(x: unknown): x is DeviceData {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && typeof (x as DeviceData).read === 'function';
}

/** The active backend's kernel, or the CPU reference kernel when the active backend lacks it. */
export function getKernel<N extends keyof KernelTable>(name: N): KernelTable[N] {
  const kernel = active.kernels[name] ?? cpuKernels[name];
  if (!kernel) throw new Error(`getKernel: no kernel named '${String(name)}'`);
  return kernel as KernelTable[N];
}
