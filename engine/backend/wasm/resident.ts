/**
 * Kernel outputs that stay in wasm memory (DeviceData), so a chain of wasm kernels (conv → relu → max-pool and
 * back) hands each other handles instead of copying every activation out of wasm memory and in again.
 *
 * Lifetime (the rule a caller needs):
 *   - a handle is a block of the runtime's memory (`keep`d below the per-call arena, reused by size);
 *   - the tensor holding it downloads it on its first `.data` read and then frees the block (`release`);
 *   - `endStep()` (engine/backend/backend.ts; training loops call it before each batch) frees every block still
 *     resident: a tensor of an earlier step that was never read on the CPU then throws when read;
 *   - without `endStep` (evaluation, tests), at most `budgetBytes` stay resident: the oldest are evicted, i.e.
 *     copied into a CPU array the handle keeps, so they still read correctly.
 * GC cannot free blocks: FinalizationRegistry callbacks only run once the event loop turns, and a training epoch
 * is one synchronous loop.
 */
import type { TypedArray } from '../arrays';
import type { DeviceData } from '../backend';
import type { WasmRuntime } from './runtime';

/** Resident bytes kept between endStep calls before the oldest are evicted (LeNet-5 at batch 64 uses ~8 MB a step). */
export const RESIDENT_BUDGET_BYTES = 64 << 20;

export class WasmData implements DeviceData {
  readonly dtype = 'float32' as const;
  /** The values once evicted (a CPU copy); null while in wasm memory. */
  host: Float32Array | null = null;
  /** Set once the block is freed without a CPU copy (endStep): the values are gone. */
  gone = false;

  constructor(
    private readonly store: ResidentStore,
    /** Byte offset of the block in the runtime's memory (valid while resident). */
    readonly ptr: number,
    readonly length: number,
  ) {}

  get backend(): string {
    return this.store.backend;
  }

  /** Whether the values are in wasm memory at `ptr`. */
  get resident(): boolean {
    return this.host === null && !this.gone;
  }

  read(): Float32Array {
    if (this.host !== null) return this.host.slice();
    this.assertPresent();
    return this.store.rt.take(this.ptr, this.length);
  }

  release(): void {
    this.store.free(this);
  }

  assertPresent(): void {
    if (this.gone) {
      throw new Error(`${this.backend} backend: a tensor's values were freed at the end of a training step (endStep); read what you keep across steps before it`);
    }
  }
}

export class ResidentStore {
  private readonly live = new Set<WasmData>();
  private liveBytes = 0;

  constructor(
    readonly rt: WasmRuntime,
    public backend: string,
    private readonly budgetBytes = RESIDENT_BUDGET_BYTES,
  ) {}

  /**
   * A resident block of `n` floats. Only right after `rt.reset()`, before the call's `put`/`alloc` (the block is
   * taken below the arena). May evict older handles, which may be this call's inputs: resolve inputs after.
   */
  alloc(n: number): WasmData {
    const bytes = n * 4;
    for (const old of this.live) {
      if (this.liveBytes + bytes <= this.budgetBytes) break;
      this.evict(old);
    }
    const d = new WasmData(this, this.rt.keep(bytes), n);
    this.live.add(d);
    this.liveBytes += bytes;
    return d;
  }

  /** Frees every resident block (see the lifetime rule above). */
  endStep(): void {
    for (const d of this.live) d.gone = true;
    this.freeAll();
  }

  /** Copies every resident block out (the handles keep working) and frees the memory. */
  evictAll(): void {
    for (const d of this.live) this.evict(d);
  }

  free(d: WasmData): void {
    if (!this.live.delete(d)) return;
    this.liveBytes -= d.length * 4;
    this.rt.release(d.ptr, d.length * 4);
  }

  private evict(d: WasmData): void {
    d.host = this.rt.take(d.ptr, d.length);
    this.free(d);
  }

  private freeAll(): void {
    for (const d of this.live) this.rt.release(d.ptr, d.length * 4);
    this.live.clear();
    this.liveBytes = 0;
  }
}

/** A kernel input as a CPU array: a WasmData handle's values downloaded, anything else as it is. */
export function host<T extends TypedArray>(x: T): T {
  return (x as unknown) instanceof WasmData ? ((x as unknown as WasmData).read() as unknown as T) : x;
}

/** For the inputs of kernels that take handles: float32, or a WasmData handle (always float32). */
export const isF32In = (x: TypedArray): x is Float32Array => x instanceof Float32Array || (x as unknown) instanceof WasmData;

/** Whether x is a handle whose values are in wasm memory now (a resident kernel output not yet downloaded). */
export const isResident = (x: TypedArray): boolean => (x as unknown) instanceof WasmData && (x as unknown as WasmData).resident;

/**
 * x's pointer for a kernel call: its block when resident, a pinned array in place (runtime.ts `read`), else a copy
 * put into the arena. After every output of the call is allocated (a resident output may evict x's block).
 */
export function inputPointer(rt: WasmRuntime, x: Float32Array): number {
  if ((x as unknown) instanceof WasmData) {
    const d = x as unknown as WasmData;
    if (d.resident) return d.ptr;
    d.assertPresent();
    return rt.put(d.host!);
  }
  return rt.read(x);
}
