/**
 * The program of the thread that owns a gpu.js instance for a RemoteRunner (./remote.ts). WebGPU only answers with
 * Promises, and the engine's kernels are synchronous, so gpu.js runs here, where awaiting costs the engine nothing:
 * launches arrive as messages and run in order; results stay on the device under ids the engine chose; only a
 * read (or a check) is answered, through shared memory the engine waits on with Atomics.wait.
 *
 * It is sent as source text (like the wasm threads' worker), so it must not refer to anything outside itself. The
 * host (engine/node/gpujs-worker.ts in Node) loads gpu.js (and Dawn for WebGPU) and hands it in.
 */
import type { GpujsMode } from './runner';
import type { createStepPlanner, WorkerCounts, WorkerValue } from './step-plans';

/**
 * Reply slots in `control` (an Int32Array over a SharedArrayBuffer), and their values. The worker's program gets
 * it in its RemoteInit (`layout`), since it cannot import it.
 */
export const REPLY = {
  /** The ticket of the last request answered: the engine waits for it to become its own. */
  TICKET: 0,
  /** OK, FAILED (the payload is the message), or DEAD (the worker stopped; the payload says why). */
  STATUS: 1,
  /** Payload length: float32 values for a read, UTF-16 code units for a text. */
  LENGTH: 2,
  /** The last mirror generation written whole (device.ts "Mirrors"). */
  MIRRORED: 3,
  SLOTS: 4,
  /** TICKET's value once the thread has crashed (its host's last act). */
  WORKER_DIED: -1,
  OK: 0,
  FAILED: 1,
  DEAD: 2,
} as const;

/** A launch argument as it crosses: a number, the values themselves, or a device value by id. */
export type WireArg = number | Float32Array | { ref: number };

export type RemoteMessage =
  /**
   * Everything the engine sent since its last request, and that request last: one thread crossing per training
   * step. With step plans on, the worker replays a batch it has seen before as one gpu.js plan (./step-plans.ts).
   */
  | { t: 'batch'; messages: RemoteMessage[] }
  /** A kernel's source, sent once: launches name it by `id` (75 sources would otherwise cross with each LeNet step). */
  | { t: 'source'; id: number; text: string }
  | { t: 'launch'; id: number; source: number; n: number; args: WireArg[] }
  | { t: 'upload'; id: number; values: Float32Array }
  | { t: 'free'; id: number }
  /** Reply: the values of `id` as float32. */
  | { t: 'read'; id: number; ticket: number }
  /** Reply: ok once `id`'s launch ran, or why it failed. */
  | { t: 'check'; id: number; ticket: number }
  /** Reply: JSON WorkerCounts and {fallbacks}. */
  | { t: 'stats'; ticket: number }
  /**
   * Copy each value into its target (a SharedArrayBuffer's floats from `offset`), in the background; when all are
   * written, store `generation` in MIRRORED. Nothing is answered: the engine only looks when it needs a mirror.
   */
  | { t: 'mirror'; generation: number; entries: Array<{ id: number; target: SharedArrayBuffer; offset: number; length: number }> }
  /** A larger reply buffer (the engine grows it before a read that needs more). */
  | { t: 'data'; data: SharedArrayBuffer }
  /** Reply once everything is freed; the thread then ends. */
  | { t: 'stop'; ticket: number };

export interface RemoteInit {
  mode: GpujsMode;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** gpu.js kernel settings (runner.ts KERNEL_SETTINGS). */
  settings: Record<string, unknown>;
  layout: typeof REPLY;
  /** Replay repeated batches as gpu.js plans (./step-plans.ts); needs the host's `createPlanner`. */
  plans?: boolean;
  /** WebGPU plans keep what they carry on the device (default); false: gpu.js's fused encoder, arrays in and out. */
  resident?: boolean;
}

/** What the host gives the program: gpu.js's class, and its message port. */
export interface RemoteHost {
  GPU: new (settings: { mode: string }) => unknown;
  listen(onMessage: (message: RemoteMessage) => void): void;
  /**
   * Before `stop` is answered: lets the device go quietly (WebGPU: destroy it and wait for its callbacks), since a
   * thread ended while Dawn still has callbacks to deliver takes its whole process down.
   */
  release?(): Promise<void>;
  /** Called after `stop` has been answered. */
  close(): void;
  /**
   * Waits for a device promise without spinning a core where the host's WebGPU delivers callbacks from a busy loop
   * (./device-wait.ts); absent: a plain await.
   */
  waitForDevice?: <T>(pending: Promise<T>) => Promise<T>;
  /** This thread's CPU time in ms (engine/node/thread-cpu.ts), for the bench; absent where there is no such clock. */
  cpuMs?: () => number;
  /** ./step-plans.ts's factory, handed in (this program cannot import it). */
  createPlanner?: typeof createStepPlanner;
}

export function serveLaunches(init: RemoteInit, host: RemoteHost): void {
  type Texture = WorkerValue;
  type Kernel = ((...args: unknown[]) => unknown) & { setOutput(o: number[]): void; destroy?(): void; kernel?: { constructor: { mode?: string }; fallbackReason?: string | null } };
  const gpu = new host.GPU({ mode: init.mode }) as {
    createKernel(source: string, settings: object): Kernel;
    createPipeline(fn: (...args: unknown[]) => unknown): ((...args: unknown[]) => Promise<unknown>) & { executorKind?: string };
    destroy(): unknown;
  };
  const control = new Int32Array(init.control);
  const L = init.layout;
  let data = init.data;
  const kernels = new Map<string, Kernel>();
  const sources = new Map<number, string>();
  const values = new Map<number, Texture>();
  const failed = new Map<number, string>();
  const fallbacks: string[] = [];
  const counts: WorkerCounts = {
    launches: 0, submits: 0, dispatches: 0, readbacks: 0, plansBuilt: 0, planCalls: 0, restores: 0, planFailures: [], executors: [],
    uploadBytes: 0, readBytes: 0, evictions: 0, planHostMs: 0, recognised: 0,
  };
  let stopped = false;
  /** Mirror reads still in flight (stop waits for them). */
  let mirroring: Promise<unknown> = Promise.resolve();
  const arrayModes = init.mode === 'webasm' || init.mode === 'cpu';
  const COPY = 'function (x) {\n  return x[this.thread.x];\n}';

  const reply = (ticket: number, status: number, payload: Float32Array | string): void => {
    if (typeof payload === 'string') {
      const units = new Uint16Array(data, 0, Math.min(payload.length, data.byteLength >> 1));
      for (let i = 0; i < units.length; i++) units[i] = payload.charCodeAt(i);
      control[L.STATUS] = status;
      control[L.LENGTH] = units.length;
    } else if (payload.length * 4 > data.byteLength) {
      return reply(ticket, L.FAILED, `the reply buffer holds ${data.byteLength >> 2} values, not ${payload.length}`);
    } else {
      new Float32Array(data, 0, payload.length).set(payload);
      control[L.STATUS] = status;
      control[L.LENGTH] = payload.length;
    }
    Atomics.store(control, L.TICKET, ticket);
    Atomics.notify(control, L.TICKET);
  };
  const deviceWait = host.waitForDevice ?? (<T>(pending: Promise<T>): Promise<T> => pending);
  const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

  const kernelFor = (source: string, args: unknown[]): Kernel => {
    // One kernel per argument-kind signature (runner.ts says why: gpu.js rebuilds a kernel whose argument kinds
    // change without its dynamicArguments).
    const kinds = args.map((a) => (typeof a === 'number' ? 'f' : a instanceof Float32Array ? 'a' : 't')).join(',');
    const key = `${kinds}\n${source}`;
    let k = kernels.get(key);
    if (!k) {
      k = gpu.createKernel(source, { ...init.settings, output: [1], pipeline: true, immutable: true });
      kernels.set(key, k);
    }
    return k;
  };

  const launch = async (id: number, source: string, n: number, wire: WireArg[]): Promise<void> => {
    const args: unknown[] = [];
    for (const a of wire) {
      if (typeof a === 'object' && !(a instanceof Float32Array) && !values.has(a.ref)) await restore(a.ref);
      if (typeof a === 'number' || a instanceof Float32Array) args.push(a);
      else if (failed.has(a.ref)) return void failed.set(id, failed.get(a.ref)!);
      else if (!values.has(a.ref)) return void failed.set(id, `device value ${a.ref} was freed before a kernel read it`);
      else args.push(values.get(a.ref));
    }
    try {
      const k = kernelFor(source, args);
      k.setOutput([n]);
      const result = (await deviceWait(Promise.resolve(k(...args)))) as Texture;
      counts.launches++;
      counts.dispatches++;
      counts.submits++;
      values.set(id, arrayModes && result instanceof Float32Array ? result.slice(0, n) : result);
      const ran = k.kernel?.constructor.mode;
      const gl = init.mode === 'webgl2' || init.mode === 'headlessgl';
      if (ran !== undefined && ran !== init.mode && !(gl && ran === 'gpu')) {
        const line = `${source.split('\n')[0]} ran on ${ran}: ${k.kernel?.fallbackReason ?? 'no reason given'}`;
        if (!fallbacks.includes(line)) fallbacks.push(line);
      }
    } catch (error) {
      failed.set(id, `gpu.js ${init.mode}: ${message(error)}`);
    }
  };

  const read = async (id: number, ticket: number): Promise<void> => {
    if (!values.has(id)) await restore(id);
    const t = values.get(id);
    if (t === undefined) return reply(ticket, L.FAILED, failed.get(id) ?? `device value ${id} was freed before it was read`);
    try {
      if (!(t instanceof Float32Array)) {
        counts.readbacks++;
        counts.submits++;
      }
      const got = t instanceof Float32Array ? t : await deviceWait(Promise.resolve(t.toArray()));
      reply(ticket, L.OK, got instanceof Float32Array ? got : Float32Array.from(got as ArrayLike<number>));
    } catch (error) {
      reply(ticket, L.FAILED, `gpu.js ${init.mode}: reading a result failed: ${message(error)}`);
    }
  };

  const free = (id: number): void => {
    const t = values.get(id);
    if (t !== undefined && !(t instanceof Float32Array)) t.delete?.();
    values.delete(id);
    failed.delete(id);
  };

  const handle = async (m: RemoteMessage): Promise<void> => {
    switch (m.t) {
      case 'source':
        return void sources.set(m.id, m.text);
      case 'launch':
        return launch(m.id, sources.get(m.source) ?? '', m.n, m.args);
      case 'upload':
        if (arrayModes) return void values.set(m.id, m.values);
        return launch(m.id, COPY, m.values.length, [m.values]);
      case 'free':
        return free(m.id);
      case 'read':
        return read(m.id, m.ticket);
      case 'check':
        return reply(m.ticket, failed.has(m.id) ? L.FAILED : L.OK, failed.get(m.id) ?? '');
      case 'stats':
        return reply(m.ticket, L.OK, JSON.stringify({ ...counts, fallbacks, threadCpuMs: host.cpuMs?.() ?? null }));
      case 'mirror': {
        // Each read is started now, in queue order (so it sees the value as of this point), and not awaited: the
        // launches behind it go on. A value missing or failed leaves the generation unmarked.
        for (const e of m.entries) if (!values.has(e.id)) await restore(e.id);
        const reads = m.entries.map((e) => {
          const t = values.get(e.id);
          return t === undefined ? null : t instanceof Float32Array ? t : (t.toArray() as unknown);
        });
        const write = (got: unknown[]): void => {
          if (got.some((g) => g === null)) return;
          m.entries.forEach((e, i) => new Float32Array(e.target, e.offset * 4, e.length).set(got[i] as ArrayLike<number>));
          Atomics.store(control, L.MIRRORED, m.generation);
        };
        if (reads.some((r) => r instanceof Promise)) mirroring = Promise.all([mirroring, Promise.all(reads).then(write, () => undefined)]);
        else write(reads);
        return;
      }
      case 'data':
        data = m.data;
        return;
      case 'batch':
        if (planner) return planner.run(m.messages);
        for (const each of m.messages) await handle(each);
        return;
      case 'stop': {
        const { setTimeout: later } = globalThis as unknown as { setTimeout(f: () => void, ms: number): unknown };
        await Promise.race([mirroring, new Promise<void>((resolve) => later(resolve, 2000))]);
        for (const id of [...values.keys()]) free(id);
        planner?.destroy();
        for (const k of kernels.values()) k.destroy?.();
        kernels.clear();
        try {
          await gpu.destroy();
          await host.release?.();
        } catch {
          // a lost device may not destroy cleanly; there is nothing left to free
        }
        stopped = true;
        reply(m.ticket, L.OK, '');
        return host.close();
      }
    }
  };

  /** A value a step plan left in its buffers is computed again when it is asked for after all. */
  async function restore(id: number): Promise<void> {
    try {
      await planner?.restore(id);
    } catch (error) {
      failed.set(id, `gpu.js ${init.mode}: computing a step plan's value again failed: ${message(error)}`);
    }
  }

  const planner = init.plans && host.createPlanner
    ? host.createPlanner({ gpu, settings: init.settings, mode: init.mode, resident: init.resident, sources, values, failed, counts, eager: (m) => handle(m), waitForDevice: host.waitForDevice })
    : null;

  // In order, one at a time: a launch may await its kernel's build, and what comes after reads its result.
  let chain: Promise<void> = Promise.resolve();
  host.listen((m) => {
    if (stopped) return;
    chain = chain.then(() => handle(m)).catch((error) => {
      // handle() answers its own failures; this is a bug in this program, and the engine must not wait forever
      if ('ticket' in m) reply(m.ticket, L.DEAD, `gpu.js worker: ${message(error)}`);
    });
  });
}
