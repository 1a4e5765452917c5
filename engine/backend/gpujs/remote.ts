/**
 * A LaunchRunner whose gpu.js lives in another thread (./remote-worker.ts), for gpu.js's WebGPU mode: its kernels
 * answer with Promises (WebGPU has no synchronous readback), while the engine's kernels return their results.
 *
 * The engine's thread only waits where it needs a value:
 *   - a launch or an upload is queued here, and its result stays in the worker under an id chosen here (a
 *     RemoteTexture, which the resident store keeps like any texture); nothing is awaited. What is queued crosses
 *     as one message with the next request (or every FLUSH_AT messages): one crossing per training step;
 *   - a read posts a request and blocks on Atomics.wait until the worker has written the values into shared memory;
 *   - a kernel's first launch (per source and argument kinds) is also checked that way, so a kernel that does not
 *     build fails where it was called, as it would in this thread, and the trainer can fall back to the CPU.
 * In resident mode a training step is a stream of launches and one read, so the thread crossing costs one round
 * trip per step; with step plans (./step-plans.ts) the worker replays that stream as one gpu.js plan. Blocking
 * needs a thread that may block: Node's main thread, a utility process, a Worker
 * (not a browser page's main thread).
 */
import type { GpujsTexture } from './device';
import type { Launch } from './plans';
import { KERNEL_SETTINGS, type GpujsMode, type LaunchRunner, type MirrorEntry } from './runner';
import { REPLY, type RemoteInit, type RemoteMessage, type WireArg } from './remote-worker';
import type { WorkerCounts } from './step-plans';

// The engine's libs have no performance type (it runs everywhere); every runtime has it.
const { performance } = globalThis as unknown as { performance: { now(): number } };

/** Queued messages sent without waiting for a request, so that a long stream without reads stays bounded. */
export const FLUSH_AT = 4096;

/** How the runner talks to its worker (engine/node/gpujs-worker.ts makes one for worker_threads). */
export interface RemotePort {
  /** Posts a message; `transfer` lists buffers that move to the worker instead of being copied. */
  post(message: RemoteMessage, transfer?: ArrayBuffer[]): void;
  /** Ends the worker at once (after `stop`, or when it no longer answers). */
  terminate(): void;
}

/** A device value held by the worker. */
export class RemoteTexture {
  readonly type = 'RemoteTexture';
  private deleted = false;

  /** How a launch names it (one object for all its launches; a message carries it once). */
  readonly wire: { ref: number };

  constructor(
    private readonly runner: RemoteRunner,
    readonly id: number,
    readonly length: number,
  ) {
    this.wire = { ref: id };
  }

  toArray(): Float32Array {
    if (this.deleted) throw new Error('gpu.js worker: a device value was read after it was freed');
    return this.runner.read(this.id, this.length);
  }

  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.runner.free(this.id);
  }
}

/** What a RemoteRunner and its worker share: the worker's first message, and the memory they answer through. */
export type RemoteChannel = RemoteInit;

/**
 * Reply buffers start at 1 MiB and grow to the largest read. Step plans are on unless `plans` is false (the eager
 * path, launch by launch, stays as the reference); on WebGPU they keep what they carry on the device unless
 * `resident` is false (gpu.js's own fused encoder, arrays in and out: the bench compares the two).
 */
export function remoteChannel(mode: GpujsMode, dataBytes = 1 << 20, plans = true, resident = true): RemoteChannel {
  return {
    mode,
    control: new SharedArrayBuffer(REPLY.SLOTS * 4),
    data: new SharedArrayBuffer(dataBytes),
    settings: { ...KERNEL_SETTINGS },
    layout: REPLY,
    plans,
    resident,
  };
}

/** The worker's counts (./step-plans.ts WorkerCounts) and gpu.js's silent fallbacks. */
/** `threadCpuMs`: the worker thread's CPU time so far, where its host has a per-thread clock (Linux), else null. */
export type RemoteStats = WorkerCounts & { fallbacks: string[]; threadCpuMs: number | null };

export interface RemoteRunnerOptions {
  /** How long one reply may take before the worker is taken for dead (ms; kernels build within it). */
  timeoutMs?: number;
}

export class RemoteRunner implements LaunchRunner {
  launches = 0;
  readonly plans: boolean;
  /** Its worker's step plans keep what they carry on the device (WebGPU, resident plans: step-plans.ts). */
  readonly keepsStateOnDevice: boolean;
  /** Milliseconds this thread spent blocked on the worker (host time per step = a step's time less this). */
  waitedMs = 0;
  /** Messages sent to the worker (each a batch or a lone request): the thread crossings. */
  crossings = 0;
  private queue: RemoteMessage[] = [];
  private nextId = 1;
  private ticket = 0;
  private readonly control: Int32Array;
  private data: SharedArrayBuffer;
  /** Kernels (source id, then argumentCode) whose first launch ran: later ones are not waited for. */
  private readonly checked = new Map<number, Set<number>>();
  /** The buffers of the uploads queued (see upload). */
  private transfer: ArrayBuffer[] = [];
  /** Each kernel source's id in the worker (sent once, with its first launch). */
  private readonly sourceIds = new Map<string, number>();
  /** Set once the worker is stopped or dead: every later call fails with it. */
  private dead: string | null = null;
  private readonly timeoutMs: number;

  constructor(
    readonly mode: GpujsMode,
    private readonly port: RemotePort,
    channel: RemoteChannel,
    options: RemoteRunnerOptions = {},
  ) {
    this.control = new Int32Array(channel.control);
    this.plans = channel.plans ?? false;
    this.keepsStateOnDevice = this.plans && channel.mode === 'webgpu' && channel.resident !== false;
    this.data = channel.data;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  get fallbacks(): string[] {
    return this.stats().fallbacks;
  }

  /** Launches the worker has run (this side counts what it sent: `launches`). */
  get workerLaunches(): number {
    return this.stats().launches;
  }

  /** The worker's counts; answered once it has run everything sent before. */
  stats(): RemoteStats {
    return JSON.parse(this.text(this.request({ t: 'stats', ticket: 0 })));
  }

  runOnDevice(launch: Launch): RemoteTexture {
    this.alive();
    const id = this.nextId++;
    // map makes a packed array: V8 serialises one with holes (new Array(n) before it is filled) property by
    // property, half as slow again. A large argument (the batch) is cloned with the message rather than copied here
    // and moved: a fresh 200 KB copy per step, moved away before it could be reused, cost new pages every step
    // (+0.4 ms a cold LeNet-5 step, engine/node/gpujs-host-bench.ts --gap 400), where the message's buffer is reused.
    const args = launch.args.map(wire);
    let source = this.sourceIds.get(launch.source);
    if (source === undefined) {
      this.sourceIds.set(launch.source, (source = this.sourceIds.size));
      this.send({ t: 'source', id: source, text: launch.source });
    }
    this.send({ t: 'launch', id, source, n: launch.n, args });
    this.launches++;
    let kinds = this.checked.get(source);
    if (!kinds) this.checked.set(source, (kinds = new Set()));
    const signature = argumentCode(args);
    if (!kinds.has(signature)) {
      this.request({ t: 'check', id, ticket: 0 });
      kinds.add(signature);
    }
    return new RemoteTexture(this, id, launch.n);
  }

  run(launch: Launch): Float32Array {
    const texture = this.runOnDevice(launch);
    try {
      return texture.toArray();
    } finally {
      texture.delete();
    }
  }

  upload(values: Float32Array): GpujsTexture {
    this.alive();
    const id = this.nextId++;
    // A copy: the caller may change its array after this returns, and a shared one would be read late. Nothing
    // else holds the copy, so it moves to the worker with its batch rather than being copied again (a LeNet
    // batch is 200 KB a step).
    const copy = values.slice();
    this.transfer.push(copy.buffer as ArrayBuffer);
    this.send({ t: 'upload', id, values: copy });
    return new RemoteTexture(this, id, values.length);
  }

  read(id: number, length: number): Float32Array {
    if (length * 4 > this.data.byteLength) {
      this.data = new SharedArrayBuffer(Math.max(length * 4, this.data.byteLength * 2));
      // Straight to the worker, not queued: it only swaps the reply buffer (no reply is in flight while this
      // thread is here), and a queued batch may run as a plan, which takes launches, not messages like this one.
      this.port.post({ t: 'data', data: this.data });
    }
    const got = this.request({ t: 'read', id, ticket: 0 });
    return new Float32Array(this.data, 0, got).slice();
  }

  mirror(entries: MirrorEntry[], generation: number): boolean {
    // Resident plans keep the weights and moments on the device so that a step copies nothing; a mirror per step
    // would bring them all back every step (pytorch/examples' Net: 14 MB). There, a lost device fails the run,
    // which restarts from its last checkpoint instead (device.ts "Mirrors").
    if (this.dead !== null || this.keepsStateOnDevice) return false;
    this.send({
      t: 'mirror',
      generation,
      entries: entries.map((e) => {
        const texture = e.texture as RemoteTexture;
        return { id: texture.id, target: e.shadow.buffer as SharedArrayBuffer, offset: e.offset, length: texture.length };
      }),
    });
    return true;
  }

  mirroredGeneration(): number {
    return Atomics.load(this.control, REPLY.MIRRORED);
  }

  free(id: number): void {
    if (this.dead === null) this.send({ t: 'free', id });
  }

  /** Frees everything in the worker and ends it (waits at most a few seconds for it to finish). */
  destroy(): void {
    if (this.dead !== null) return;
    try {
      this.request({ t: 'stop', ticket: 0 }, Math.min(this.timeoutMs, 5_000));
    } catch {
      // a worker that does not answer is ended below all the same
    } finally {
      this.dead = 'gpu.js worker: stopped';
      this.port.terminate();
    }
  }

  private alive(): void {
    if (this.dead !== null) throw new Error(this.dead);
  }

  private send(message: RemoteMessage): void {
    this.queue.push(message);
    if (this.queue.length >= FLUSH_AT) this.flush();
  }

  /** Sends what is queued, and `request` last, as one message. */
  private flush(request?: RemoteMessage): void {
    const messages = this.queue;
    if (request) messages.push(request);
    if (messages.length === 0) return;
    this.queue = [];
    this.crossings++;
    const transfer = this.transfer;
    this.transfer = [];
    this.port.post(messages.length === 1 && request ? request : { t: 'batch', messages }, transfer);
  }

  /** Posts a request and waits for its answer; returns the payload length, or throws the worker's message. */
  private request(message: Extract<RemoteMessage, { ticket: number }>, timeoutMs = this.timeoutMs): number {
    this.alive();
    const ticket = (this.ticket = this.ticket >= 0x7fffffff ? 1 : this.ticket + 1);
    this.flush({ ...message, ticket } as RemoteMessage);
    const started = Date.now();
    const waitStarted = performance.now();
    for (;;) {
      const answered = Atomics.load(this.control, REPLY.TICKET);
      if (answered === ticket) break;
      if (answered === REPLY.WORKER_DIED) {
        this.dead = 'gpu.js worker: the thread crashed';
        this.port.terminate();
        throw new Error(this.dead);
      }
      if (Date.now() - started > timeoutMs) {
        this.dead = `gpu.js worker: no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} (the device may be lost)`;
        this.port.terminate();
        throw new Error(this.dead);
      }
      // Woken by the answer (or a crash, which notifies too), else at the timeout: no wake-ups in between, since each
      // costs this thread CPU time (~0.2 ms on these VMs after a long sleep) and a slow device (SwiftShader) computes
      // a step for seconds.
      Atomics.wait(this.control, REPLY.TICKET, answered, Math.max(1, timeoutMs - (Date.now() - started)));
    }
    this.waitedMs += performance.now() - waitStarted;
    const status = this.control[REPLY.STATUS];
    const length = this.control[REPLY.LENGTH];
    if (status === REPLY.FAILED) throw new Error(this.text(length));
    if (status === REPLY.DEAD) {
      this.dead = this.text(length);
      throw new Error(this.dead);
    }
    return length;
  }

  private text(length: number): string {
    const units = new Uint16Array(this.data, 0, length);
    let s = '';
    for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.subarray(i, i + 4096));
    return s;
  }
}

/**
 * The kinds of a launch's arguments as they cross (a number, an array, a device value), as one number: what
 * runner.ts argumentKinds says of them, without building a string per launch.
 */
function argumentCode(args: WireArg[]): number {
  let code = 1;
  for (const a of args) code = code * 3 + (typeof a === 'number' ? 0 : a instanceof Float32Array ? 1 : 2);
  return code;
}

/** A launch argument as it crosses to the worker (a shared array is copied, so it cannot change before it is read). */
function wire(a: unknown): WireArg {
  if (typeof a === 'number') return a;
  if (a instanceof RemoteTexture) return a.wire;
  // A view of part of a buffer (wasm memory) would clone the whole buffer.
  if (a instanceof Float32Array) return a.buffer instanceof ArrayBuffer && a.byteLength === a.buffer.byteLength ? a : a.slice();
  if (ArrayBuffer.isView(a) || Array.isArray(a)) return Float32Array.from(a as ArrayLike<number>);
  throw new Error(`gpu.js worker: cannot send a kernel argument of type ${Object.prototype.toString.call(a)}`);
}
