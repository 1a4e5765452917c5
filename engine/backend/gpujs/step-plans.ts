/**
 * Step plans: the gpu.js worker (./remote-worker.ts) replays a training step as one gpu.js `createPipeline` plan.
 *
 * The engine stays eager. Its RemoteRunner sends everything between two reads as one batch (a *segment*): the
 * launches, uploads and frees of a training step, ended by the read of its loss. A segment is described by its
 * structure, its *signature*: each launch's source and size, and where each argument comes from (an earlier result
 * of the segment, a value from before it, an upload, a number, a small constant array). Numbers, uploads and the
 * values from before are arguments of the plan, so the learning rate, Adam's bias corrections, a dropout mask or
 * the batch change nothing; a different launch sequence is a different signature.
 *
 * Arrays are arguments too, even small ones (a batch's targets are 64 numbers): one per distinct content.
 *
 *   - The first time a signature is seen, the segment runs eagerly, launch by launch, and its results are watched:
 *     which ones later segments use (the new weights, the gradients, the logits that are read) and which ones they
 *     free unused (the activations, at the next endStep).
 *   - The next time, that is learned: the segment becomes a plan whose kernels are the segment's launches in order,
 *     and which returns only what was used later, plus what this segment reads or mirrors. It is recorded once and
 *     from then on replayed: on WebGPU, one command encoder, one submit and one mapAsync read; on webasm, one fused
 *     wasm program.
 *   - On WebGPU the plan is a *resident plan*: this file records it itself, on the pipelines and layouts gpu.js built
 *     for each kernel, so that what a step carries to the next (the weights, the optimizer's moments) stays on the
 *     device. Each result the plan returns has two buffers, written on alternate calls: call t reads the weights
 *     call t-1 left in one and writes the new ones to the other, with no copy at all. Only what the segment itself
 *     reads (the loss, the correct count) comes back, in one mapAsync; only the batch and changed numbers go up.
 *     (gpu.js's own fused encoder, `createPipeline`, takes plain arrays as arguments, so through it the whole state
 *     crossed the bus twice per step: 31 ms of copies per step for pytorch/examples' Net.) A value is brought to this thread only
 *     when something asks for it (a read, an eager kernel, a mirror), or when a call is about to write over a
 *     buffer that holds a value still wanted (counted: `evictions`; a training loop has none).
 *   - Elsewhere (webasm) the plan is gpu.js's `createPipeline`, and its carried results come back as arrays.
 *   - The engine never sees either: its ids stay valid.
 *
 * A result the plan did not return, that something later asks for after all (code that is not a training loop),
 * is computed again: the plan's arguments are immutable and kept until its dropped results are freed, so the
 * segment's launches run again, eagerly, up to that result; the signature then goes back to eager runs and is
 * learned again. A plan that cannot be built or run leaves its segment to the eager path, with the reason kept in
 * the worker's counts. Either way nothing is computed differently: the same kernels run on the same values.
 *
 * This is sent to the worker as source text with serveLaunches, so it must not refer to anything outside itself.
 */
import type { RemoteMessage, WireArg } from './remote-worker';

/**
 * Training steps before a repeated step runs as a plan, counted from a fresh model: the first ones differ (each
 * kernel's first launch is checked; Adam's first update writes its moments back once), the next is run eagerly and
 * watched, the one after builds the plan and brings the eager steps' device values home once.
 */
export const STEPS_BEFORE_PLANS = 6;

/** A worker's device value: a gpu.js buffer or texture, or an array (webasm, and every plan result). */
export type WorkerValue = Float32Array | { toArray(): unknown; delete?(): void };

/** What the worker counts (the bench reports them per step; tests assert them). */
export interface WorkerCounts {
  launches: number;
  /** Command buffers submitted (one per eager launch or read of a device value; one per plan call). */
  submits: number;
  /** Kernel dispatches (one per launch, eager or in a plan). */
  dispatches: number;
  /** Reads that waited for the device (mapAsync on WebGPU). */
  readbacks: number;
  plansBuilt: number;
  planCalls: number;
  /** Values a plan dropped that were asked for after all, and computed again. */
  restores: number;
  /** Why a signature was left to the eager path, one line each. */
  planFailures: string[];
  /**
   * The executor of each plan built: 'resident-encoder' (WebGPU, this file's), or gpu.js's ('fused-encoder',
   * 'fused-sync', 'generic'…), with the reason a faster one was declined.
   */
  executors: string[];
  /** Bytes written to the device and read back by plan calls (the batch up, the metrics down, in a training loop). */
  uploadBytes: number;
  readBytes: number;
  /** Resident values brought to this thread because a plan call was about to write over them (none in training). */
  evictions: number;
  /**
   * This thread's own time (ms) on the batches that ran as resident plans, from the message to the plan's
   * results, less the waits for the device: host work a GPU cannot overlap. (gpu.js's own executors copy and wait
   * inside one call, which cannot be told apart: their batches are not counted.)
   */
  planHostMs: number;
  /**
   * Segments recognised as the structure of an earlier one (step-plans.ts `recognise`) instead of described in full:
   * in a training loop, every step after the first of its shape.
   */
  recognised: number;
}

export interface PlannerContext {
  gpu: {
    createKernel(source: string, settings: object): unknown;
    createPipeline(fn: (...args: unknown[]) => unknown): PlanFn;
  };
  settings: Record<string, unknown>;
  /** Kernel sources by the id launches name them by. */
  sources: Map<number, string>;
  /** gpu.js's mode: 'webgpu' gets resident plans (unless `resident` is false). */
  mode: string;
  /** Keep WebGPU plans' results on the device (default); false uses gpu.js's fused encoder, arrays in and out. */
  resident?: boolean;
  values: Map<number, WorkerValue>;
  failed: Map<number, string>;
  counts: WorkerCounts;
  /** Runs one message the eager way (the worker's own handler). */
  eager(message: RemoteMessage): Promise<void>;
  /** Waits for a map without spinning a core (./device-wait.ts); absent: a plain await. */
  waitForDevice?: <T>(pending: Promise<T>) => Promise<T>;
}

export type PlanFn = ((...args: unknown[]) => Promise<unknown>) & { executorKind?: string; fallbackReason?: string | null; destroy?(): unknown };

export interface StepPlanner {
  /** Runs a segment's messages (launches, uploads, frees, mirrors; then any request), by plan where learned. */
  run(messages: RemoteMessage[]): Promise<void>;
  /** Computes again a value a plan left in its buffers (true), or false when it is not such a value. */
  restore(id: number): Promise<boolean>;
  destroy(): void;
}

/** The part of WebGPU a resident plan uses (Dawn's `webgpu` package and browsers give the same). */
interface GpuBuffer {
  size: number;
  destroy(): void;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
interface GpuComputePass {
  setPipeline(pipeline: unknown): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y: number, z: number): void;
  end(): void;
}
interface GpuDevice {
  createBuffer(descriptor: { size: number; usage: number }): GpuBuffer;
  createBindGroup(descriptor: { layout: unknown; entries: Array<{ binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }> }): unknown;
  createCommandEncoder(): {
    beginComputePass(): GpuComputePass;
    copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, target: GpuBuffer, targetOffset: number, size: number): void;
    finish(): unknown;
  };
  queue: { writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView): void; submit(commands: unknown[]): void };
}

/**
 * gpu.js 2.24's WebGPU kernel once `build()` has run: its compute pipeline, bind group layout and the layout of its
 * params uniform. gpu.js's own fused encoder (src/backend/web-gpu/pipeline-executor.js) encodes plans from the same
 * fields; a resident plan checks they are there and declines (to that encoder) when they are not.
 */
interface BuiltWebGpuKernel {
  constructor: { mode?: string };
  build(...args: unknown[]): Promise<void> | void;
  _device?: GpuDevice;
  computePipeline?: unknown;
  bindGroupLayout?: unknown;
  componentCount?: number;
  outputBuffer?: (GpuBuffer & { _refs?: number }) | null;
  paramsLayout?: {
    arrayArgs: Array<{ index: number; dimsOffset: number }>;
    scalarArgs: Array<{ index: number; offset: number; type: string }>;
    bufferConstants: Array<{ buffer: GpuBuffer }>;
    randomSeedOffset: number | null;
    byteLength: number;
  };
  _computeDispatch?(threadDim: number[]): { groups: number[]; dispatchWidth: number };
}

export function createStepPlanner(ctx: PlannerContext): StepPlanner {
  type Binding = { k: 'step'; pos: number } | { k: 'arg'; index: number };
  interface Op { pos: number; source: string; n: number; bind: Binding[] }
  interface Segment {
    signature: string;
    /** Result ids by position: launches and uploads (`isUpload`) in the order they came. */
    ids: number[];
    isUpload: boolean[];
    ops: Op[];
    /** The plan's arguments, in order: a value id, or a number, or an array taken from a launch. */
    args: Array<{ id: number } | { value: unknown }>;
    /** Positions this segment itself reads or mirrors. */
    selfUsed: Set<number>;
    frees: number[];
    /** `frees` as a set, made when first asked for (`freedIn`). */
    freed?: Set<number>;
    mirrors: RemoteMessage[];
    requests: RemoteMessage[];
    launches: number;
  }
  /**
   * A built plan: the positions it returns and their lengths, in the order of its results; run by gpu.js (`fn`) or
   * by this file (`resident`).
   */
  interface Plan { fn?: PlanFn; resident?: ResidentPlan; returned: number[]; kept: Set<number>; lengths: number[]; reported: boolean; declined?: string }
  /**
   * A plan result kept on the device: in `buffer` until a later call of its plan writes there (then `buffer` is
   * null), with `host` once it has been brought here. `live` until the engine frees it; `pins` while a recipe
   * (below) may still compute from it.
   */
  interface Resident { id: number; buffer: GpuBuffer | null; n: number; host: Float32Array | null; live: boolean; pins: number }
  /** One kernel launch of a resident plan. */
  interface Pass {
    pos: number;
    kernel: BuiltWebGpuKernel;
    /** The bindings of the kernel's array arguments, in its bind group's order. */
    inputs: Binding[];
    /** Its numbers: the plan argument, and the slot (u32 index) in the params uniform. */
    scalars: Array<{ arg: number; slot: number; type: string }>;
    seedSlot: number | null;
    /** Its params uniform: a 256-byte-aligned range of the plan's one params buffer, and its words here. */
    paramsOffset: number;
    paramsBytes: number;
    mirror: { u32: Uint32Array; i32: Int32Array; f32: Float32Array };
    constants: GpuBuffer[];
    groups: number[];
  }
  interface ResidentPlan {
    device: GpuDevice;
    passes: Pass[];
    /** Each launch's output by position: two buffers (alternate calls) for what the plan returns, one otherwise. */
    outs: GpuBuffer[][];
    /** Each launch's output length, by position. */
    sizes: number[];
    /** The length each array argument had when the plan was built (a call with another length is not this plan). */
    argLengths: Array<number | null>;
    /**
     * Every pass's params uniform in one buffer, so that a call writes what changed with one writeBuffer (Adam's
     * bias corrections change in 18 passes of a LeNet step); `mirror` is its content here, `sent` what the device has.
     */
    params: GpuBuffer;
    mirror: Uint32Array;
    sent: Uint32Array;
    /** A buffer per array argument that comes from this thread, and what it last held. */
    uploads: Map<number, { buffer: GpuBuffer; last: Float32Array | null }>;
    /**
     * Every pass's bind group, by the call's parity and the buffers its array arguments are in (in argument order):
     * a training loop has two sets, one per parity, made once.
     */
    bindGroups: Array<{ parity: number; buffers: GpuBuffer[]; groups: unknown[] }>;
    /** Staging buffers by the set of positions read (a training loop has one). */
    staging: Map<string, { buffer: GpuBuffer; offsets: number[]; bytes: number }>;
    calls: number;
  }
  /** What became of an eagerly run segment's results in the segments after it. */
  interface Watch { used: Set<number>; freed: Set<number> }

  const plans = new Map<string, Plan>();
  const learning = new Map<string, Watch>();
  const watched = new Map<number, { watch: Watch; pos: number }>();
  /** A plan call whose results were not all returned: what recomputes them (its arguments, held until then). */
  interface Recipe { seg: Segment; args: unknown[]; pending: Set<number>; pinned: boolean }
  const residents = new Map<number, Resident>();
  /** Who lives in each plan buffer: the call that writes there next must not lose a value still wanted. */
  const occupants = new Map<GpuBuffer, Resident>();
  const residentKernels = new Map<string, BuiltWebGpuKernel>();
  let device: GpuDevice | null = null;
  const droppedIds = new Map<number, Recipe>();
  const refused = new Set<string>();
  const kernels = new Map<string, unknown>();

  const isRequest = (m: RemoteMessage): boolean => 'ticket' in m;
  const freedIn = (seg: Segment): Set<number> => (seg.freed ??= new Set(seg.frees));

  /** A gpu.js result as a Float32Array of `n` values (`n` omitted: all of them). */
  const floats = (raw: unknown, n?: number): Float32Array => {
    const values = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
    return n === undefined || values.length === n ? values : values.slice(0, n);
  };

  /**
   * Forgets a signature's plan (it failed, or guessed wrong) and frees its buffers; the values still wanted that
   * live in them come to this thread first.
   */
  const dropPlan = async (signature: string): Promise<void> => {
    const plan = plans.get(signature);
    plans.delete(signature);
    plan?.fn?.destroy?.();
    if (plan?.resident) {
      const held = plan.resident.outs.flat().map((buffer) => occupants.get(buffer)).filter((r): r is Resident => r !== undefined);
      try {
        await materialize(held.filter((r) => r.live || r.pins > 0));
      } finally {
        held.forEach(leave);
        destroyResident(plan.resident);
      }
    }
  };

  /**
   * How each launch argument of a described segment was bound, so that the next segment of the same structure is
   * recognised without rebuilding its signature (`recognise`): a number (always an argument of its own), a small
   * array (bound by its content: its key, and the array, to tell an unchanged one without joining it again), a
   * large one (by identity), a value from before the segment or an upload (by id), or a result of the segment
   * itself. `first` where the argument first appears, `index` its place among the plan's arguments.
   */
  type Rec =
    | { k: 'n' }
    | { k: 'c'; values: Float32Array; key: string; index: number; first: boolean }
    | { k: 'a'; length: number; index: number; first: boolean }
    | { k: 'e' | 'u'; pos: number; index: number; first: boolean }
    | { k: 'r'; pos: number };
  /** A described segment's structure, message by message; what every segment of that structure shares. */
  interface Shape {
    types: string[];
    launches: Array<{ source: number; n: number; recs: Rec[] } | null>;
    uploads: number[];
    signature: string;
    isUpload: boolean[];
    ops: Op[];
    count: number;
  }
  /** The last structure described, by message count (a training loop has its step, its evaluation, its short batch). */
  const shapes = new Map<number, Shape>();

  /** A new segment's per-message parts (ids, frees, mirrors, requests) from the messages that are not launches. */
  const note = (seg: Segment, m: RemoteMessage, local: Map<number, number>): void => {
    if (m.t === 'free') seg.frees.push(m.id);
    else if (m.t === 'mirror') {
      seg.mirrors.push(m);
      for (const e of m.entries) if (local.has(e.id)) seg.selfUsed.add(local.get(e.id)!);
    } else if (isRequest(m)) {
      seg.requests.push(m);
      if ((m.t === 'read' || m.t === 'check') && local.has(m.id)) seg.selfUsed.add(local.get(m.id)!);
    }
  };

  /** Reads the messages into a segment: its signature, ops and plan arguments. */
  const describe = (messages: RemoteMessage[]): Segment => {
    const local = new Map<number, number>();
    const argIndex = new Map<string, number>();
    const large = new Map<Float32Array, string>();
    const seg: Segment = { signature: '', ids: [], isUpload: [], ops: [], args: [], selfUsed: new Set(), frees: [], mirrors: [], requests: [], launches: 0 };
    const shape: Shape = { types: [], launches: [], uploads: [], signature: '', isUpload: seg.isUpload, ops: seg.ops, count: 0 };
    const parts: string[] = [];
    const argFor = (key: string, value: { id: number } | { value: unknown }): { index: number; first: boolean } => {
      let index = argIndex.get(key);
      if (index !== undefined) return { index, first: false };
      index = seg.args.length;
      argIndex.set(key, index);
      seg.args.push(value);
      return { index, first: true };
    };
    const bindOf = (a: WireArg, where: string): [Binding, string, Rec] => {
      if (typeof a === 'number') return [{ k: 'arg', index: argFor(`n${where}`, { value: a }).index }, 'f', { k: 'n' }];
      if (a instanceof Float32Array) {
        // Small constant arrays (offsets, geometry) recur in many launches: one argument per distinct content. A
        // large one (the batch, which conv's forward and its weight gradient both take) is one argument per array:
        // a message keeps the identity of an array it carries twice.
        const small = a.length <= 256;
        let key = small ? `c${Array.prototype.join.call(a, ',')}` : large.get(a);
        if (key === undefined) large.set(a, (key = `a${where}`));
        const { index, first } = argFor(key, { value: a });
        const rec: Rec = small ? { k: 'c', values: a, key, index, first } : { k: 'a', length: a.length, index, first };
        return [{ k: 'arg', index }, `A${a.length}:${index}`, rec];
      }
      const pos = local.get(a.ref);
      if (pos === undefined) {
        const { index, first } = argFor(`e${a.ref}`, { id: a.ref });
        return [{ k: 'arg', index }, `e${index}`, { k: 'e', pos: -1, index, first }];
      }
      if (seg.isUpload[pos]) {
        const { index, first } = argFor(`e${a.ref}`, { id: a.ref });
        return [{ k: 'arg', index }, `u${pos}`, { k: 'u', pos, index, first }];
      }
      return [{ k: 'step', pos }, `r${pos}`, { k: 'r', pos }];
    };
    messages.forEach((m) => {
      shape.types.push(m.t);
      shape.launches.push(null);
      shape.uploads.push(-1);
      if (m.t === 'launch') {
        const pos = seg.ids.length;
        const bind: Binding[] = [];
        const kinds: string[] = [];
        const recs: Rec[] = [];
        m.args.forEach((a, j) => {
          const [b, kind, rec] = bindOf(a, `${pos}.${j}`);
          bind.push(b);
          kinds.push(kind);
          recs.push(rec);
        });
        parts.push(`L${m.source}:${m.n}(${kinds.join(' ')})`);
        shape.launches[shape.launches.length - 1] = { source: m.source, n: m.n, recs };
        seg.ops.push({ pos, source: ctx.sources.get(m.source) ?? '', n: m.n, bind });
        local.set(m.id, pos);
        seg.ids.push(m.id);
        seg.isUpload.push(false);
        seg.launches++;
      } else if (m.t === 'upload') {
        parts.push(`U${m.values.length}`);
        shape.uploads[shape.uploads.length - 1] = m.values.length;
        local.set(m.id, seg.ids.length);
        seg.ids.push(m.id);
        seg.isUpload.push(true);
      } else note(seg, m, local);
    });
    seg.signature = parts.join(';');
    shape.signature = seg.signature;
    shape.count = seg.launches;
    if (shapes.size >= 16) shapes.clear();
    shapes.set(messages.length, shape);
    return seg;
  };

  /**
   * The segment of messages whose structure is the shape's, or null: what describe would give them, without
   * building their signature (a LeNet step joins 75 launches' argument kinds, and every small array's contents).
   * Each argument must be bound as the shape's was: a number where a number was; a small array (by its content),
   * a large array (by identity) or a value by id that is the first of its kind where the shape's was, and the same
   * as the same earlier argument where the shape's was; a result of the segment from the same position. A small
   * array with the same bits as the shape's has the shape's key; only one that changed (a batch's targets) is
   * joined. Anything else is not this structure, and describe reads it in full.
   */
  const recognise = (messages: RemoteMessage[], shape: Shape): Segment | null => {
    const seg: Segment = {
      signature: shape.signature, ids: [], isUpload: shape.isUpload, ops: shape.ops, args: [], selfUsed: new Set(),
      frees: [], mirrors: [], requests: [], launches: shape.count,
    };
    const local = new Map<number, number>();
    const byId = new Map<number, number>();
    const byArray = new Map<Float32Array, number>();
    const byContent = new Map<string, number>();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m.t !== shape.types[i]) return null;
      if (m.t === 'launch') {
        const launch = shape.launches[i]!;
        if (m.source !== launch.source || m.n !== launch.n || m.args.length !== launch.recs.length) return null;
        for (let j = 0; j < m.args.length; j++) {
          const a = m.args[j];
          const rec = launch.recs[j];
          if (typeof a === 'number') {
            if (rec.k !== 'n') return null;
            seg.args.push({ value: a });
          } else if (a instanceof Float32Array) {
            if (rec.k === 'c') {
              if (a.length !== rec.values.length) return null;
              const key = sameBits(a, rec.values) ? rec.key : `c${Array.prototype.join.call(a, ',')}`;
              const known = byContent.get(key);
              if (rec.first ? known !== undefined || rec.index !== seg.args.length : known !== rec.index) return null;
              if (rec.first) {
                byContent.set(key, rec.index);
                seg.args.push({ value: a });
              }
            } else if (rec.k === 'a') {
              if (a.length !== rec.length) return null;
              const known = byArray.get(a);
              if (rec.first ? known !== undefined || rec.index !== seg.args.length : known !== rec.index) return null;
              if (rec.first) {
                byArray.set(a, rec.index);
                seg.args.push({ value: a });
              }
            } else return null;
          } else {
            const pos = local.get(a.ref);
            if (rec.k === 'r') {
              if (pos !== rec.pos || shape.isUpload[pos]) return null;
            } else if (rec.k === 'e' || rec.k === 'u') {
              if (rec.k === 'e' ? pos !== undefined : pos !== rec.pos || !shape.isUpload[pos]) return null;
              const known = byId.get(a.ref);
              if (rec.first ? known !== undefined || rec.index !== seg.args.length : known !== rec.index) return null;
              if (rec.first) {
                byId.set(a.ref, rec.index);
                seg.args.push({ id: a.ref });
              }
            } else return null;
          }
        }
        local.set(m.id, seg.ids.length);
        seg.ids.push(m.id);
      } else if (m.t === 'upload') {
        if (m.values.length !== shape.uploads[i]) return null;
        local.set(m.id, seg.ids.length);
        seg.ids.push(m.id);
      } else note(seg, m, local);
    }
    ctx.counts.recognised++;
    return seg;
  };

  /** Marks what this segment does with earlier segments' results (used, or freed unused). */
  const observe = (messages: RemoteMessage[]): void => {
    const use = (id: number): void => {
      const w = watched.get(id);
      if (w) w.watch.used.add(w.pos);
    };
    for (const m of messages) {
      if (m.t === 'free') {
        const recipe = droppedIds.get(m.id);
        if (recipe) {
          recipe.pending.delete(m.id);
          droppedIds.delete(m.id);
          settle(recipe);
        }
        const w = watched.get(m.id);
        if (w) {
          w.watch.freed.add(w.pos);
          watched.delete(m.id);
        }
      } else if (watched.size === 0) continue; // nothing is being learned (every step once its plan is built)
      else if (m.t === 'launch') for (const a of m.args) { if (typeof a === 'object' && !(a instanceof Float32Array)) use(a.ref); }
      else if (m.t === 'read' || m.t === 'check') use(m.id);
      else if (m.t === 'mirror') m.entries.forEach((e) => use(e.id));
    }
  };

  const kernelFor = (source: string, n: number): unknown => {
    // One kernel per output size: a plan kernel's output is fixed when gpu.js records it.
    const key = `${n}\n${source}`;
    let k = kernels.get(key);
    if (!k) {
      k = ctx.gpu.createKernel(source, { ...ctx.settings, output: [n] });
      kernels.set(key, k);
    }
    return k;
  };

  // WebGPU's flags, as numbers: GPUBufferUsage is not a global everywhere this program runs.
  const MAP_READ = 0x1;
  const COPY_SRC = 0x4;
  const COPY_DST = 0x8;
  const UNIFORM = 0x40;
  const STORAGE = 0x80;
  const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;
  const now = (): number => (globalThis as unknown as { performance: { now(): number } }).performance.now();
  const isResident = (value: unknown): value is Resident => typeof value === 'object' && value !== null && 'pins' in value;
  /**
   * Bit for bit (so -0 and 0 differ, and NaN equals itself), for the short arrays a call may send again. Compared
   * as numbers, with no views made (a LeNet step compares a hundred arrays): equal numbers have equal bits but for
   * 0 and -0, which their reciprocals tell apart, and different numbers differ; only two NaNs, whose payloads a
   * read need not keep, are compared as bits.
   */
  const sameBits = (a: Float32Array, b: Float32Array): boolean => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) {
        if (x === 0 && 1 / x !== 1 / y) return false;
      } else if (x === x || y === y) return false;
      else if (new Uint32Array(a.buffer, a.byteOffset + 4 * i, 1)[0] !== new Uint32Array(b.buffer, b.byteOffset + 4 * i, 1)[0]) return false;
    }
    return true;
  };

  /** Time this thread spent waiting for the device (the rest of a plan call's time is its own work). */
  let waitedMs = 0;
  const waitFor = async (done: Promise<void>): Promise<void> => {
    const started = now();
    await (ctx.waitForDevice ? ctx.waitForDevice(done) : done);
    waitedMs += now() - started;
  };

  /** Brings residents' values to this thread, all in one submit and one read; live ones are then in `values`. */
  const materialize = async (list: Resident[]): Promise<void> => {
    const todo = list.filter((r) => r.host === null && r.buffer !== null);
    if (todo.length === 0 || !device) return;
    let bytes = 0;
    const offsets = todo.map((r) => {
      const at = bytes;
      bytes += align16(r.n * 4);
      return at;
    });
    const staging = device.createBuffer({ size: Math.max(bytes, 16), usage: MAP_READ | COPY_DST });
    try {
      const encoder = device.createCommandEncoder();
      todo.forEach((r, i) => r.n > 0 && encoder.copyBufferToBuffer(r.buffer!, 0, staging, offsets[i], r.n * 4));
      device.queue.submit([encoder.finish()]);
      await waitFor(staging.mapAsync(MAP_READ));
      const mapped = staging.getMappedRange();
      todo.forEach((r, i) => {
        r.host = new Float32Array(mapped.slice(offsets[i], offsets[i] + r.n * 4));
        if (r.live) ctx.values.set(r.id, r.host);
      });
      staging.unmap();
    } finally {
      staging.destroy();
    }
    ctx.counts.submits++;
    ctx.counts.readbacks++;
    ctx.counts.readBytes += bytes;
  };

  /** A resident loses its buffer (a call is about to write there): from now on it is its host copy, if anything. */
  const leave = (r: Resident): void => {
    if (r.buffer) occupants.delete(r.buffer);
    r.buffer = null;
    if (residents.get(r.id) === r) residents.delete(r.id);
  };

  /** A recipe whose dropped results are all freed (or computed again) no longer holds its arguments. */
  const settle = (recipe: Recipe): void => {
    if (recipe.pending.size > 0 || !recipe.pinned) return;
    recipe.pinned = false;
    for (const a of recipe.args) if (isResident(a)) a.pins--;
  };

  const destroyResident = (rp: ResidentPlan): void => {
    for (const buffer of rp.outs.flat()) buffer.destroy();
    for (const slot of rp.uploads.values()) slot.buffer.destroy();
    for (const stage of rp.staging.values()) stage.buffer.destroy();
    rp.params.destroy();
  };

  /** Records a resident plan: each launch's WebGPU kernel built by gpu.js for its arguments' kinds and sizes. */
  const buildResident = async (seg: Segment, returned: number[]): Promise<ResidentPlan> => {
    const sample: unknown[] = [];
    for (const a of seg.args) sample.push('id' in a ? (residents.get(a.id) ?? (await asArray(a.id))) : a.value);
    const argLengths = sample.map((v) => (v instanceof Float32Array ? v.length : isResident(v) ? v.n : null));
    const sizes: number[] = [];
    for (const op of seg.ops) sizes[op.pos] = op.n;
    const keep = new Set(returned);
    const passes: Pass[] = [];
    const outs: GpuBuffer[][] = [];
    const made: GpuBuffer[] = [];
    let paramsBytes = 0;
    let dev = device;
    try {
      for (const op of seg.ops) {
        const isArray = (b: Binding): boolean => b.k === 'step' || argLengths[b.index] !== null;
        const key = `${op.n}\n${op.bind.map((b) => (isArray(b) ? 'a' : 'f')).join('')}\n${op.source}`;
        let kernel = residentKernels.get(key);
        if (!kernel) {
          const shortcut = ctx.gpu.createKernel(op.source, { ...ctx.settings, output: [op.n] }) as { kernel?: BuiltWebGpuKernel };
          const built = shortcut.kernel;
          if (!built || built.constructor.mode !== 'webgpu') throw new Error(`gpu.js made a ${built?.constructor.mode ?? 'missing'} kernel, not a WebGPU one`);
          // Stand-ins of the kinds and sizes the calls will bind: the build depends on them, not on their values.
          await built.build(...op.bind.map((b) => (b.k === 'step' ? new Float32Array(sizes[b.pos]) : isArray(b) ? new Float32Array(argLengths[b.index]!) : sample[b.index])));
          if (!built._device || !built.computePipeline || !built.bindGroupLayout || !built.paramsLayout || !built._computeDispatch) {
            throw new Error("this gpu.js does not expose a built WebGPU kernel's pipeline and layout");
          }
          if (built.componentCount !== 1) throw new Error('a kernel returning vectors cannot be a step of a resident plan');
          // The plan writes buffers of its own; the output buffer build() made would only hold memory.
          const own = built.outputBuffer;
          if (own && (own._refs === undefined || --own._refs === 0)) own.destroy();
          built.outputBuffer = null;
          residentKernels.set(key, (kernel = built));
        }
        dev = kernel._device!;
        const layout = kernel.paramsLayout!;
        const paramsOffset = paramsBytes;
        // Uniform bindings start at multiples of minUniformBufferOffsetAlignment, 256 bytes by default.
        paramsBytes += Math.ceil(layout.byteLength / 256) * 256;
        const raw = new ArrayBuffer(layout.byteLength);
        const mirror = { u32: new Uint32Array(raw), i32: new Int32Array(raw), f32: new Float32Array(raw) };
        const { groups, dispatchWidth } = kernel._computeDispatch!([op.n, 1, 1]);
        // The params uniform: the output's size and the dispatch's row width, each array's size, then the numbers.
        mirror.u32.set([op.n, 1, 1, dispatchWidth], 0);
        const inputs = layout.arrayArgs.map((record) => {
          const b = op.bind[record.index];
          const n = b.k === 'step' ? sizes[b.pos] : argLengths[b.index]!;
          mirror.u32.set([n, 1, 1, n], record.dimsOffset / 4);
          return b;
        });
        const scalars = layout.scalarArgs.map((record) => {
          const b = op.bind[record.index];
          if (b.k !== 'arg') throw new Error("a launch's result cannot be a number argument");
          return { arg: b.index, slot: record.offset / 4, type: record.type };
        });
        passes.push({
          pos: op.pos, kernel, inputs, scalars, paramsOffset, paramsBytes: layout.byteLength, mirror, groups,
          seedSlot: layout.randomSeedOffset === null ? null : layout.randomSeedOffset / 4,
          constants: layout.bufferConstants.map((c) => c.buffer),
        });
        const out = (): GpuBuffer => {
          const buffer = dev!.createBuffer({ size: Math.max(op.n * 4, 4), usage: STORAGE | COPY_SRC | COPY_DST });
          made.push(buffer);
          return buffer;
        };
        outs[op.pos] = keep.has(op.pos) ? [out(), out()] : [out()];
      }
    } catch (error) {
      made.forEach((buffer) => buffer.destroy());
      throw error;
    }
    device = dev;
    // Each pass's words become a view of the one params mirror, which the first call writes whole.
    const mirror = new Uint32Array(paramsBytes / 4);
    for (const pass of passes) {
      mirror.set(pass.mirror.u32, pass.paramsOffset / 4);
      const words = mirror.buffer;
      const at = pass.paramsOffset;
      const count = pass.paramsBytes / 4;
      pass.mirror = { u32: new Uint32Array(words, at, count), i32: new Int32Array(words, at, count), f32: new Float32Array(words, at, count) };
    }
    const params = dev!.createBuffer({ size: Math.max(paramsBytes, 16), usage: UNIFORM | COPY_DST });
    return {
      device: dev!, passes, outs, sizes, argLengths, params, mirror, sent: new Uint32Array(mirror.length),
      uploads: new Map(), bindGroups: [], staging: new Map(), calls: 0,
    };
  };

  /** The buffer an array argument from this thread goes to; written only when it changed since the last call. */
  const upload = (rp: ResidentPlan, index: number, values: Float32Array): GpuBuffer => {
    let slot = rp.uploads.get(index);
    if (!slot) {
      slot = { buffer: rp.device.createBuffer({ size: Math.max(values.length * 4, 4), usage: STORAGE | COPY_DST }), last: null };
      rp.uploads.set(index, slot);
    }
    const same = slot.last === values || (slot.last !== null && values.length <= 256 && sameBits(slot.last, values));
    if (!same && values.length > 0) {
      rp.device.queue.writeBuffer(slot.buffer, 0, values);
      ctx.counts.uploadBytes += values.byteLength;
    }
    slot.last = values;
    return slot.buffer;
  };

  /**
   * One call of a resident plan: one command encoder, one compute pass, one submit, and one read of what this
   * segment itself reads. Returns the call's arguments (numbers, arrays, residents) for its recipe.
   */
  const runResident = async (seg: Segment, plan: Plan): Promise<unknown[]> => {
    const rp = plan.resident!;
    const parity = rp.calls % 2;
    const outOf = (pos: number): GpuBuffer => {
      const pair = rp.outs[pos];
      return pair.length === 2 ? pair[parity] : pair[0];
    };
    // This call writes over the results of the call before last. One of them still wanted (used by this segment,
    // not freed, or held by a recipe) is brought to this thread first.
    // (What this segment uses is only looked for when a live value it frees is leaving: in a training loop, none.)
    const leaving: Resident[] = [];
    for (const pos of plan.returned) {
      const r = occupants.get(outOf(pos));
      if (r !== undefined) leaving.push(r);
    }
    let needed: Set<number> | null = null;
    const usedHere = (id: number): boolean => {
      if (needed === null) {
        needed = new Set<number>();
        for (const a of seg.args) if ('id' in a) needed.add(a.id);
        for (const m of seg.mirrors) if (m.t === 'mirror') m.entries.forEach((e) => needed!.add(e.id));
        for (const m of seg.requests) if (m.t === 'read') needed.add(m.id);
      }
      return needed.has(id);
    };
    const wanted = leaving.filter((r) => r.pins > 0 || (r.live && (!freedIn(seg).has(r.id) || usedHere(r.id))));
    const evicted = wanted.filter((r) => r.host === null).length;
    if (evicted > 0) {
      ctx.counts.evictions += evicted;
      await materialize(wanted);
    }
    leaving.forEach(leave);

    const args: unknown[] = [];
    const bound: Array<GpuBuffer | number> = [];
    for (let i = 0; i < seg.args.length; i++) {
      const a = seg.args[i];
      const value = 'id' in a ? (residents.get(a.id) ?? (await asArray(a.id))) : a.value;
      const n = value instanceof Float32Array ? value.length : isResident(value) ? value.n : null;
      if (n !== rp.argLengths[i]) throw new Error(`plan argument ${i} has ${n ?? 'a number, not'} values, where the plan was built for ${rp.argLengths[i] ?? 'a number'}`);
      bound.push(isResident(value) ? value.buffer! : value instanceof Float32Array ? upload(rp, i, value) : (value as number));
      args.push(value);
    }
    // One write from the first changed word to the last (a training step: the optimizer's few passes). Only these
    // words change after the first call (which writes them all), so the range is found as they are written.
    let first = rp.calls === 0 ? 0 : rp.mirror.length;
    let last = rp.calls === 0 ? rp.mirror.length - 1 : -1;
    const sent = rp.sent;
    for (const pass of rp.passes) {
      const { u32, i32, f32 } = pass.mirror;
      const base = pass.paramsOffset / 4;
      for (const { arg, slot, type } of pass.scalars) {
        const value = bound[arg] as number;
        if (type === 'Integer') i32[slot] = value | 0;
        else if (type === 'Boolean') u32[slot] = value ? 1 : 0;
        else f32[slot] = value;
        if (u32[slot] !== sent[base + slot]) {
          if (base + slot < first) first = base + slot;
          if (base + slot > last) last = base + slot;
        }
      }
      // A kernel that draws its own random numbers gets a fresh seed per call, as gpu.js gives it per run.
      if (pass.seedSlot !== null) {
        const slot = pass.seedSlot;
        u32[slot] = (Math.random() * 0x100000000) >>> 0;
        if (u32[slot] !== sent[base + slot]) {
          if (base + slot < first) first = base + slot;
          if (base + slot > last) last = base + slot;
        }
      }
    }
    if (first <= last) {
      rp.device.queue.writeBuffer(rp.params, first * 4, rp.mirror.subarray(first, last + 1));
      rp.sent.set(rp.mirror.subarray(first, last + 1), first);
      ctx.counts.uploadBytes += (last + 1 - first) * 4;
    }

    const same = (set: { parity: number; buffers: GpuBuffer[] }): boolean => {
      if (set.parity !== parity) return false;
      let k = 0;
      for (const b of bound) if (typeof b !== 'number' && set.buffers[k++] !== b) return false;
      return k === set.buffers.length;
    };
    let groups = rp.bindGroups.find(same)?.groups;
    if (groups === undefined) {
      if (rp.bindGroups.length >= 4) rp.bindGroups.length = 0;
      groups = rp.passes.map((pass) => {
        const buffers = pass.inputs.map((b) => (b.k === 'step' ? outOf(b.pos) : (bound[b.index] as GpuBuffer)));
        const entries: Array<{ binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }> = [
          { binding: 0, resource: { buffer: rp.params, offset: pass.paramsOffset, size: pass.paramsBytes } },
          ...[...buffers, outOf(pass.pos), ...pass.constants].map((buffer, j) => ({ binding: 1 + j, resource: { buffer } })),
        ];
        return rp.device.createBindGroup({ layout: pass.kernel.bindGroupLayout, entries });
      });
      rp.bindGroups.push({ parity, buffers: bound.filter((b): b is GpuBuffer => typeof b !== 'number'), groups });
    }
    const encoder = rp.device.createCommandEncoder();
    const compute = encoder.beginComputePass();
    // A pass of the same kernel as the one before keeps its pipeline (a third of a LeNet step's passes).
    let pipeline: unknown = null;
    rp.passes.forEach((pass, i) => {
      if (pass.kernel.computePipeline !== pipeline) compute.setPipeline((pipeline = pass.kernel.computePipeline));
      compute.setBindGroup(0, groups[i]);
      compute.dispatchWorkgroups(pass.groups[0], pass.groups[1], pass.groups[2]);
    });
    compute.end();
    const reads = plan.returned.filter((pos) => seg.selfUsed.has(pos));
    let stage: { buffer: GpuBuffer; offsets: number[]; bytes: number } | undefined;
    if (reads.length > 0) {
      const key = reads.join(',');
      stage = rp.staging.get(key);
      if (!stage) {
        let bytes = 0;
        const offsets = reads.map((pos) => {
          const at = bytes;
          bytes += align16(rp.sizes[pos] * 4);
          return at;
        });
        stage = { buffer: rp.device.createBuffer({ size: Math.max(bytes, 16), usage: MAP_READ | COPY_DST }), offsets, bytes };
        rp.staging.set(key, stage);
      }
      reads.forEach((pos, i) => rp.sizes[pos] > 0 && encoder.copyBufferToBuffer(outOf(pos), 0, stage!.buffer, stage!.offsets[i], rp.sizes[pos] * 4));
    }
    rp.device.queue.submit([encoder.finish()]);
    rp.calls++;
    ctx.counts.submits++;
    const host = new Map<number, Float32Array>();
    if (stage) {
      await waitFor(stage.buffer.mapAsync(MAP_READ));
      const mapped = stage.buffer.getMappedRange();
      reads.forEach((pos, i) => host.set(pos, new Float32Array(mapped.slice(stage!.offsets[i], stage!.offsets[i] + rp.sizes[pos] * 4))));
      stage.buffer.unmap();
      ctx.counts.readbacks++;
      ctx.counts.readBytes += stage.bytes;
    }
    for (const pos of plan.returned) {
      const id = seg.ids[pos];
      const r: Resident = { id, buffer: outOf(pos), n: rp.sizes[pos], host: host.get(pos) ?? null, live: true, pins: 0 };
      residents.set(id, r);
      occupants.set(r.buffer!, r);
      if (r.host) ctx.values.set(id, r.host);
    }
    return args;
  };

  const build = async (seg: Segment, watch: Watch): Promise<Plan> => {
    const returned: number[] = [];
    for (let pos = 0; pos < seg.ids.length; pos++) {
      if (seg.isUpload[pos]) continue;
      if (watch.used.has(pos) || !watch.freed.has(pos) || seg.selfUsed.has(pos)) returned.push(pos);
    }
    const lengths = returned.map((pos) => seg.ops.find((op) => op.pos === pos)!.n);
    let declined: string | undefined;
    if (ctx.mode === 'webgpu' && ctx.resident !== false) {
      try {
        return { resident: await buildResident(seg, returned), returned, kept: new Set(returned), lengths, reported: false };
      } catch (error) {
        declined = `a resident plan was declined: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
      }
    }
    const ops = seg.ops.map((op) => ({ ...op, kernel: kernelFor(op.source, op.n) as (...a: unknown[]) => unknown }));
    // gpu.js counts a plan's arguments by the orchestration function's declared parameters, so it gets exactly
    // as many as this segment has; it records the kernel calls, and their outputs are opaque handles it tracks.
    const record = (args: unknown[]): unknown[] => {
      const h: unknown[] = [];
      for (const op of ops) {
        const actual = op.bind.map((b) => (b.k === 'step' ? h[b.pos] : args[b.index]));
        h[op.pos] = op.kernel(...actual);
      }
      return returned.map((pos) => h[pos]);
    };
    const names = seg.args.map((_, i) => `a${i}`);
    const orchestrate = new Function('record', `return function (${names.join(', ')}) { return record([${names.join(', ')}]); };`)(record);
    return { fn: ctx.gpu.createPipeline(orchestrate), returned, kept: new Set(returned), lengths, reported: false, declined };
  };

  /** A value as an array on this thread (a device buffer from an eager launch, or a resident, comes here once). */
  const asArray = async (id: number): Promise<Float32Array> => {
    const r = residents.get(id);
    if (r) {
      await materialize([r]);
      return r.host!;
    }
    const v = ctx.values.get(id);
    if (v === undefined) throw new Error(ctx.failed.get(id) ?? `device value ${id} was freed before a kernel read it`);
    if (v instanceof Float32Array) return v;
    const values = floats(await v.toArray());
    ctx.counts.readbacks++;
    ctx.counts.submits++;
    v.delete?.();
    ctx.values.set(id, values);
    return values;
  };

  /** One call of gpu.js's plan: arrays in, arrays out. Returns the call's arguments for its recipe. */
  const runPipeline = async (seg: Segment, plan: Plan): Promise<unknown[]> => {
    const args: unknown[] = [];
    for (const a of seg.args) args.push('id' in a ? await asArray(a.id) : a.value);
    const results = (await plan.fn!(...args)) as unknown[];
    ctx.counts.submits++;
    if (plan.returned.length > 0) ctx.counts.readbacks++;
    // gpu.js's fused encoder writes every array argument each call, and reads back every result.
    for (const a of args) if (a instanceof Float32Array) ctx.counts.uploadBytes += a.byteLength;
    for (const n of plan.lengths) ctx.counts.readBytes += 4 * n;
    plan.returned.forEach((pos, i) => ctx.values.set(seg.ids[pos], floats(results[i], plan.lengths[i])));
    return args;
  };

  const runPlan = async (seg: Segment, plan: Plan): Promise<void> => {
    const args = plan.resident ? await runResident(seg, plan) : await runPipeline(seg, plan);
    ctx.counts.dispatches += seg.launches;
    ctx.counts.launches += seg.launches;
    ctx.counts.planCalls++;
    const { kept } = plan;
    const freedHere = freedIn(seg);
    const recipe: Recipe = { seg, args, pending: new Set(), pinned: false };
    seg.ids.forEach((id, pos) => {
      if (seg.isUpload[pos] || kept.has(pos) || freedHere.has(id)) return;
      recipe.pending.add(id);
      droppedIds.set(id, recipe);
    });
    if (recipe.pending.size > 0) {
      // Its resident arguments must outlive the call that would write over them, until the recipe is settled.
      recipe.pinned = true;
      for (const a of args) if (isResident(a)) a.pins++;
    }
  };

  const runEagerly = async (seg: Segment, messages: RemoteMessage[]): Promise<void> => {
    for (const m of messages) if (!isRequest(m)) await ctx.eager(m);
    // Watch what later segments do with this one's results, to learn what its plan must return.
    const watch: Watch = { used: new Set(seg.selfUsed), freed: new Set() };
    const freedHere = new Set(seg.frees);
    seg.ids.forEach((id, pos) => {
      if (freedHere.has(id)) watch.freed.add(pos);
      else watched.set(id, { watch, pos });
    });
    learning.set(seg.signature, watch);
  };

  /** Runs a dropped value's segment again, eagerly, up to it (and keeps what else it recomputes and is wanted). */
  const restore = async (id: number): Promise<boolean> => {
    const r = residents.get(id);
    if (r) {
      await materialize([r]);
      return true;
    }
    const recipe = droppedIds.get(id);
    if (!recipe) return false;
    const { seg } = recipe;
    // The plan guessed wrong: its signature goes back to eager runs, where what is used later is seen again.
    await dropPlan(seg.signature);
    learning.delete(seg.signature);
    ctx.counts.restores++;
    const args: unknown[] = [];
    for (const a of recipe.args) {
      if (isResident(a)) await materialize([a]);
      args.push(isResident(a) ? a.host : a);
    }
    const target = seg.ids.indexOf(id);
    const computed = new Map<number, Float32Array>();
    for (const op of seg.ops) {
      if (op.pos > target) break;
      const actual = op.bind.map((b) => (b.k === 'step' ? computed.get(b.pos) : args[b.index]));
      const k = kernelFor(op.source, op.n) as (...a: unknown[]) => unknown;
      // A copy: a GPU mode may hand back a buffer it reuses on its next call (device.ts exact() says the same).
      const values = floats(await k(...actual), op.n).slice();
      ctx.counts.launches++;
      ctx.counts.dispatches++;
      ctx.counts.submits++;
      ctx.counts.readbacks++;
      computed.set(op.pos, values);
      const opId = seg.ids[op.pos];
      if (recipe.pending.has(opId)) {
        ctx.values.set(opId, values);
        recipe.pending.delete(opId);
        droppedIds.delete(opId);
      }
    }
    settle(recipe);
    return ctx.values.has(id);
  };

  const run = async (messages: RemoteMessage[]): Promise<void> => {
    const started = now();
    for (const m of messages) if (m.t === 'source') ctx.sources.set(m.id, m.text);
    observe(messages);
    const shape = shapes.get(messages.length);
    const seg = (shape && recognise(messages, shape)) ?? describe(messages);
    const described = now();
    // Uploads are arrays whichever way the segment runs.
    for (const m of messages) if (m.t === 'upload') ctx.values.set(m.id, m.values);
    let plan = plans.get(seg.signature);
    const held = (id: number): boolean => ctx.values.has(id) || residents.has(id);
    let restored = false;
    for (const a of seg.args) {
      if ('id' in a && !held(a.id)) {
        restored = true;
        await restore(a.id);
      }
    }
    // (With nothing restored, every argument was held a moment ago, and nothing has run since.)
    const canPlan = seg.launches > 0 && !refused.has(seg.signature) && (!restored || seg.args.every((a) => !('id' in a) || held(a.id)));
    if (canPlan && !plan && learning.has(seg.signature)) {
      try {
        plan = await build(seg, learning.get(seg.signature)!);
        plans.set(seg.signature, plan);
        ctx.counts.plansBuilt++;
      } catch (error) {
        refuse(seg.signature, error);
      }
    }
    let ran = false;
    if (canPlan && plan) {
      try {
        const calling = now();
        const waited = waitedMs;
        await runPlan(seg, plan);
        ran = true;
        // Reading the batch, and the call less its waits for the device (not the plan's one-time build).
        if (plan.resident) ctx.counts.planHostMs += described - started + (now() - calling) - (waitedMs - waited);
        if (!plan.reported) {
          // Which executor ran it, and why not a faster one when that was declined.
          plan.reported = true;
          const reasons = [plan.declined, plan.fn?.fallbackReason].filter(Boolean).join('; ');
          const line = `${plan.resident ? 'resident-encoder' : (plan.fn?.executorKind ?? 'unknown')}${reasons ? `: ${reasons}` : ''}`;
          if (!ctx.counts.executors.includes(line) && ctx.counts.executors.length < 16) ctx.counts.executors.push(line);
        }
      } catch (error) {
        refuse(seg.signature, error);
        await dropPlan(seg.signature).catch(() => undefined); // a lost device: what it held is lost with it
      }
    }
    if (ran) {
      for (const m of seg.mirrors) await ctx.eager(m);
      // All at once: the eager handler frees a value as it is called, in this order.
      await Promise.all(seg.frees.map((id) => ctx.eager({ t: 'free', id })));
    } else {
      await runEagerly(seg, messages);
    }
    for (const id of seg.frees) {
      const r = residents.get(id);
      if (r) {
        r.live = false;
        residents.delete(id);
      }
    }
    for (const m of seg.requests) await ctx.eager(m);
  };

  const refuse = (signature: string, error: unknown): void => {
    refused.add(signature);
    const line = `a step plan was not used: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
    if (!ctx.counts.planFailures.includes(line) && ctx.counts.planFailures.length < 16) ctx.counts.planFailures.push(line);
  };

  return {
    run,
    restore,
    destroy: () => {
      for (const plan of plans.values()) {
        plan.fn?.destroy?.();
        if (plan.resident) destroyResident(plan.resident);
      }
      plans.clear();
      residents.clear();
      occupants.clear();
      for (const k of kernels.values()) (k as { destroy?(): unknown }).destroy?.();
      kernels.clear();
    },
  };
}
