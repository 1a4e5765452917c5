/**
 * Step plans (engine/backend/gpujs/step-plans.ts): the gpu.js worker replays a repeated training step as one gpu.js
 * plan. Checked against the eager path (the same worker program with plans off, every launch on its own) on gpu.js
 * webasm in a worker, and on WebGPU through Dawn where a device exists (SwiftShader here): same losses, weights
 * and optimizer state, and the structure a GPU needs: one thread crossing, one submit and one read per step.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { englishText } from '../../common/engine-text';
import { endStep, getBackend, registerBackend, setBackend } from '../backend/backend';
import { createGpujsBackend, plans, type GpujsBackend, type RemoteRunner, type RemoteStats } from '../backend/gpujs/index';
import { cpuKernels } from '../backend/cpu/index';
import { batches, cnn, expectClose, mlp, train, type Build } from '../backend/gpujs/test-support/training-check';
import { AvgPool2d, Conv2d, crossEntropy, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../nn/index';
import type { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { manualSeed } from '../random';
import { Adam, Adamax, NAdam, RAdam, SGD } from '../optim/index';
import { Trainer } from '../train/trainer';
import type { Optimizer } from '../optim/index';
import { startGpujsWorker, type GpujsWorker } from './gpujs-worker';
import { startTestWebGpu } from './test-support/webgpu-test-device';

const previous = getBackend().name;
afterEach(() => {
  endStep();
  setBackend(previous);
});

const lenetLike: Build = () => {
  const model = new Sequential(
    new Conv2d(1, 4, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2),
    new Conv2d(4, 6, 5), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(6, 10),
  );
  return { model, optimizer: new Adam(model.parameters(), { lr: 0.01 }) as unknown as Optimizer<object> };
};

/** The tutorial's Mnist_CNN, smaller: stride-2 convolutions, then an average pool to the class scores. */
const tutorialCnn: Build = () => {
  const model = new Sequential(
    new Conv2d(1, 4, 3, { stride: 2, padding: 1 }), new ReLU(), new Conv2d(4, 10, 3, { stride: 2, padding: 1 }), new ReLU(),
    new AvgPool2d(3), new Flatten(),
  );
  return { model, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) as unknown as Optimizer<object> };
};

function backendOn(worker: GpujsWorker, mode: 'webasm' | 'webgpu', name: string): GpujsBackend {
  const backend = createGpujsBackend({ runner: worker.runner, mode, resident: true, thresholds: { macs: 0, elements: 0 }, name });
  registerBackend(backend);
  return backend;
}

type Counted = 'submits' | 'readbacks' | 'planCalls' | 'plansBuilt' | 'uploadBytes' | 'readBytes' | 'evictions';
const delta = (after: RemoteStats, before: RemoteStats, key: Counted): number => after[key] - before[key];

/** Trains on the plan backend and on the eager one; the same numbers, and plans were used. Returns the counts' change. */
function expectPlansMatchEager(build: Build, data: ReturnType<typeof batches>, planned: GpujsBackend, eager: GpujsBackend): RemoteStats {
  const steps = data.length;
  const runner = planned.runner as RemoteRunner;
  const before = runner.stats();
  const got = train(build, data, planned.name, planned.store!);
  const after = runner.stats();
  const want = train(build, data, eager.name, eager.store!);
  expectClose(got.losses, want.losses, 1e-5);
  got.model.parameters().forEach((p, i) => expectClose(p.data, want.model.parameters()[i].data, 1e-5));
  const state = got.optimizer.stateDict().state;
  for (const [i, s] of Object.entries(want.optimizer.stateDict().state)) {
    for (const [key, value] of Object.entries(s)) {
      if (value instanceof Float32Array) expectClose(state[Number(i)][key] as Float32Array, value, 1e-5);
    }
  }
  // Learned from one eager step and used from then on; per-step values (Adam's bias corrections, the batch)
  // are arguments of the plan, so one plan serves every later step of a shape.
  expect(delta(after, before, 'planCalls')).toBeGreaterThanOrEqual(steps - 4);
  expect(after.planFailures).toEqual([]);
  expect(after.fallbacks).toEqual([]);
  return { ...after, plansBuilt: delta(after, before, 'plansBuilt'), planCalls: delta(after, before, 'planCalls') };
}

/**
 * Per step, once a plan is learned: thread crossings, submits, reads and plan calls, over two steps of the engine's
 * own loop (the Trainer, accuracy counted, as the CLI and the engine host train). The counts are taken right after
 * a step's read, when nothing is queued: a request anywhere else would send part of a step on its own, which is a
 * different batch.
 */
function structure(build: Build, shape: number[], backend: GpujsBackend) {
  const runner = backend.runner as RemoteRunner;
  setBackend(backend.name);
  const { model, optimizer } = build();
  const data = batches(shape, 8);
  const snapshots: Array<RemoteStats & { crossings: number; downloads: number }> = [];
  const snapshot = () => snapshots.push({ ...runner.stats(), crossings: runner.crossings, downloads: backend.store!.downloads });
  const trainer = new Trainer({
    model, lossFn: crossEntropy, optimizer,
    observe: (step) => (step === 6 || step === 8 ? { afterBackward: snapshot, dispose: () => undefined } : null),
  });
  // Steady state from step 6 on: the first steps differ (kernel checks, Adam's first update), one is watched, and
  // the first plan call brings the eager steps' device values home once.
  for (const [x, y] of data) expect(trainer.trainBatch(x, y).kind).toBe('ok');
  endStep();
  const [before, after] = snapshots;
  return {
    crossings: (after.crossings - before.crossings - 1) / 2, // less the stats request
    submits: delta(after, before, 'submits') / 2,
    readbacks: delta(after, before, 'readbacks') / 2,
    planCalls: delta(after, before, 'planCalls') / 2,
    uploadBytes: delta(after, before, 'uploadBytes') / 2,
    readBytes: delta(after, before, 'readBytes') / 2,
    evictions: delta(after, before, 'evictions') / 2,
    /** Device values the engine read (the step's metrics; anything else left the device mid-step for a CPU kernel). */
    downloads: (after.downloads - before.downloads) / 2,
  };
}

/**
 * A repeated segment is recognised from the last one described without its signature being built again
 * (step-plans.ts `recognise`): the same launches and sizes, and every argument bound as before. Segments that
 * differ from the one before in how their arguments group (a small constant array's content, a large array's or
 * a device value's identity) are not that structure: each gets its own plan and the right result. Ones that
 * differ only in argument values (the batch, a number, constant arrays whose grouping is unchanged) share it.
 */
function expectRecognisedRightly(runner: RemoteRunner): void {
  const SCALE_SHIFT = 'function (x, c) {\n  return x[this.thread.x] * c[0] + c[1];\n}';
  const PICK = 'function (x, big) {\n  return x[this.thread.x] + big[this.thread.x * 100];\n}';
  const MIX = 'function (x, y, z, s) {\n  const i = this.thread.x;\n  return x[i] + y[i] * 2 + z[i] * 3 + s;\n}';
  type Held = { toArray(): Float32Array; delete(): void };
  const big = (k: number): Float32Array => Float32Array.from({ length: 400 }, (_, i) => (i % 100 === 0 ? k * (1 + i / 100) : -1));
  const bigA = big(1);
  const bigB = big(10);
  const w = runner.upload(Float32Array.from([1, 2, 3, 4])) as Held;
  const v = runner.upload(Float32Array.from([100, 200, 300, 400])) as Held;
  interface Variant { c1: number[]; c2: number[]; second: Float32Array; z: Held; s: number }
  const base: Variant = { c1: [2, 1], c2: [2, 1], second: bigA, z: w, s: 0.5 };
  let step = 0;
  /** One segment: upload, five launches, one read; the values freed with the next one, as a training step's are. */
  const run = (variant: Variant): void => {
    const x = Array.from({ length: 4 }, (_, i) => step + i);
    step++;
    const inX = runner.upload(Float32Array.from(x)) as Held;
    // Distinct arrays each launch, as the engine sends them: grouped by content, not by identity.
    const a = runner.runOnDevice({ source: SCALE_SHIFT, n: 4, args: [inX, Float32Array.from(variant.c1)] }) as Held;
    const b = runner.runOnDevice({ source: SCALE_SHIFT, n: 4, args: [a, Float32Array.from(variant.c2)] }) as Held;
    const d = runner.runOnDevice({ source: PICK, n: 4, args: [b, bigA] }) as Held;
    const e = runner.runOnDevice({ source: PICK, n: 4, args: [d, variant.second] }) as Held;
    const f = runner.runOnDevice({ source: MIX, n: 4, args: [e, w, variant.z, variant.s] }) as Held;
    const zValues = variant.z === w ? [1, 2, 3, 4] : [100, 200, 300, 400];
    const want = x.map((xi, i) => {
      const bi = (xi * variant.c1[0] + variant.c1[1]) * variant.c2[0] + variant.c2[1];
      return bi + bigA[i * 100] + variant.second[i * 100] + (i + 1) * 2 + zValues[i] * 3 + variant.s;
    });
    expect(Array.from(f.toArray())).toEqual(want);
    [inX, a, b, d, e, f].forEach((h) => h.delete());
  };
  // Three runs of a structure: watched, then planned and called twice.
  const thrice = (variant: Variant): { plansBuilt: number; planCalls: number; recognised: number } => {
    const before = runner.stats();
    for (let i = 0; i < 3; i++) run(variant);
    const after = runner.stats();
    return {
      plansBuilt: after.plansBuilt - before.plansBuilt,
      planCalls: after.planCalls - before.planCalls,
      recognised: after.recognised - before.recognised,
    };
  };
  run(base); // the kernels' first launches are checked, each its own segment
  thrice(base);
  // Learned: a base step is recognised from the last of its shape, and is one plan call. (The first after a stats
  // request has another shape: the request took the last step's frees.)
  const learned = thrice(base);
  expect(learned).toMatchObject({ plansBuilt: 0, planCalls: 3 });
  expect(learned.recognised).toBeGreaterThanOrEqual(2);
  // New values, the same grouping: the same plan.
  expect(thrice({ ...base, c1: [5, 0.5], c2: [5, 0.5], s: -3 })).toMatchObject({ plansBuilt: 0, planCalls: 3 });
  expect(thrice({ ...base, s: 7 })).toMatchObject({ plansBuilt: 0, planCalls: 3 });
  // A small array whose content now differs from its twin's: two arguments where there was one.
  expect(thrice({ ...base, c2: [3, -1] })).toMatchObject({ plansBuilt: 1, planCalls: 2 });
  // And back: the twins equal again, against a last-described structure where they differed.
  expect(thrice(base)).toMatchObject({ plansBuilt: 0, planCalls: 3 });
  // A large array that is another one where it was the same one (equal lengths).
  expect(thrice({ ...base, second: bigB })).toMatchObject({ plansBuilt: 1, planCalls: 2 });
  expect(thrice(base)).toMatchObject({ plansBuilt: 0, planCalls: 3 });
  // A device value from before the segment that is another one where it was the same one.
  expect(thrice({ ...base, z: v })).toMatchObject({ plansBuilt: 1, planCalls: 2 });
  expect(thrice(base)).toMatchObject({ plansBuilt: 0, planCalls: 3 });
  // A constant array that changes only from 0 to -0 keeps the structure (it joins alike), and the plan is
  // called with the new bits (1 / -0 is -Infinity).
  const RECIPROCAL = 'function (x, c) {\n  return x[this.thread.x] + 1 / c[0];\n}';
  const reciprocal = (zero: number): number[] => {
    const x = runner.upload(Float32Array.from([1, 2])) as Held;
    const y = runner.runOnDevice({ source: RECIPROCAL, n: 2, args: [x, Float32Array.from([zero])] }) as Held;
    const got = Array.from(y.toArray());
    x.delete();
    y.delete();
    return got;
  };
  for (let i = 0; i < 4; i++) expect(reciprocal(0)).toEqual([Infinity, Infinity]);
  const calls = runner.stats().planCalls;
  expect(reciprocal(-0)).toEqual([-Infinity, -Infinity]);
  expect(reciprocal(0)).toEqual([Infinity, Infinity]);
  expect(runner.stats().planCalls - calls).toBe(2);
  expect(runner.stats().planFailures).toEqual([]);
  w.delete();
  v.delete();
}

describe('step plans on gpu.js webasm in a worker', async () => {
  const plannedWorker = await startGpujsWorker({ mode: 'webasm' });
  const eagerWorker = await startGpujsWorker({ mode: 'webasm', plans: false });
  const planned = backendOn(plannedWorker, 'webasm', 'gpujs-webasm-plans');
  const eager = backendOn(eagerWorker, 'webasm', 'gpujs-webasm-eager');
  afterAll(() => {
    planned.dispose();
    eager.dispose();
  });

  it.each([
    ['an MLP with Adam', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
    ['a LeNet-like CNN with max pooling and Adam', lenetLike, [8, 1, 12, 12]],
  ] as const)('%s trains as on the eager path', (_, build, shape) => {
    const stats = expectPlansMatchEager(build, batches([...shape], 8), planned, eager);
    expect(stats.executors.some((e) => e.startsWith('fused-'))).toBe(true);
  });

  // #18: an optimizer whose update is a CPU loop (no gpu.js kernel) reads the gradients and writes the weights on
  // this thread every step. The plans must see those new weights as new inputs, not replay a stale device copy.
  it.each([
    ['NAdam', (m: Sequential) => new NAdam(m.parameters(), { lr: 0.02, weightDecay: 0.01 })],
    ['RAdam', (m: Sequential) => new RAdam(m.parameters(), { lr: 0.02, weightDecay: 0.01 })],
    ['Adamax', (m: Sequential) => new Adamax(m.parameters(), { lr: 0.02, weightDecay: 0.01 })],
  ] as const)('an MLP with %s (no update kernel) trains as on the eager path and on the CPU', (_, make) => {
    const build: Build = () => {
      const { model } = mlp();
      return { model, optimizer: make(model) as unknown as Optimizer<object> };
    };
    const data = batches([16, 48], 8);
    expectPlansMatchEager(build, data, planned, eager);
    const onCpu = train(build, data, 'cpu', planned.store!);
    const got = train(build, data, planned.name, planned.store!);
    expectClose(got.losses, onCpu.losses, 1e-5);
    expect(new Set(onCpu.losses).size).toBe(onCpu.losses.length);
  });

  it('an epoch whose last batch is smaller: that batch gets a plan of its own, and the run matches the eager one', () => {
    // Three epochs of 16 + 16 + 5 samples: the full batches share one plan, the short one has its own.
    const full = batches([16, 48], 2);
    const [[shortX, shortY]] = batches([5, 48], 1);
    const epoch = [...full, [shortX, shortY] as (typeof full)[number]];
    const stats = expectPlansMatchEager(mlp, [...epoch, ...epoch, ...epoch, ...epoch], planned, eager);
    expect(stats.plansBuilt).toBeGreaterThanOrEqual(2);
  });

  it('evaluation (forward only, no gradients) is planned too, with the same logits', () => {
    const evaluate = (backend: GpujsBackend) => {
      setBackend(backend.name);
      const { model } = lenetLike();
      model.eval();
      const runner = backend.runner as RemoteRunner;
      const before = runner.stats();
      const logits = noGrad(() => batches([8, 1, 12, 12], 8).map(([x]) => Array.from((model.forward(x) as Tensor).data)));
      return { logits, planCalls: runner.stats().planCalls - before.planCalls };
    };
    manualSeed(3);
    const got = evaluate(planned);
    manualSeed(3);
    const want = evaluate(eager);
    got.logits.forEach((l, i) => expectClose(l, want.logits[i], 1e-5));
    expect(got.planCalls).toBeGreaterThanOrEqual(5); // a forward pass is learned from its first repeat
    expect(want.planCalls).toBe(0);
  });

  it('a read larger than any before, in a batch that runs as a plan, still gets a reply buffer large enough', async () => {
    const worker = await startGpujsWorker({ mode: 'webasm' }); // its reply buffer is still the first, 1 MiB
    const runner = worker.runner;
    try {
      const ADD_ONE = 'function (x) {\n  return x[this.thread.x] + 1;\n}';
      const big = runner.upload(new Float32Array(600_000).fill(7)) as { toArray(): Float32Array };
      const step = () => {
        const input = runner.upload(Float32Array.from([1, 2, 3]));
        const out = runner.runOnDevice({ source: ADD_ONE, n: 3, args: [input] }) as { toArray(): Float32Array; delete(): void };
        (input as { delete(): void }).delete();
        return out;
      };
      for (let i = 0; i < 3; i++) {
        const out = step();
        expect(Array.from(out.toArray())).toEqual([2, 3, 4]);
        out.delete();
      }
      const before = runner.stats().planCalls;
      const out = step(); // planned; this time the batch ends with a 2.4 MB read
      const values = big.toArray();
      expect(values.length).toBe(600_000);
      expect(values[599_999]).toBe(7);
      expect(runner.stats().planCalls).toBe(before + 1);
      expect(Array.from(out.toArray())).toEqual([2, 3, 4]);
    } finally {
      runner.destroy();
    }
  });

  it('says why repeated steps were left kernel by kernel, for the engine host to show; nothing when plans ran', () => {
    expect(planned.stepNote!()).toBeNull();
    expect(eager.stepNote).toBeUndefined(); // no plans, nothing to say
    const runner = planned.runner as RemoteRunner;
    const real = runner.stats.bind(runner);
    runner.stats = () => ({ ...real(), planFailures: ['a step plan was not used: gpu.js said no'] });
    try {
      const note = planned.stepNote!()!;
      expect(note).toEqual({ code: 'backend.note.plansFailed', params: { backend: 'gpujs-webasm-plans', failure: 'a step plan was not used: gpu.js said no' } });
      expect(englishText(note)).toBe('gpujs-webasm-plans: a step plan was not used: gpu.js said no; those steps ran kernel by kernel (correct, slower)');
    } finally {
      runner.stats = real;
    }
  });

  it('a repeated segment is recognised without its signature; one that binds its arguments otherwise gets its own plan', () => {
    expectRecognisedRightly(planned.runner as RemoteRunner);
  });

  it('the eager worker never plans', () => {
    expect((eager.runner as RemoteRunner).stats().planCalls).toBe(0);
  });

  it('once learned, a LeNet-like step is one thread crossing, one plan call, one submit and one read', () => {
    expect(structure(lenetLike, [8, 1, 12, 12], planned)).toMatchObject({ crossings: 1, planCalls: 1, submits: 1, readbacks: 1 });
    // The eager reference: one crossing too, but a submit per launch.
    const reference = structure(lenetLike, [8, 1, 12, 12], eager);
    expect(reference).toMatchObject({ crossings: 1, planCalls: 0 });
    expect(reference.submits).toBeGreaterThan(20);
  });

  it('a value the plan did not keep, asked for after all, is computed again, and the step is learned again', () => {
    const runner = planned.runner as RemoteRunner;
    const ADD_ONE = 'function (x) {\n  return x[this.thread.x] + 1;\n}';
    let held: { toArray(): Float32Array; delete(): void } | null = null;
    const segment = (keepMiddle: boolean) => {
      const input = runner.upload(Float32Array.from([1, 2, 3]));
      const middle = runner.runOnDevice({ source: ADD_ONE, n: 3, args: [input] }) as { toArray(): Float32Array; delete(): void };
      const last = runner.runOnDevice({ source: ADD_ONE, n: 3, args: [middle] }) as { toArray(): Float32Array; delete(): void };
      const values = Array.from(last.toArray());
      (input as { delete(): void }).delete();
      last.delete();
      if (keepMiddle) held = middle;
      else middle.delete();
      return values;
    };
    const before = runner.stats();
    for (let i = 0; i < 4; i++) expect(segment(false)).toEqual([3, 4, 5]);
    const replays = runner.stats().planCalls - before.planCalls;
    expect(replays).toBeGreaterThanOrEqual(2); // learned from an eager run, then replayed
    // The plan did not return `middle` (it was always freed unused); this time it is kept and read after all.
    expect(segment(true)).toEqual([3, 4, 5]);
    expect(runner.stats().planCalls - before.planCalls).toBe(replays + 1);
    expect(Array.from(held!.toArray())).toEqual([2, 3, 4]);
    // Back to an eager run for that signature, which is watched again.
    const calls = runner.stats().planCalls;
    expect(segment(false)).toEqual([3, 4, 5]);
    expect(runner.stats().planCalls).toBe(calls);
  });
});

const webgpu = await startTestWebGpu();
const noWebGpu = 'skip' in webgpu ? webgpu.skip : null;
if (noWebGpu) console.log(`WebGPU step-plan checks skipped: ${noWebGpu}`);

describe.skipIf(noWebGpu !== null)('step plans on WebGPU (Dawn)', async () => {
  const eagerWorker = noWebGpu ? null : await startGpujsWorker({ mode: 'webgpu', plans: false });
  const handedBackWorker = noWebGpu ? null : await startGpujsWorker({ mode: 'webgpu', resident: false });
  const planned = noWebGpu ? null : backendOn(webgpu as GpujsWorker, 'webgpu', 'gpujs-webgpu-plans');
  const eager = eagerWorker ? backendOn(eagerWorker, 'webgpu', 'gpujs-webgpu-eager') : null;
  const handedBack = handedBackWorker ? backendOn(handedBackWorker, 'webgpu', 'gpujs-webgpu-handed-back') : null;
  afterAll(() => {
    planned?.dispose();
    eager?.dispose();
    handedBack?.dispose();
  });

  it.each([
    ['an MLP with Adam', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const)('%s trains as on the eager path, each step one resident plan', (_, build, shape) => {
    const stats = expectPlansMatchEager(build, batches([...shape], 6), planned!, eager!);
    expect(stats.executors).toEqual(['resident-encoder']);
    expect(stats.evictions).toBe(0);
  });

  it.each([
    ['an MLP with Adam', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const)("%s trains as on the eager path through gpu.js's own fused encoder too (resident plans off)", (_, build, shape) => {
    const stats = expectPlansMatchEager(build, batches([...shape], 6), handedBack!, eager!);
    expect(stats.executors).toContain('fused-encoder');
  });

  it("the engine's Trainer on resident plans: each batch's loss and correct count, and the evaluation's, as on the eager path", () => {
    // The step's metrics ([loss, correct]) come from the device in the step's one read; the count must be the
    // eager path's exactly, batch by batch, and the epoch's validation (forward-only plans) must agree too.
    const run = (backend: GpujsBackend) => {
      setBackend(backend.name);
      manualSeed(17);
      const { model, optimizer } = lenetLike();
      const trainer = new Trainer({ model, lossFn: crossEntropy, optimizer });
      const data = batches([16, 1, 12, 12], 5);
      const outcomes = [];
      for (let epoch = 0; epoch < 2; epoch++) {
        for (const [x, y] of data) outcomes.push(trainer.trainBatch(x, y));
        outcomes.push(trainer.finishEpoch(batches([16, 1, 12, 12], 2)));
      }
      endStep();
      return outcomes;
    };
    const runner = planned!.runner as RemoteRunner;
    const before = runner.stats();
    const got = run(planned!);
    const after = runner.stats();
    const want = run(eager!);
    expect(after.planCalls - before.planCalls).toBeGreaterThanOrEqual(6);
    expect(after.planFailures).toEqual([]);
    got.forEach((outcome, i) => {
      const reference = want[i];
      if ('kind' in outcome && 'kind' in reference) {
        expect(outcome.kind).toBe('ok');
        if (outcome.kind !== 'ok' || reference.kind !== 'ok') return;
        expect(outcome.correct).toBe(reference.correct);
        expectClose([outcome.loss], [reference.loss], 1e-5);
      } else if (!('kind' in outcome) && !('kind' in reference)) {
        expect(outcome.trainAcc).toBe(reference.trainAcc);
        expect(outcome.valAcc).toBe(reference.valAcc);
        expectClose([outcome.valLoss!], [reference.valLoss!], 1e-5);
      } else throw new Error(`outcome ${i} differs in kind`);
    });
    // Not a count that happens to agree at 0: some rows are right.
    expect(got.some((o) => 'kind' in o && o.kind === 'ok' && o.correct > 0)).toBe(true);
  });

  it('a repeated segment is recognised without its signature; one that binds its arguments otherwise gets its own resident plan', () => {
    expectRecognisedRightly(planned!.runner as RemoteRunner);
  });

  it('a step of the tutorial\'s CNN (average pooling) is one resident plan call, one submit and one read', () => {
    expect(structure(tutorialCnn, [4, 1, 12, 12], planned!)).toMatchObject({ crossings: 1, planCalls: 1, submits: 1, readbacks: 1, evictions: 0, downloads: 1 });
  });

  it('epochs of training with an evaluation after each: the evaluation plan reads the weights where training left them', () => {
    // As the trainer does: a few steps, then a forward-only pass over held-out batches, three times. The two
    // plans take turns; the evaluation binds the training plan's result buffers as its weights.
    const run = (backend: GpujsBackend) => {
      setBackend(backend.name);
      manualSeed(11);
      const { model, optimizer } = mlp();
      const data = batches([16, 48], 4);
      const held = batches([16, 48], 2);
      const losses: number[] = [];
      const logits: number[][] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        model.train();
        for (const [x, y] of data) {
          endStep();
          const loss = crossEntropy(model.forward(x) as Tensor, y);
          loss.backward();
          losses.push(loss.item());
          optimizer.step();
          optimizer.zeroGrad(true);
        }
        model.eval();
        noGrad(() => held.forEach(([x]) => logits.push(Array.from((model.forward(x) as Tensor).data))));
      }
      return { losses, logits, weights: model.parameters().map((p) => p.data) };
    };
    const runner = planned!.runner as RemoteRunner;
    const before = runner.stats();
    const got = run(planned!);
    const after = runner.stats();
    const want = run(eager!);
    expectClose(got.losses, want.losses, 1e-5);
    got.logits.forEach((l, i) => expectClose(l, want.logits[i], 1e-5));
    got.weights.forEach((w, i) => expectClose(w, want.weights[i], 1e-5));
    expect(after.planCalls - before.planCalls).toBeGreaterThanOrEqual(8);
    expect(after.evictions - before.evictions).toBe(0);
    expect(after.planFailures).toEqual([]);
  });

  it('takes no mirrors where the state stays on the device: they would bring it all back every step', () => {
    const shadow = new Float32Array(new SharedArrayBuffer(8));
    const mirrorOn = (backend: GpujsBackend): boolean => {
      const runner = backend.runner as RemoteRunner;
      const texture = runner.upload(Float32Array.from([5]));
      try {
        return runner.mirror([{ texture, shadow, offset: 0 }], 1);
      } finally {
        (texture as { delete(): void }).delete();
      }
    };
    expect((planned!.runner as RemoteRunner).keepsStateOnDevice).toBe(true);
    expect(mirrorOn(planned!)).toBe(false);
    expect((handedBack!.runner as RemoteRunner).keepsStateOnDevice).toBe(false);
    expect(mirrorOn(handedBack!)).toBe(true);
  });

  it('values kept past the call that writes over their buffer are brought home first, and read correctly', () => {
    // Each step adds one to the last step's value and reads a probe; every earlier value stays held (not freed),
    // so each plan call writes over a buffer whose value is still wanted: it must come home first (an eviction).
    const runner = planned!.runner as RemoteRunner;
    const ADD_ONE = 'function (x) {\n  return x[this.thread.x] + 1;\n}';
    type Held = { toArray(): Float32Array; delete(): void };
    const before = runner.stats();
    let value = runner.upload(Float32Array.from([1, 2, 3])) as Held;
    const held: Held[] = [value];
    for (let i = 0; i < 8; i++) {
      const next = runner.runOnDevice({ source: ADD_ONE, n: 3, args: [value] }) as Held;
      const probe = runner.runOnDevice({ source: ADD_ONE, n: 3, args: [next] }) as Held;
      expect(Array.from(probe.toArray())).toEqual([3 + i, 4 + i, 5 + i]);
      probe.delete();
      held.push(next);
      value = next;
    }
    const after = runner.stats();
    expect(after.planCalls - before.planCalls).toBeGreaterThanOrEqual(4);
    expect(after.evictions - before.evictions).toBeGreaterThan(0);
    held.forEach((h, i) => expect(Array.from(h.toArray())).toEqual([1 + i, 2 + i, 3 + i]));
    held.forEach((h) => h.delete());
  });

  it('a value a resident plan did not keep, asked for after all, is computed again from the arguments it held', () => {
    // As on webasm above, but the plan's argument is itself a resident value of an earlier call: the recipe holds
    // it (pinned) until the dropped value is freed or computed again.
    const runner = planned!.runner as RemoteRunner;
    const ADD_ONE = 'function (x) {\n  return x[this.thread.x] + 1;\n}';
    const TIMES_TWO = 'function (x) {\n  return x[this.thread.x] * 2;\n}';
    type Held = { toArray(): Float32Array; delete(): void };
    let state = runner.upload(Float32Array.from([1, 2])) as Held;
    let kept: Held | null = null;
    const before = runner.stats();
    const values: number[][] = [];
    let x = [1, 2];
    for (let i = 0; i < 6; i++) {
      const middle = runner.runOnDevice({ source: TIMES_TWO, n: 2, args: [state] }) as Held;
      const next = runner.runOnDevice({ source: ADD_ONE, n: 2, args: [middle] }) as Held;
      const probe = runner.runOnDevice({ source: ADD_ONE, n: 2, args: [next] }) as Held;
      values.push(Array.from(probe.toArray()));
      probe.delete();
      state.delete();
      state = next;
      if (i === 5) kept = middle; // held this time, and read after the step's read
      else middle.delete();
      x = x.map((v) => v * 2 + 1);
      expect(values[i]).toEqual(x.map((v) => v + 1));
    }
    expect(runner.stats().planCalls - before.planCalls).toBeGreaterThanOrEqual(2);
    const restores = runner.stats().restores;
    expect(Array.from(kept!.toArray())).toEqual(x.map((v) => v - 1)); // the last step's middle: 2 × state
    expect(runner.stats().restores).toBe(restores + 1);
    expect(Array.from(state.toArray())).toEqual(x);
    kept!.delete();
    state.delete();
  });

  it('the dropout mask on the device equals the CPU\'s bit for bit (float32 holds every value of its hash)', () => {
    const attrs = { keep: 0.75, seedA: 4092, seedB: 17, dtype: 'float32' as const };
    const size = 3 * 9216 + 11;
    const launch = plans.planDropoutMask(size, attrs, { macs: 0, elements: 0 })!;
    expect(Array.from(planned!.runner.run(launch))).toEqual(Array.from(cpuKernels.DropoutMask(size, attrs)));
  });

  it("a LeNet-like step is one crossing, one resident plan call, one submit and one read; only the batch goes up, only the step's metrics come back", () => {
    const got = structure(lenetLike, [4, 1, 12, 12], planned!);
    expect(got).toMatchObject({ crossings: 1, planCalls: 1, submits: 1, readbacks: 1, evictions: 0 });
    // The batch is 4 × 144 floats and its targets 4; the 780 weights and Adam's two moments of each stay on the
    // device. What else goes up is the numbers that change per step: Adam's bias corrections, in the params
    // uniforms (256-byte slots of one buffer, written in one range) of its 18 update kernels (weight, moment,
    // moment for 6 tensors).
    const batchBytes = 4 * (4 * 144 + 4);
    const stateBytes = 4 * 3 * 780;
    expect(got.uploadBytes).toBeGreaterThanOrEqual(batchBytes);
    expect(got.uploadBytes).toBeLessThanOrEqual(batchBytes + 18 * 256);
    expect(got.readBytes).toBe(16); // the step's metrics, [loss, correct], in one 16-byte row of the staging buffer
    // Through gpu.js's fused encoder the whole state comes back, and goes up again, every step.
    const handed = structure(lenetLike, [4, 1, 12, 12], handedBack!);
    expect(handed).toMatchObject({ crossings: 1, planCalls: 1, submits: 1, readbacks: 1 });
    expect(handed.readBytes).toBeGreaterThanOrEqual(stateBytes);
    const reference = structure(lenetLike, [4, 1, 12, 12], eager!);
    expect(reference.submits).toBeGreaterThan(20);
  });
});
