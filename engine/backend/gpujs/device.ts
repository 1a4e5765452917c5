/**
 * Values the gpu.js backend keeps on its device between kernels: a texture on the GL modes, the pipeline's own
 * array on webasm/cpu (no device memory there, but the same bookkeeping, so Node tests the GL path's rules).
 *
 * Two lifetimes:
 *   - step-scoped: a kernel's output (an activation, a gradient). Freed by `endStep()` (training loops call it before
 *     each batch; a tensor of an earlier step that was never read then throws when read), or when the tensor holding
 *     it downloads it. Without endStep (evaluation, tests) at most `budgetBytes` stay, the oldest evicted, i.e.
 *     copied to a CPU array they keep, so they still read correctly.
 *   - persistent: a parameter or an optimizer moment (`keep`). Never evicted or freed at endStep; a kernel that
 *     updates it in place swaps its texture (`replace`). Its downloaded values are cached until the next update, so
 *     a CPU kernel that reads a kept weight several times in a step downloads it once.
 * Tensors that share storage (reshape) share one texture, counted: it is freed with its last holder.
 *
 * Mirrors: with a runner that can copy in the background (RemoteRunner, gpu.js in a worker), every endStep also
 * asks for CPU copies of the kept values, written into shared memory off this thread (two halves, alternating, so
 * a copy cut short never mixes two steps). When a kept value cannot be read any more (the device was lost, the
 * thread died), it is taken from its mirror, provided that mirror is of the latest endStep and the value has not
 * changed since: the state the step began with. The trainer then redoes that step on the CPU, and nothing is
 * lost. Otherwise the read fails as it would without mirrors. A runner whose step plans keep the state on the
 * device (resident WebGPU plans) takes no mirrors: they would bring the whole state back every step, which costs
 * more than the step itself on a GPU; there a lost device fails the run, which
 * restarts from its last checkpoint.
 */
import type { DeviceData } from '../backend';
import type { LaunchRunner } from './runner';

/** What gpu.js's pipeline mode returns: a texture (GL) or, on webasm/cpu, the plain array itself. */
export type GpujsTexture = { toArray(): unknown; delete?(): void } | Float32Array;

function deleteTexture(t: GpujsTexture | null): void {
  if (t !== null && !(t instanceof Float32Array)) t.delete?.();
}

/** Step-scoped holders made without an endStep before each is registered with the finalizer (GpujsStore). */
export const UNREGISTERED_MAX = 256;

/** Step-scoped bytes kept between endStep calls before the oldest are evicted. */
export const DEVICE_BUDGET_BYTES = 256 << 20;

/** One texture and the tensors holding it. */
class Values {
  /** Holders (GpujsDeviceData) not yet released. */
  refs = 0;
  /** The values once evicted (a CPU copy, which kernels then upload as an ordinary argument). */
  host: Float32Array | null = null;
  /** A persistent texture's last download, dropped when a kernel replaces it. */
  cached: Float32Array | null = null;
  gone = false;
  /** Mirrors: two halves of `length` floats over shared memory; the first generation that copied this value, and
   * the generation in progress when a kernel last replaced it (its mirrors up to that one hold the older value). */
  shadow: Float32Array | null = null;
  firstMirrored = Infinity;
  changedAt = -1;

  constructor(
    private readonly store: GpujsStore,
    public texture: GpujsTexture | null,
    readonly length: number,
    readonly persistent: boolean,
  ) {}

  /** The values on the CPU; `owned` when the array is a fresh download nobody else holds. */
  download(): { values: Float32Array; owned: boolean } {
    if (this.host !== null) return { values: this.host, owned: false };
    if (this.cached !== null) return { values: this.cached, owned: false };
    if (this.gone || this.texture === null) {
      throw new Error('gpu.js backend: a tensor\'s values were freed at the end of a training step (endStep); read what you keep across steps before it');
    }
    const t = this.texture;
    let raw: unknown;
    try {
      raw = t instanceof Float32Array ? t : t.toArray();
    } catch (error) {
      // The device copy cannot be read (the device was lost, its thread died): every kept value whose mirror is
      // good comes home from it at once, this one included, or the error stands.
      if (!this.persistent || !this.store.restoreFromMirrors() || this.host === null) throw error;
      return { values: this.host, owned: false };
    }
    this.store.downloads++;
    this.store.downloadedBytes += this.length * 4;
    const values = exact(raw, this.length);
    if (this.persistent) this.cached = values;
    return { values, owned: !this.persistent };
  }

  free(): void {
    deleteTexture(this.texture);
    this.texture = null;
    this.cached = null;
  }
}

export class GpujsDeviceData implements DeviceData {
  readonly dtype = 'float32' as const;
  private givenBack = false;

  constructor(
    private readonly store: GpujsStore,
    private readonly values: Values,
  ) {}

  get backend(): string {
    return this.store.backend;
  }

  get length(): number {
    return this.values.length;
  }

  get persistent(): boolean {
    return this.values.persistent;
  }

  /** What a kernel takes as this argument: the texture while on the device, else the CPU copy. */
  get handle(): GpujsTexture {
    const v = this.values;
    if (v.host !== null) return v.host;
    if (v.gone || v.texture === null) return v.download().values; // throws the endStep message
    return v.texture;
  }

  read(): Float32Array {
    const { values, owned } = this.values.download();
    return owned ? values : values.slice();
  }

  /** The values without a copy, for a CPU kernel that only reads them (callers must not write). */
  peek(): Float32Array {
    return this.values.download().values;
  }

  /** Released: its reference is given back (the store's finalizer must not give it back again). */
  get released(): boolean {
    return this.givenBack;
  }

  release(): void {
    if (this.givenBack) return;
    this.givenBack = true;
    this.store.drop(this, this.values);
  }

  /** Another holder of the same texture (a reshaped tensor): the texture lives until both have released it. */
  share(): GpujsDeviceData {
    return this.store.holder(this.values);
  }

  /** A persistent value updated in place by a kernel: takes its new texture and frees the old one. */
  replace(texture: GpujsTexture): void {
    const v = this.values;
    if (!v.persistent) throw new Error('gpu.js backend: only kept (persistent) values are updated in place');
    if (v.texture !== texture) deleteTexture(v.texture);
    v.texture = texture;
    v.host = null;
    v.cached = null;
    v.changedAt = this.store.mirrorGeneration; // mirrors up to this generation hold the value before this update
  }
}

export class GpujsStore {
  /** Device values read back to the CPU so far, and their bytes (what a step's residency is measured by). */
  downloads = 0;
  downloadedBytes = 0;
  /** Kept values restored from their mirrors (the device or its thread was lost). */
  restoredFromMirror = 0;
  /** Step-scoped values in creation order (the eviction order). */
  private readonly live = new Set<Values>();
  private liveBytes = 0;
  /** Kept values (mirrored at endStep when the runner can). */
  private readonly kept = new Set<Values>();
  /** Mirror generations asked for so far (one per endStep with kept values). */
  mirrorGeneration = 0;
  /** A holder the program dropped without releasing (a discarded tensor or optimizer) gives its reference back. */
  private readonly finalizer = new FinalizationRegistry<Values>((values) => this.unref(values));
  /**
   * Step-scoped holders not registered with the finalizer yet, and their values. A training loop's endStep frees
   * their values first, so registering each (a weak cell apiece, ~90 a LeNet-5 step, and the most costly part of
   * making a holder) waits until UNREGISTERED_MAX of them pass without an endStep (evaluation or code without steps);
   * from then until the next endStep each is registered as it is made.
   */
  private unregistered: GpujsDeviceData[] = [];
  private unregisteredValues: Values[] = [];
  private registerEach = false;

  constructor(
    readonly backend: string,
    private readonly budgetBytes = DEVICE_BUDGET_BYTES,
    private readonly mirroring: Pick<LaunchRunner, 'mirror' | 'mirroredGeneration' | 'keepsStateOnDevice'> | null = null,
  ) {}

  /** Step-scoped bytes on the device now (tests and the README's figures). */
  get residentBytes(): number {
    return this.liveBytes;
  }

  /** Wraps a kernel's output texture; may evict older step-scoped values (never `keep`s). */
  output(texture: GpujsTexture, length: number): GpujsDeviceData {
    const bytes = length * 4;
    if (this.liveBytes + bytes > this.budgetBytes) {
      for (const old of this.live) {
        if (this.liveBytes + bytes <= this.budgetBytes) break;
        old.host = old.download().values;
        this.forget(old);
        old.free();
      }
    }
    const values = new Values(this, texture, length, false);
    this.live.add(values);
    this.liveBytes += bytes;
    return this.holder(values);
  }

  /** A texture's values as a CPU array, counted as a download; the texture is freed. */
  take(texture: GpujsTexture, n: number): Float32Array {
    this.downloads++;
    this.downloadedBytes += n * 4;
    const values = exact(texture instanceof Float32Array ? texture : texture.toArray(), n, !(texture instanceof Float32Array));
    deleteTexture(texture);
    return values;
  }

  /** Wraps a texture that lives across steps (a parameter, an optimizer moment). */
  persistent(texture: GpujsTexture, length: number): GpujsDeviceData {
    const values = new Values(this, texture, length, true);
    this.kept.add(values);
    return this.holder(values);
  }

  /** Frees every step-scoped texture (see the lifetime rule above), and mirrors the kept ones where it can. */
  endStep(mirror = true): void {
    this.unregistered = [];
    this.unregisteredValues = [];
    this.registerEach = false;
    for (const v of this.live) {
      v.gone = true;
      v.free();
    }
    this.live.clear();
    this.liveBytes = 0;
    if (mirror) this.mirrorKept();
  }

  private mirrorKept(): void {
    const { mirror, keepsStateOnDevice } = this.mirroring ?? {};
    // A runner that takes no mirrors is not asked every step (nor given shadows: 8 bytes per kept float).
    if (!mirror || keepsStateOnDevice || this.kept.size === 0) return;
    const generation = this.mirrorGeneration + 1;
    const entries = [];
    for (const v of this.kept) {
      if (v.texture === null || v.texture instanceof Float32Array) continue;
      v.shadow ??= new Float32Array(new SharedArrayBuffer(8 * v.length));
      v.firstMirrored = Math.min(v.firstMirrored, generation);
      entries.push({ texture: v.texture, shadow: v.shadow, offset: (generation % 2) * v.length });
    }
    // A runner that knows its device is gone takes no more mirrors: the last good one stays the latest.
    if (mirror.call(this.mirroring, entries, generation)) this.mirrorGeneration = generation;
  }

  /**
   * Brings every kept value home from its mirror, where the last generation written whole copied it after its
   * last change and is the latest or the one before (the latest writes the other half; an older one's half may be
   * half-rewritten). Returns how many came home; those without such a mirror stay as they were.
   */
  restoreFromMirrors(): number {
    const done = this.mirroring?.mirroredGeneration?.call(this.mirroring) ?? 0;
    if (done < this.mirrorGeneration - 1) return 0;
    let restored = 0;
    for (const v of this.kept) {
      if (v.shadow === null || v.texture === null || done < v.firstMirrored || v.changedAt >= done) continue;
      const start = (done % 2) * v.length;
      v.host = v.shadow.slice(start, start + v.length);
      deleteTexture(v.texture);
      v.texture = null;
      v.cached = null;
      restored++;
    }
    this.restoredFromMirror += restored;
    return restored;
  }

  /** A new holder of `values` (see GpujsDeviceData.share). */
  holder(values: Values): GpujsDeviceData {
    values.refs++;
    const data = new GpujsDeviceData(this, values);
    if (values.persistent || this.registerEach) {
      this.finalizer.register(data, values, data);
      return data;
    }
    this.unregistered.push(data);
    this.unregisteredValues.push(values);
    if (this.unregistered.length >= UNREGISTERED_MAX) {
      this.unregistered.forEach((d, i) => {
        if (!d.released) this.finalizer.register(d, this.unregisteredValues[i], d);
      });
      this.unregistered = [];
      this.unregisteredValues = [];
      this.registerEach = true;
    }
    return data;
  }

  drop(data: GpujsDeviceData, values: Values): void {
    this.finalizer.unregister(data);
    this.unref(values);
  }

  private unref(values: Values): void {
    if (--values.refs > 0) return;
    this.forget(values);
    this.kept.delete(values);
    values.free();
  }

  private forget(values: Values): void {
    if (!this.live.delete(values)) return;
    this.liveBytes -= values.length * 4;
  }
}

/** A kernel input as a CPU array: a device value downloaded (without a copy: read only), anything else as it is. */
export function host<T>(x: T): T {
  return (x instanceof GpujsDeviceData ? x.peek() : x) as T;
}

/** A kernel argument: the texture for a device value, the array itself otherwise. */
export function arg(x: unknown): unknown {
  return x instanceof GpujsDeviceData ? x.handle : x;
}

/**
 * A kernel result as a Float32Array of exactly n elements that the caller owns. webasm hands back a fresh copy per
 * call; the GL backends may hand back a padded texture's worth or a buffer they reuse, so those are copied.
 */
export function exact(result: unknown, n: number, copy = true): Float32Array {
  if (result instanceof Float32Array && result.length === n && !copy) return result;
  if (result instanceof Float32Array) return result.slice(0, n);
  const flat = new Float32Array(n);
  const values = result as ArrayLike<number>;
  for (let i = 0; i < n; i++) flat[i] = values[i];
  return flat;
}
