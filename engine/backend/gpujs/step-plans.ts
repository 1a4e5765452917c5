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
 *     and which returns only what was used later, plus what this segment reads or mirrors. gpu.js records it once
 *     and from then on replays it: on WebGPU, one command encoder, one submit and one mapAsync read
 *     (`executorKind` 'fused-encoder'); on webasm, one fused wasm program.
 *   - gpu.js's fused encoder takes plain arrays as plan arguments, not device buffers. So a plan's carried results
 *     (the weights and moments among them) come back to this thread as arrays, and the next plan uploads them: the
 *     state crosses the bus twice per step, in one read and a few writes, which costs far less than a submit and a
 *     read per kernel. The engine never sees this: its ids stay valid.
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
  /** gpu.js's executor for each plan built ('fused-encoder', 'fused-sync', 'generic'…), with its fallback reason. */
  executors: string[];
}

export interface PlannerContext {
  gpu: {
    createKernel(source: string, settings: object): unknown;
    createPipeline(fn: (...args: unknown[]) => unknown): PlanFn;
  };
  settings: Record<string, unknown>;
  values: Map<number, WorkerValue>;
  failed: Map<number, string>;
  counts: WorkerCounts;
  /** Runs one message the eager way (the worker's own handler). */
  eager(message: RemoteMessage): Promise<void>;
}

export type PlanFn = ((...args: unknown[]) => Promise<unknown>) & { executorKind?: string; fallbackReason?: string | null; destroy?(): unknown };

export interface StepPlanner {
  /** Runs a segment's messages (launches, uploads, frees, mirrors; then any request), by plan where learned. */
  run(messages: RemoteMessage[]): Promise<void>;
  /** Computes again a value a plan left in its buffers (true), or false when it is not such a value. */
  restore(id: number): Promise<boolean>;
  destroy(): void;
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
    mirrors: RemoteMessage[];
    requests: RemoteMessage[];
    launches: number;
  }
  /** A built plan: the positions it returns and their lengths, in the order of its results. */
  interface Plan { fn: PlanFn; returned: number[]; lengths: number[]; reported: boolean }
  /** What became of an eagerly run segment's results in the segments after it. */
  interface Watch { used: Set<number>; freed: Set<number> }

  const sourceIndex = new Map<string, number>();
  const plans = new Map<string, Plan>();
  const learning = new Map<string, Watch>();
  const watched = new Map<number, { watch: Watch; pos: number }>();
  /** A plan call whose results were not all returned: what recomputes them. */
  interface Recipe { seg: Segment; args: unknown[]; pending: Set<number> }
  const droppedIds = new Map<number, Recipe>();
  const refused = new Set<string>();
  const kernels = new Map<string, unknown>();

  const isRequest = (m: RemoteMessage): boolean => 'ticket' in m;

  /** A gpu.js result as a Float32Array of `n` values (`n` omitted: all of them). */
  const floats = (raw: unknown, n?: number): Float32Array => {
    const values = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
    return n === undefined || values.length === n ? values : values.slice(0, n);
  };

  /** Forgets a signature's plan (it failed, or guessed wrong) and frees gpu.js's buffers for it. */
  const dropPlan = (signature: string): void => {
    plans.get(signature)?.fn.destroy?.();
    plans.delete(signature);
  };

  /** Reads the messages into a segment: its signature, ops and plan arguments. */
  const describe = (messages: RemoteMessage[]): Segment => {
    const local = new Map<number, number>();
    const argIndex = new Map<string, number>();
    const seg: Segment = { signature: '', ids: [], isUpload: [], ops: [], args: [], selfUsed: new Set(), frees: [], mirrors: [], requests: [], launches: 0 };
    const parts: string[] = [];
    const argFor = (key: string, value: { id: number } | { value: unknown }): Binding => {
      let index = argIndex.get(key);
      if (index === undefined) {
        index = seg.args.length;
        argIndex.set(key, index);
        seg.args.push(value);
      }
      return { k: 'arg', index };
    };
    const bindOf = (a: WireArg, where: string): [Binding, string] => {
      if (typeof a === 'number') return [argFor(`n${where}`, { value: a }), 'f'];
      if (a instanceof Float32Array) {
        // Small constant arrays (offsets, geometry) recur in many launches: one argument per distinct content.
        const key = a.length <= 256 ? `c${Array.prototype.join.call(a, ',')}` : `a${where}`;
        const b = argFor(key, { value: a }) as { index: number };
        return [b as Binding, `A${a.length}:${b.index}`];
      }
      const pos = local.get(a.ref);
      if (pos === undefined) {
        const b = argFor(`e${a.ref}`, { id: a.ref });
        return [b, `e${(b as { index: number }).index}`];
      }
      if (seg.isUpload[pos]) return [argFor(`e${a.ref}`, { id: a.ref }), `u${pos}`];
      return [{ k: 'step', pos }, `r${pos}`];
    };
    messages.forEach((m) => {
      if (m.t === 'launch') {
        const pos = seg.ids.length;
        const bind: Binding[] = [];
        const kinds: string[] = [];
        m.args.forEach((a, j) => {
          const [b, kind] = bindOf(a, `${pos}.${j}`);
          bind.push(b);
          kinds.push(kind);
        });
        let s = sourceIndex.get(m.source);
        if (s === undefined) sourceIndex.set(m.source, (s = sourceIndex.size));
        parts.push(`L${s}:${m.n}(${kinds.join(' ')})`);
        seg.ops.push({ pos, source: m.source, n: m.n, bind });
        local.set(m.id, pos);
        seg.ids.push(m.id);
        seg.isUpload.push(false);
        seg.launches++;
      } else if (m.t === 'upload') {
        parts.push(`U${m.values.length}`);
        local.set(m.id, seg.ids.length);
        seg.ids.push(m.id);
        seg.isUpload.push(true);
      } else if (m.t === 'free') seg.frees.push(m.id);
      else if (m.t === 'mirror') {
        seg.mirrors.push(m);
        for (const e of m.entries) if (local.has(e.id)) seg.selfUsed.add(local.get(e.id)!);
      } else if (isRequest(m)) {
        seg.requests.push(m);
        if ((m.t === 'read' || m.t === 'check') && local.has(m.id)) seg.selfUsed.add(local.get(m.id)!);
      }
    });
    seg.signature = parts.join(';');
    return seg;
  };

  /** Marks what this segment does with earlier segments' results (used, or freed unused). */
  const observe = (messages: RemoteMessage[]): void => {
    const use = (id: number): void => {
      const w = watched.get(id);
      if (w) w.watch.used.add(w.pos);
    };
    for (const m of messages) {
      if (m.t === 'launch') for (const a of m.args) { if (typeof a === 'object' && !(a instanceof Float32Array)) use(a.ref); }
      else if (m.t === 'read' || m.t === 'check') use(m.id);
      else if (m.t === 'mirror') m.entries.forEach((e) => use(e.id));
      else if (m.t === 'free') {
        const recipe = droppedIds.get(m.id);
        if (recipe) {
          recipe.pending.delete(m.id);
          droppedIds.delete(m.id);
        }
        const w = watched.get(m.id);
        if (w) {
          w.watch.freed.add(w.pos);
          watched.delete(m.id);
        }
      }
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

  const build = (seg: Segment, watch: Watch): Plan => {
    const returned: number[] = [];
    for (let pos = 0; pos < seg.ids.length; pos++) {
      if (seg.isUpload[pos]) continue;
      if (watch.used.has(pos) || !watch.freed.has(pos) || seg.selfUsed.has(pos)) returned.push(pos);
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
    const lengths = returned.map((pos) => ops.find((op) => op.pos === pos)!.n);
    return { fn: ctx.gpu.createPipeline(orchestrate), returned, lengths, reported: false };
  };

  const asArray = async (id: number): Promise<Float32Array> => {
    const v = ctx.values.get(id);
    if (v === undefined) throw new Error(ctx.failed.get(id) ?? `device value ${id} was freed before a kernel read it`);
    if (v instanceof Float32Array) return v;
    // A device buffer from an eager launch: a plan argument is an array, so it comes to this thread once.
    const values = floats(await v.toArray());
    ctx.counts.readbacks++;
    ctx.counts.submits++;
    v.delete?.();
    ctx.values.set(id, values);
    return values;
  };

  const runPlan = async (seg: Segment, plan: Plan): Promise<void> => {
    const args: unknown[] = [];
    for (const a of seg.args) args.push('id' in a ? await asArray(a.id) : a.value);
    const results = (await plan.fn(...args)) as unknown[];
    ctx.counts.submits++;
    ctx.counts.dispatches += seg.launches;
    ctx.counts.launches += seg.launches;
    if (plan.returned.length > 0) ctx.counts.readbacks++;
    ctx.counts.planCalls++;
    const kept = new Set(plan.returned);
    const freedHere = new Set(seg.frees);
    plan.returned.forEach((pos, i) => ctx.values.set(seg.ids[pos], floats(results[i], plan.lengths[i])));
    const recipe: Recipe = { seg, args, pending: new Set() };
    seg.ids.forEach((id, pos) => {
      if (seg.isUpload[pos] || kept.has(pos) || freedHere.has(id)) return;
      recipe.pending.add(id);
      droppedIds.set(id, recipe);
    });
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
    const recipe = droppedIds.get(id);
    if (!recipe) return false;
    const { seg, args } = recipe;
    // The plan guessed wrong: its signature goes back to eager runs, where what is used later is seen again.
    dropPlan(seg.signature);
    learning.delete(seg.signature);
    ctx.counts.restores++;
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
    return ctx.values.has(id);
  };

  const run = async (messages: RemoteMessage[]): Promise<void> => {
    observe(messages);
    const seg = describe(messages);
    // Uploads are arrays whichever way the segment runs.
    for (const m of messages) if (m.t === 'upload') ctx.values.set(m.id, m.values);
    let plan = plans.get(seg.signature);
    for (const a of seg.args) if ('id' in a && !ctx.values.has(a.id)) await restore(a.id);
    const canPlan = seg.launches > 0 && !refused.has(seg.signature) && seg.args.every((a) => !('id' in a) || ctx.values.has(a.id));
    if (canPlan && !plan && learning.has(seg.signature)) {
      try {
        plan = build(seg, learning.get(seg.signature)!);
        plans.set(seg.signature, plan);
        ctx.counts.plansBuilt++;
      } catch (error) {
        refuse(seg.signature, error);
      }
    }
    let ran = false;
    if (canPlan && plan) {
      try {
        await runPlan(seg, plan);
        ran = true;
        if (!plan.reported) {
          // Which executor gpu.js chose, and why not the fused one when it declined it.
          plan.reported = true;
          const line = `${plan.fn.executorKind ?? 'unknown'}${plan.fn.fallbackReason ? `: ${plan.fn.fallbackReason}` : ''}`;
          if (!ctx.counts.executors.includes(line) && ctx.counts.executors.length < 16) ctx.counts.executors.push(line);
        }
      } catch (error) {
        dropPlan(seg.signature);
        refuse(seg.signature, error);
      }
    }
    if (ran) {
      for (const m of seg.mirrors) await ctx.eager(m);
      for (const id of seg.frees) await ctx.eager({ t: 'free', id });
    } else {
      await runEagerly(seg, messages);
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
      for (const plan of plans.values()) plan.fn.destroy?.();
      plans.clear();
      for (const k of kernels.values()) (k as { destroy?(): unknown }).destroy?.();
      kernels.clear();
    },
  };
}
