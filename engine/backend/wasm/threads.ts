/**
 * GEMM and conv passes on several threads: worker threads each instantiate the kernels' module over the same
 * shared memory, and a job's range (a GEMM's column panels, a conv's images) is shared out in chunks.
 *
 *   caller                                        worker w (spinning, then blocked in Atomics.wait on its SEQ)
 *   gemmPrepare (pack B / Aᵀ, once); NEXT = 0
 *   slot w: arguments, tag; SEQ += 1, notify      ──▶  wakes; takes chunks from the back of the range
 *   takes chunks from the front of the range             (NEXT counts both ends) until none is left,
 *   until none is left                                   FINISHED += 1 after each
 *   waits until FINISHED counts the chunks   ◀──
 *   it did not take itself
 *
 * Chunks, not fixed halves: the threads of these VMs do not run at the same speed (the worker took ~1.3× the
 * caller's time for the same half, and the caller sat waiting a fifth of the time). A chunk's result does not
 * depend on the thread that runs it: conv weight gradients are summed per chunk and the chunks added in order,
 * so results are the same with or without threads. The caller takes chunks from the front and the workers from
 * the back, so that a thread mostly meets again the images (or panels) it wrote in the job before, still in its own
 * core's cache: from one shared counter the chunks fell to either thread, and the worker ran each ~1.4× slower than
 * the caller (Mnist_CNN's conv passes). Per epoch, alternated in one process (quiet): the MLP 0.65 → 0.59 s,
 * Mnist_CNN 1.56 → 1.43 s.
 *
 * Each worker has its own slot (sequence number, done flag, job, arguments), so a worker that is still starting,
 * or not needed for a small product, is never counted on.
 *
 * The engine stays free of platform APIs: a platform adapter passes a `spawn` function that starts a worker from
 * the source text of `workerMain` (engine/node/wasm-threads.ts does it with worker_threads; a browser adapter
 * would use a Blob URL). Workers are unref'd by the adapter and stopped by `dispose()`, so they never keep a
 * process alive. Until a worker has flagged READY the caller simply does all the work itself.
 */
import type { WasmMemory, WasmRuntime } from './runtime';

/** What a worker is started with (structured-cloned: the module and the shared memory are shared, not copied). */
export interface WorkerInit {
  module: object;
  memory: WasmMemory;
  /** Byte offset of the control block, this worker's index, and the block's layout. */
  control: number;
  index: number;
  layout: typeof LAYOUT;
  spin: typeof SPIN;
}

/** A started worker, as the platform adapter returns it. */
export interface WorkerHandle {
  terminate(): void;
}

/** Starts a worker running `(${source})(init, ready)`; see engine/node/wasm-threads.ts. */
export type SpawnWorker = (source: string, init: WorkerInit) => WorkerHandle;

export interface WasmThreadsOptions {
  /** Worker threads besides the caller (1 on a 2-core machine). */
  workers: number;
  spawn: SpawnWorker;
}

/**
 * Int32 offsets in the control block: STOP; NEXT (the current round's tag << TAG_SHIFT | chunks taken from the front
 * << FRONT_SHIFT | chunks taken from the back); FINISHED (chunks the workers have completed); READY[w]; then per
 * worker a slot of SLOT ints at SLOTS + w·SLOT: [SEQ, FIRST (the round's first chunk), up to 11 arguments
 * (gemmPanels' first 9 or a conv pass's parameter block, then the range's total and chunk size), JOB, TAG, END (the
 * chunk after the round's last)]. A job of more than ROUND_CHUNKS chunks is shared in rounds of that many.
 */
const LAYOUT = {
  STOP: 0, NEXT: 1, FINISHED: 2, READY: 4, SLOTS: 16, SLOT: 16, SEQ: 0, FIRST: 1, ARGS: 2, JOB: 13, TAG: 14, END: 15,
  MAX_WORKERS: 8, TAG_SHIFT: 22, FRONT_SHIFT: 11, ENDS_MASK: (1 << 11) - 1, TAG_MAX: (1 << 10) - 1, ROUND_CHUNKS: (1 << 11) - 1,
} as const;

/**
 * How long a thread polls before it sleeps in Atomics.wait (workerMain explains why): a worker SPIN_MS for its next
 * job, or SHORT_SPIN_MS for CALM_JOBS jobs after it was descheduled while spinning (two clock reads PREEMPTED_MS
 * apart) or found LATE_CHUNKS chunks of a job already taken; the caller WAIT_MS for the chunks the workers took.
 */
const SPIN = { SPIN_MS: 0.3, SHORT_SPIN_MS: 0.03, PREEMPTED_MS: 0.05, LATE_CHUNKS: 2, CALM_JOBS: 64, WAIT_MS: 0.1 } as const;
/** Jobs (the JOB field). */
const JOB_GEMM = 0;
/**
 * Kernels over a range that take (parameter block, r0, r1, chunk, thread): conv passes over images
 * (assembly/conv-implicit.ts, conv-images.ts), Adam and relu over elements, max-pool over planes; their JOB numbers.
 */
export type RangeKernel =
  | 'implicitForward' | 'implicitWeightGrad' | 'convInputGradImages' | 'adamRange'
  | 'reluRange' | 'reluGradRange' | 'maxPoolRange' | 'maxPoolBackwardRange';
const RANGE_JOBS: Record<RangeKernel, number> = {
  implicitForward: 1, implicitWeightGrad: 2, convInputGradImages: 3, adamRange: 4,
  reluRange: 5, reluGradRange: 6, maxPoolRange: 7, maxPoolBackwardRange: 8,
};

export const CONTROL_BYTES = (LAYOUT.SLOTS + LAYOUT.MAX_WORKERS * LAYOUT.SLOT) * 4;

/**
 * Below this many multiply-adds a GEMM or conv pass runs on the caller alone: handing work over and collecting it
 * costs tens of µs even with a spinning worker (2¹⁸ made the MLP's 64×64×128 products twice slower).
 */
export const THREAD_MIN_MACS = 1 << 20;

/**
 * The worker's whole program. It is sent as source text, so it must not refer to anything outside itself.
 * Runs until STOP: wait for its SEQ to change, then take chunks of the job in its slot while there are any.
 */
export function workerMain(init: WorkerInit, ready: () => void): void {
  const { module, memory, control, index, layout: L, spin: S } = init;
  type Api = { Instance: new (m: object, imports: object) => { exports: Record<string, (...a: number[]) => void> } };
  const api = (globalThis as unknown as { WebAssembly: Api }).WebAssembly;
  const ex = new api.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, control, L.SLOTS + L.MAX_WORKERS * L.SLOT);
  const slot = L.SLOTS + index * L.SLOT;
  const args = slot + L.ARGS;
  const clock = (globalThis as unknown as { performance: { now(): number } }).performance;
  /** Jobs since a spin last found this thread descheduled. */
  let calm: number = S.CALM_JOBS;
  let seq = Atomics.load(ctl, slot + L.SEQ);
  Atomics.store(ctl, L.READY + index, 1);
  ready();
  for (;;) {
    // Spin a while before sleeping. A training step sends jobs 0.02–0.2 ms apart (the MLP's: its first layer's
    // forward, weight gradient and Adam update), and waking a sleeping thread took ~0.15 ms on these VMs, more than
    // a small GEMM: a worker that sleeps between them arrives late for each. But where other processes want the
    // cores, a spinning worker uses up its share, the scheduler runs it less promptly, and a job finds it waiting
    // for a core: on the shared 2-core VM (load 15), per MLP step and in one process with blocks of steps
    // alternated, the engine thread spent 0.71 ms of CPU with 0.3 ms spins, 0.56 with 0.03 ms spins, 0.65 with
    // this policy (1.0 without threads). So the long spin only while spinning pays: after a spin that found this
    // thread descheduled (clock reads, every 256 polls, S.PREEMPTED_MS apart instead of ~1 µs), or a job it came
    // late for (below), short spins for the next S.CALM_JOBS jobs. Inline, not a helper: the source must hold no
    // named inner functions, which a bundler may wrap in a helper of its own. An idle engine sleeps.
    let last = clock.now();
    const until = last + (calm >= S.CALM_JOBS ? S.SPIN_MS : S.SHORT_SPIN_MS);
    for (let i = 1; Atomics.load(ctl, slot + L.SEQ) === seq; i++) {
      if ((i & 255) !== 0) continue;
      const now = clock.now();
      if (now - last > S.PREEMPTED_MS) calm = 0;
      if (now - last > S.PREEMPTED_MS || now > until) break;
      last = now;
    }
    const slept = Atomics.wait(ctl, slot + L.SEQ, seq) === 'ok';
    if (Atomics.load(ctl, L.STOP)) return;
    // The job, read as a whole: if the caller posted another while this thread read (it writes the slot, then
    // SEQ), read again.
    let job: number, tag: number, a: number[], from: number, end: number;
    do {
      seq = Atomics.load(ctl, slot + L.SEQ);
      job = ctl[slot + L.JOB];
      tag = ctl[slot + L.TAG];
      from = ctl[slot + L.FIRST];
      end = ctl[slot + L.END];
      a = Array.from(ctl.subarray(args, args + 11));
    } while (Atomics.load(ctl, slot + L.SEQ) !== seq);
    const n = job === 0 ? 9 : 1;
    const total = a[n], chunk = a[n + 1];
    // Late: the caller had already taken S.LATE_CHUNKS chunks when this thread came, so spinning did not make it
    // prompt (the scheduler kept it waiting for a core): short spins for a while, as after a preemption. Not after
    // a sleep: waking takes that long anyway, and short spins would only make the next sleep likelier (Mnist_CNN:
    // the worker slept through 8.5 K of 28 K jobs in three epochs, 3.5 K with this rule).
    const first = Atomics.load(ctl, L.NEXT);
    if (!slept && first >>> L.TAG_SHIFT === tag && ((first >>> L.FRONT_SHIFT) & L.ENDS_MASK) >= S.LATE_CHUNKS) calm = 0;
    // Chunks of the round, taken from its back (NEXT's low bits count them; the caller counts the front) until the
    // two ends meet: a thread that runs slower simply takes fewer. A late thread finds another tag, or no chunk
    // left, and takes none.
    for (;;) {
      const next = Atomics.load(ctl, L.NEXT);
      const back = next & L.ENDS_MASK;
      if (next >>> L.TAG_SHIFT !== tag || ((next >>> L.FRONT_SHIFT) & L.ENDS_MASK) + back >= end - from) break;
      if (Atomics.compareExchange(ctl, L.NEXT, next, next + 1) !== next) continue;
      const c = end - 1 - back;
      const r0 = c * chunk, r1 = Math.min(total, r0 + chunk);
      try {
        // A conv pass over images r0..r1: chunk c's partial sums, this thread's scratch (the caller's is 0).
        if (job === 1) ex.implicitForward(a[0], r0, r1, c, index + 1);
        else if (job === 2) ex.implicitWeightGrad(a[0], r0, r1, c, index + 1);
        else if (job === 3) ex.convInputGradImages(a[0], r0, r1, c, index + 1);
        else if (job === 4) ex.adamRange(a[0], r0, r1, c, index + 1);
        else if (job === 5) ex.reluRange(a[0], r0, r1, c, index + 1);
        else if (job === 6) ex.reluGradRange(a[0], r0, r1, c, index + 1);
        else if (job === 7) ex.maxPoolRange(a[0], r0, r1, c, index + 1);
        else if (job === 8) ex.maxPoolBackwardRange(a[0], r0, r1, c, index + 1);
        else ex.gemmPanels(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], r0, r1);
      } finally {
        // Even after a trap: the caller waits for every chunk to be counted, and its events cannot run meanwhile.
        Atomics.add(ctl, L.FINISHED, 1);
        Atomics.notify(ctl, L.FINISHED);
      }
    }
    calm++;
  }
}

// The engine's libs have no performance type (it runs everywhere); every runtime has it.
const { performance } = globalThis as unknown as { performance: { now(): number } };

/** Polls `done` for up to `ms` (the caller's side of workerMain's `spin`, which cannot refer to anything outside it). */
function spinFor(done: () => boolean, ms: number): boolean {
  const until = performance.now() + ms;
  for (let i = 1; ; i++) {
    if (done()) return true;
    if ((i & 255) === 0 && performance.now() > until) return false;
  }
}

export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly workers: WorkerHandle[] = [];
  private disposed = false;
  /** The current job's tag (NEXT's high bits), so that a worker waking late takes no chunk of a later job. */
  private tag = 0;

  constructor(private readonly rt: WasmRuntime, options: WasmThreadsOptions) {
    const count = Math.min(options.workers, LAYOUT.MAX_WORKERS);
    this.ctl = new Int32Array(rt.memory.buffer as ArrayBufferLike as SharedArrayBuffer, rt.reserved, CONTROL_BYTES / 4);
    this.ctl.fill(0);
    const source = workerMain.toString();
    for (let index = 0; index < count; index++) {
      this.workers.push(options.spawn(source, { module: rt.module, memory: rt.memory, control: rt.reserved, index, layout: LAYOUT, spin: SPIN }));
    }
  }

  /** Workers that have started and wait for work. */
  readyWorkers(): number {
    let n = 0;
    while (n < this.workers.length && Atomics.load(this.ctl, LAYOUT.READY + n) === 1) n++;
    return n;
  }

  /** C = op(A)·op(B) with the panels shared out between the ready workers and the caller (pointers in rt's memory). */
  gemm(a: number, b: number, c: number, m: number, n: number, k: number, transA: boolean, transB: boolean, scratch: number): void {
    const ex = this.rt.exports;
    const panels = (n + 7) >> 3;
    const helpers = this.disposed || m * n * k < THREAD_MIN_MACS ? 0 : Math.min(this.readyWorkers(), panels - 1);
    if (helpers <= 0) {
      ex.gemm(a, b, c, m, n, k, +transA, +transB, scratch);
      return;
    }
    ex.gemmPrepare(a, b, m, n, k, +transA, +transB, scratch);
    // About four chunks per thread: enough to even out a slower thread, few enough to keep panels in long runs.
    const chunk = Math.max(1, Math.ceil(panels / (4 * (helpers + 1))));
    this.share(JOB_GEMM, [a, b, c, m, n, k, +transA, +transB, scratch], panels, chunk, helpers, (r0, r1) =>
      ex.gemmPanels(a, b, c, m, n, k, +transA, +transB, scratch, r0, r1));
  }

  /** The threads a shared job can use now: the caller and the ready workers. */
  threads(): number {
    return this.disposed ? 1 : 1 + this.readyWorkers();
  }

  /** How many threads a job of `work` multiply-adds uses (1 below THREAD_MIN_MACS): its scratch regions. */
  threadsFor(work: number): number {
    return work < THREAD_MIN_MACS ? 1 : this.threads();
  }

  /**
   * A range kernel (a conv pass over `total` images, Adam over `total` elements) in chunks of `chunk`, shared out
   * between `threads` threads (from `threadsFor`; the caller is thread 0, worker w thread w + 1).
   */
  ranges(kernel: RangeKernel, block: number, total: number, chunk: number, threads: number): void {
    const run = this.rt.exports[kernel];
    const helpers = Math.min(threads - 1, this.readyWorkers(), Math.ceil(total / chunk) - 1);
    if (helpers <= 0) {
      for (let c = 0; c * chunk < total; c++) run(block, c * chunk, Math.min(total, (c + 1) * chunk), c, 0);
    } else {
      this.share(RANGE_JOBS[kernel], [block], total, chunk, helpers, (r0, r1, c) => run(block, r0, r1, c, 0));
    }
  }

  /**
   * Runs `job` over [0, total) in chunks of `chunk`: the caller takes chunks from the front and `helpers` workers
   * from the back (workers get `args`, then total and chunk) until the ends meet, then the caller waits for the
   * workers' chunks. Which thread runs a chunk varies; what a chunk computes does not. NEXT counts each end in
   * 11 bits, so a job of more chunks (a huge activation's elementwise pass) goes in rounds of ROUND_CHUNKS.
   */
  private share(job: number, args: number[], total: number, chunk: number, helpers: number, own: (r0: number, r1: number, c: number) => void): void {
    const chunks = Math.ceil(total / chunk);
    for (let from = 0; from < chunks; from += LAYOUT.ROUND_CHUNKS) {
      this.round(job, args, total, chunk, from, Math.min(chunks, from + LAYOUT.ROUND_CHUNKS), helpers, own);
    }
  }

  /** Chunks [from, end) of a shared job (see `share`). */
  private round(
    job: number, args: number[], total: number, chunk: number, from: number, end: number, helpers: number,
    own: (r0: number, r1: number, c: number) => void,
  ): void {
    const ctl = this.ctl;
    this.tag = (this.tag + 1) & LAYOUT.TAG_MAX;
    const tag = this.tag << LAYOUT.TAG_SHIFT;
    Atomics.store(ctl, LAYOUT.FINISHED, 0);
    Atomics.store(ctl, LAYOUT.NEXT, tag);
    for (let w = 0; w < helpers; w++) {
      const slot = LAYOUT.SLOTS + w * LAYOUT.SLOT;
      const s = slot + LAYOUT.ARGS;
      for (let i = 0; i < args.length; i++) ctl[s + i] = args[i];
      ctl[s + args.length] = total;
      ctl[s + args.length + 1] = chunk;
      ctl[slot + LAYOUT.FIRST] = from;
      ctl[slot + LAYOUT.END] = end;
      ctl[slot + LAYOUT.JOB] = job;
      ctl[slot + LAYOUT.TAG] = this.tag;
      Atomics.add(ctl, slot + LAYOUT.SEQ, 1);
      Atomics.notify(ctl, slot + LAYOUT.SEQ);
    }
    const count = end - from;
    let mine = 0;
    for (;;) {
      const next = Atomics.load(ctl, LAYOUT.NEXT);
      const front = (next >>> LAYOUT.FRONT_SHIFT) & LAYOUT.ENDS_MASK;
      if (front + (next & LAYOUT.ENDS_MASK) >= count) break;
      if (Atomics.compareExchange(ctl, LAYOUT.NEXT, next, next + (1 << LAYOUT.FRONT_SHIFT)) !== next) continue;
      const c = from + front;
      own(c * chunk, Math.min(total, (c + 1) * chunk), c);
      mine++;
    }
    // Only the chunks the workers took are waited for: a worker still waking up has taken none, and will find
    // none (the ends have met, or NEXT carries the next round's tag).
    const theirs = count - mine;
    spinFor(() => Atomics.load(ctl, LAYOUT.FINISHED) >= theirs, SPIN.WAIT_MS);
    for (let f = Atomics.load(ctl, LAYOUT.FINISHED); f < theirs; f = Atomics.load(ctl, LAYOUT.FINISHED)) Atomics.wait(ctl, LAYOUT.FINISHED, f);
  }

  /** Stops and terminates every worker (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctl, LAYOUT.STOP, 1);
    for (let w = 0; w < this.workers.length; w++) {
      const seq = LAYOUT.SLOTS + w * LAYOUT.SLOT + LAYOUT.SEQ;
      Atomics.add(this.ctl, seq, 1);
      Atomics.notify(this.ctl, seq);
    }
    for (const w of this.workers) w.terminate();
  }
}
