/**
 * The wasm kernels' module instance and its memory, seen from TS.
 *
 * One WebAssembly.Memory holds everything a kernel touches. Each kernel call works in an arena: `reset()` at the
 * start, then `put` (copy an input in), `alloc` (scratch or output), the wasm calls, and `take` (copy the output
 * out into a fresh typed array, which the caller owns). The arena only grows (memory.grow), so after the first
 * steps of a training run no call allocates on the wasm side, and copies are O(size) against O(m·n·k) compute.
 *
 * The bytes come from a generated module (scripts/build-wasm.mjs), so loading needs no fs and no fetch; the
 * WebAssembly global is reached through globalThis with the few types used here, since the engine's lib has no DOM.
 */
import {
  KERNELS_RELAXED_WASM_BASE64, KERNELS_SHARED_RELAXED_WASM_BASE64, KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64,
} from './generated/kernels-wasm';

/** The wasm module's exports (engine/backend/wasm/assembly/index.ts). Pointers are byte offsets. */
export interface KernelExports {
  heapBase(): number;
  gemm(a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number, scratch: number): void;
  gemmPrepare(a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, scratch: number): void;
  gemmPanels(
    a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number, scratch: number,
    jb0: number, jb1: number,
  ): void;
  gemmScratchBytes(m: number, n: number, k: number, transA: number, transB: number): number;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  convRegionBytes(o: number, k: number, p: number, group: number, image: number, form: number, dyHp: number, dyWp: number): number;
  convInputGradImages(block: number, n0: number, n1: number, chunk: number, thread: number): void;
  binary(op: number, a: number, aMode: number, b: number, bMode: number, out: number, rows: number, cols: number): void;
  relu(x: number, y: number, n: number): void;
  reluGrad(x: number, dy: number, dx: number, n: number): void;
  sumRows(x: number, out: number, rows: number, cols: number): void;
  rowSums(x: number, out: number, rows: number, cols: number): void;
  softmaxRows(x: number, y: number, rows: number, cols: number, log: number): void;
  implicitRegionBytes(c: number, hp: number, wp: number, o: number, p: number): number;
  implicitPartialBytes(o: number, k: number): number;
  packWeightPanels(w: number, o: number, k: number, dst: number, bias: number, biasDst: number): void;
  implicitForward(block: number, n0: number, n1: number, chunk: number, thread: number): void;
  implicitWeightGrad(block: number, n0: number, n1: number, chunk: number, thread: number): void;
  implicitWeightGradReduce(block: number, chunks: number, dw: number): void;
  maxPool2d(x: number, y: number, indices: number, planes: number, geo: number): void;
  adamRange(block: number, i0: number, i1: number, chunk: number, thread: number): void;
  reluRange(block: number, i0: number, i1: number, chunk: number, thread: number): void;
  reluGradRange(block: number, i0: number, i1: number, chunk: number, thread: number): void;
  maxPoolRange(block: number, p0: number, p1: number, chunk: number, thread: number): void;
  maxPoolBackwardRange(block: number, p0: number, p1: number, chunk: number, thread: number): void;
  adam(
    p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, l2: number,
    stepSize: number, bc2Sqrt: number,
  ): void;
  maxPool2dBackward(dy: number, indices: number, dx: number, planes: number, perPlane: number, planeSize: number): void;
  avgPool2d(x: number, y: number, planes: number, geometry: number, win: number): void;
  avgPool2dBackward(dy: number, dx: number, planes: number, geometry: number, win: number): void;
  /** Both return a value made of the bytes read ahead of use (assembly/data.ts), which callers ignore. */
  gatherBytes(src: number, row: number, idx: number, count: number, scale: number, shift: number, out: number): number;
  touchRows(src: number, row: number, idx: number, count: number): number;
  crossEntropyRows(x: number, targets: number, rows: number, classes: number, ignoreIndex: number, losses: number, lse: number): void;
  crossEntropyRowsBackward(
    x: number, targets: number, rows: number, classes: number, ignoreIndex: number, lse: number, scale: number, dx: number,
  ): void;
  sgd(
    p: number, g: number, b: number, n: number, lr: number, momentum: number, dampening: number, weightDecay: number,
    nesterov: number, maximize: number, first: number,
  ): void;
  maxRows(x: number, values: number, indices: number, rows: number, cols: number): void;
}

/** The slice of the WebAssembly JS API used here (lib.dom has the full one; the engine's lib does not). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}

const PAGE = 65536;
/** 2 GiB (wasm32 allows 4, but JS typed-array views of more than 2 GiB are not everywhere). */
const MAX_PAGES = 32768;

function wasmApi(): WasmApi | null {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64 → bytes (no atob in the engine's lib; the module is small, so a plain loop is fine). */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0, value = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    value = (value << 6) | B64.indexOf(clean[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** The four builds of the kernels: shared memory or not, relaxed SIMD (fused multiply-add) or not. */
const VARIANTS = {
  plain: KERNELS_WASM_BASE64,
  relaxed: KERNELS_RELAXED_WASM_BASE64,
  shared: KERNELS_SHARED_WASM_BASE64,
  sharedRelaxed: KERNELS_SHARED_RELAXED_WASM_BASE64,
};
type Variant = keyof typeof VARIANTS;
const decoded: Partial<Record<Variant, Uint8Array>> = {};
const bytesOf = (v: Variant) => (decoded[v] ??= decodeBase64(VARIANTS[v]));

function validates(v: Variant): boolean {
  const api = wasmApi();
  try {
    return api !== null && api.validate(bytesOf(v));
  } catch {
    return false;
  }
}

/**
 * Whether relaxed SIMD validates here (Chromium/Electron and Node 22+ yes; Node 20 only with a flag, see
 * engine/node/relaxed-simd.ts). Decided once, at the first kernel load, so every instance uses the same build.
 */
let relaxed: boolean | null = null;
export function relaxedSimdSupported(): boolean {
  relaxed ??= validates('relaxed');
  return relaxed;
}

/** Whether the relaxed-SIMD build validates right now (not cached: for turning the feature on first). */
export function relaxedSimdModuleValidates(): boolean {
  return validates('relaxed');
}

/** The module's bytes for this runtime: the relaxed-SIMD build where it validates; `shared` for threads. */
export function kernelsWasmBytes(shared = false): Uint8Array {
  const fast = relaxedSimdSupported();
  return bytesOf(shared ? (fast ? 'sharedRelaxed' : 'shared') : fast ? 'relaxed' : 'plain');
}

/** Whether this runtime can run the kernels (WebAssembly with SIMD; `shared`: also threads' shared memory). */
export function wasmSupported(shared = false): boolean {
  if (shared && typeof SharedArrayBuffer === 'undefined') return false; // browsers without cross-origin isolation
  return validates(shared ? 'shared' : 'plain');
}

export interface WasmRuntimeOptions {
  /** Instantiate the shared-memory variant, so worker threads can run on the same memory (see ./threads.ts). */
  shared?: boolean;
  /** Bytes to set aside before the arena (the thread pool's control block); `reserved` points at them. */
  reserveBytes?: number;
}

export class WasmRuntime {
  readonly exports: KernelExports;
  /** The compiled module and the memory, for worker threads to instantiate their own instance over it. */
  readonly module: object;
  readonly memory: WasmMemory;
  /** Start of the reserved bytes (see WasmRuntimeOptions.reserveBytes). */
  readonly reserved: number;
  /** Whether the memory is shared (threads, and pinned arrays: see `pin`). */
  readonly shared: boolean;
  private base: number;
  private top: number;
  /** Freed kept blocks by size, for reuse (a layer keeps the same size every step). */
  private readonly freeBlocks = new Map<number, number[]>();
  private f32view: Float32Array;
  private i32view: Int32Array;
  private f64view: Float64Array;
  /** Pinned arrays (see `pin`) and their pointers. */
  private readonly pinned = new WeakMap<Float32Array, number>();
  /** Byte arrays copied in by `pinBytes` (a dataset's pixels), and their pointers. */
  private readonly pinnedBytes = new WeakMap<Uint8Array, number>();
  /** Frees a pinned array's block once the array is garbage. */
  private readonly unpin = new FinalizationRegistry<{ ptr: number; bytes: number }>(({ ptr, bytes }) => this.release(ptr, bytes));

  constructor({ shared = false, reserveBytes = 0 }: WasmRuntimeOptions = {}) {
    const api = wasmApi();
    if (!api) throw new Error('wasm backend: this runtime has no WebAssembly');
    this.shared = shared;
    this.memory = new api.Memory({ initial: 64, maximum: MAX_PAGES, shared });
    this.module = new api.Module(kernelsWasmBytes(shared));
    const instance = new api.Instance(this.module, { env: { memory: this.memory } });
    this.exports = instance.exports as KernelExports;
    this.reserved = (this.exports.heapBase() + 63) & ~63;
    this.base = (this.reserved + reserveBytes + 63) & ~63;
    this.top = this.base;
    this.f32view = new Float32Array(this.memory.buffer);
    this.i32view = new Int32Array(this.memory.buffer);
    this.f64view = new Float64Array(this.memory.buffer);
  }

  /** Frees everything allocated since the last reset (start of every kernel call). */
  reset(): void {
    this.top = this.base;
  }

  /**
   * A block that outlives the kernel call (until `release`): a freed block of the same size, or one taken from
   * the bottom of the arena, which moves up. Only right after `reset()`, while the arena is empty.
   */
  keep(bytes: number): number {
    const size = (bytes + 63) & ~63;
    const reuse = this.freeBlocks.get(size)?.pop();
    if (reuse !== undefined) return reuse;
    if (this.top !== this.base) throw new Error('wasm backend: keep() after the arena was used');
    const ptr = this.alloc(size);
    this.base = this.top;
    return ptr;
  }

  /** Returns a kept block for reuse by a later `keep` of the same size. */
  release(ptr: number, bytes: number): void {
    const size = (bytes + 63) & ~63;
    const list = this.freeBlocks.get(size);
    if (list) list.push(ptr);
    else this.freeBlocks.set(size, [ptr]);
  }

  /** `bytes` of arena (64-byte aligned, contents undefined); returns the pointer. Grows the memory if needed. */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = ptr + ((bytes + 63) & ~63);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const current = have / PAGE;
      const need = Math.ceil(end / PAGE);
      // Grow by at least half again, so a run of slightly larger calls does not grow every time.
      const target = Math.min(Math.max(need, current + Math.ceil(current / 2)), MAX_PAGES);
      if (target < need) throw new Error(`wasm backend: a kernel needs ${end} bytes, more than the ${MAX_PAGES * PAGE}-byte limit`);
      this.memory.grow(target - current);
      this.f32view = new Float32Array(this.memory.buffer);
      this.i32view = new Int32Array(this.memory.buffer);
      this.f64view = new Float64Array(this.memory.buffer);
    }
    this.top = end;
    return ptr;
  }

  /** Float32 view of the whole memory (renewed after growth: take it after the allocations of a call). */
  get f32(): Float32Array {
    return this.f32view;
  }

  get i32(): Int32Array {
    return this.i32view;
  }

  /**
   * A Float32Array that lives in this memory, holding `data`'s values (`data` itself if it already does), or null
   * when the memory is not shared. Only a shared memory can hold arrays for JS: growing an unshared one detaches
   * every view of it, while a shared one keeps them valid. Its block is freed when the array is garbage.
   * Not during a kernel call: it resets the arena.
   */
  pin(data: Float32Array): Float32Array | null {
    if (this.pinned.has(data)) return data;
    if (!this.shared) return null;
    const bytes = data.length * 4;
    this.reset();
    let ptr: number;
    try {
      ptr = this.keep(bytes);
    } catch {
      return null; // the memory cannot grow: the array stays where it is, and kernels copy it as before
    }
    const view = new Float32Array(this.memory.buffer, ptr, data.length);
    view.set(data);
    this.pinned.set(view, ptr);
    this.unpin.register(view, { ptr, bytes });
    return view;
  }

  /**
   * The pointer of a copy of `data` in this memory, made on the first call for that array (a dataset's pixels, read
   * by every batch after): later calls are a lookup, so the array must not change afterwards. The copy is freed once
   * `data` is garbage. Null when the memory cannot grow to hold it. Not during a kernel call: it resets the arena.
   */
  pinBytes(data: Uint8Array): number | null {
    const known = this.pinnedBytes.get(data);
    if (known !== undefined) return known;
    this.reset();
    let ptr: number;
    try {
      ptr = this.keep(data.length);
    } catch {
      return null;
    }
    new Uint8Array(this.memory.buffer, ptr, data.length).set(data);
    this.pinnedBytes.set(data, ptr);
    this.unpin.register(data, { ptr, bytes: data.length });
    return ptr;
  }

  /** The pointer of a pinned array (see `pin`), else undefined. */
  pinnedPointer(data: Float32Array): number | undefined {
    return this.pinned.get(data);
  }

  /**
   * An array a kernel wrote at `ptr` (its pinned place, or a region the call placed it in with `read` or `alloc`):
   * copied back into `to` unless `to` is pinned there, which the kernel then updated in place.
   */
  writeBack(to: Float32Array, ptr: number): void {
    if (this.pinned.get(to) !== ptr) to.set(this.f32view.subarray(ptr >> 2, (ptr >> 2) + to.length));
  }

  /** An input the kernel only reads: a pinned array in place, anything else copied into the arena. */
  read(data: Float32Array): number {
    return this.pinned.get(data) ?? this.put(data);
  }

  /** Copies `data` (float32) into the arena; returns its pointer. */
  put(data: Float32Array): number {
    const ptr = this.alloc(data.length * 4);
    this.f32view.set(data, ptr >> 2);
    return ptr;
  }

  /** Copies int32s into the arena (kernel geometry blocks). */
  putInts(values: readonly number[] | Int32Array): number {
    const ptr = this.alloc(values.length * 4);
    if (values instanceof Int32Array) this.i32view.set(values, ptr >> 2);
    else for (let i = 0; i < values.length; i++) this.i32view[(ptr >> 2) + i] = values[i];
    return ptr;
  }

  /** A zero-filled float region of `n` floats. */
  zeros(n: number): number {
    const ptr = this.alloc(n * 4);
    this.f32view.fill(0, ptr >> 2, (ptr >> 2) + n);
    return ptr;
  }

  /** A fresh Float32Array copy of `n` floats at `ptr`. */
  take(ptr: number, n: number): Float32Array {
    return this.f32view.slice(ptr >> 2, (ptr >> 2) + n);
  }

  /**
   * Copies float64s into the arena (a loss's per-row values); returns the pointer. Through a view kept like the
   * others: a new view of a shared memory's buffer per call cost more than a small loss kernel.
   */
  putF64(values: Float64Array): number {
    const ptr = this.alloc(values.length * 8);
    this.f64view.set(values, ptr >> 3);
    return ptr;
  }

  /** A fresh Float64Array copy of `n` float64s at `ptr` (8-byte aligned, as `alloc` gives). */
  takeF64(ptr: number, n: number): Float64Array {
    return this.f64view.slice(ptr >> 3, (ptr >> 3) + n);
  }
}
