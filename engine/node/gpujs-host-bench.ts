/**
 * `npx tsx engine/node/gpujs-host-bench.ts [preset] [steps] [--gap MS] [--warm N] [--rounds N]`: the engine
 * thread's CPU time per training step on `gpujs-webgpu`, with a stub gpu.js thread that answers at once (zeros).
 * What the bench's "engine thread CPU" mixes with SwiftShader's seconds per step is here alone: autograd, kernel
 * planning, the RemoteRunner, and the step's message (serialised on this thread, as a real worker's is).
 *
 *   --gap MS   the stub keeps its core busy, walking 32 MB, for MS before it answers each read, as a device step
 *              does: this thread then starts every step cold, as in the bench (SwiftShader takes ~2.5 s a LeNet-5
 *              step here). Without it each step finds its code and data in cache: the cost of the work itself.
 *   --warm N   untimed steps first (default 20: the plans' warm-up, and most of the JIT's; the bench takes 6, so its
 *              60 timed steps still run much of this thread's code in V8's first tiers).
 *   --rounds N rounds of `steps` timed steps (default 3).
 *
 * It also prints a hash of what crossed over the last 10 untimed steps (each launch's source, size and argument
 * values, each upload, each free and request), so that a change meant to cost less can show that it sends the same.
 * Per-thread CPU time needs Linux (./thread-cpu.ts).
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { registerBackend, setBackend } from '../backend/backend';
import { createGpujsBackend, RemoteRunner, remoteChannel, type RemoteMessage } from '../backend/gpujs/index';
import { REPLY } from '../backend/gpujs/remote-worker';
import { manualSeed, Random } from '../random';
import { Tensor } from '../tensor';
import { measuresAccuracy, PRESETS } from '../../common/model-spec/index';
import { buildModel, inputShape, makeLoss, makeOptimizer, makeTargetsOf, prepareInput } from '../model-spec/index';
import { Trainer } from '../train/trainer';
import { threadCpuClock } from './thread-cpu';

const BATCH = 64;
const HASHED_STEPS = 10;

/** The stub's program: remembers each value's length, answers reads with zeros, stats with empty counts. */
const STUB = `
const { parentPort, workerData } = require('node:worker_threads');
const { control, data, gap, layout: L } = workerData;
const gapMs = new Int32Array(gap);
const flags = new Int32Array(control);
const lengths = new Map();
const cold = new Float32Array(8 << 20);
const busy = () => {
  const end = Date.now() + gapMs[0];
  while (Date.now() < end) for (let i = 0; i < cold.length; i += 16) cold[i] += 1;
};
const answer = (m) => {
  if (m.t === 'batch') return m.messages.forEach(answer);
  if (m.t === 'launch') lengths.set(m.id, m.n);
  else if (m.t === 'upload') lengths.set(m.id, m.values.length);
  else if (m.t === 'free') lengths.delete(m.id);
  if (!('ticket' in m)) return;
  let length = 0;
  if (m.t === 'read') {
    if (gapMs[0] > 0) busy();
    length = lengths.get(m.id) ?? 0;
    new Float32Array(data, 0, length).fill(0);
  } else if (m.t === 'stats') {
    const text = JSON.stringify({ launches: 0, submits: 0, dispatches: 0, readbacks: 0, plansBuilt: 0, planCalls: 0, restores: 0,
      planFailures: [], executors: [], uploadBytes: 0, readBytes: 0, evictions: 0, planHostMs: 0, fallbacks: [], threadCpuMs: null });
    const units = new Uint16Array(data);
    for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
    length = text.length;
  }
  flags[L.STATUS] = L.OK;
  flags[L.LENGTH] = length;
  Atomics.store(flags, L.TICKET, m.ticket);
  Atomics.notify(flags, L.TICKET);
};
parentPort.on('message', answer);
`;

/** Adds a message to the hash: its structure and every value it carries. */
function hashMessage(hash: ReturnType<typeof createHash>, m: RemoteMessage): void {
  if (m.t === 'batch') return m.messages.forEach((inner) => hashMessage(hash, inner));
  if (m.t === 'launch') {
    hash.update(`L${m.source}:${m.n}(`);
    for (const a of m.args) {
      if (typeof a === 'number') hash.update(`n${a},`);
      else if (a instanceof Float32Array) hash.update(`A${a.length}:`).update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      else hash.update(`r${a.ref},`);
    }
    hash.update(')');
  } else if (m.t === 'upload') hash.update(`U${m.values.length}:`).update(new Uint8Array(m.values.buffer, m.values.byteOffset, m.values.byteLength));
  else if (m.t === 'mirror') hash.update(`M${m.generation}`);
  else if (m.t === 'data') hash.update('D');
  else hash.update(JSON.stringify(m));
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(args.splice(at, 2)[1]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} takes a number`);
    return value;
  };
  const gapMs = option('--gap', 0);
  const rounds = option('--rounds', 3);
  const warmSteps = option('--warm', 20);
  const preset = args[0] ?? 'LeNet-5';
  const steps = Number(args[1] ?? (gapMs > 0 ? 40 : 400));
  const spec = PRESETS[preset];
  if (!spec) throw new Error(`no preset ${preset}`);
  const clock = threadCpuClock();
  if (!clock) throw new Error('this needs a per-thread CPU clock (Linux)');

  const channel = remoteChannel('webgpu');
  // The gap is shared so that it starts with the timed steps.
  const gap = new Int32Array(new SharedArrayBuffer(4));
  const stub = new Worker(STUB, { eval: true, workerData: { control: channel.control, data: channel.data, gap: gap.buffer, layout: REPLY } });
  stub.unref();
  let hash: ReturnType<typeof createHash> | null = null;
  const runner = new RemoteRunner('webgpu', {
    post(message, transfer) {
      if (hash) hashMessage(hash, message); // before it is posted: a moved buffer is empty after
      stub.postMessage(message, transfer);
    },
    terminate: () => void stub.terminate(),
  }, channel);
  registerBackend(createGpujsBackend({ runner, mode: 'webgpu', name: 'gpujs-webgpu-stub' }));
  setBackend('gpujs-webgpu-stub');

  manualSeed(0);
  const model = buildModel(spec);
  const lossFn = makeLoss(spec);
  const optimizer = makeOptimizer(spec, model.parameters());
  const rng = new Random(1);
  const shape = [BATCH, ...inputShape(spec)];
  // Eight synthetic batches in turn, as the bench's.
  const batches = Array.from({ length: 8 }, () => {
    const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const y = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) y[i] = Math.floor(rng.uniform() * 10);
    return [new Tensor(x, shape), new Tensor(y, [BATCH])] as const;
  });
  // The bench's step (engine/node/bench-cli.ts timeTraining): the engine's Trainer, the step's metrics in one read.
  const trainer = new Trainer({ model, lossFn, optimizer, inputOf: (x) => prepareInput(spec, x), targetsOf: makeTargetsOf(spec), accuracy: measuresAccuracy(spec) });
  const step = (i: number): void => {
    const [x, y] = batches[i % batches.length];
    trainer.trainBatch(x, y);
  };
  // The last (up to) 10 untimed steps are hashed.
  const hashed = Math.min(HASHED_STEPS, warmSteps);
  for (let i = 0; i < warmSteps; i++) {
    if (i === warmSteps - hashed) hash = createHash('sha1');
    step(i);
  }
  if (hash) console.log(`${preset}: what crossed in steps ${warmSteps - hashed + 1}–${warmSteps} hashes to ${hash.digest('hex').slice(0, 16)}`);
  hash = null;
  gap[0] = gapMs;
  for (let r = 0; r < rounds; r++) {
    const cpu0 = clock();
    for (let i = 0; i < steps; i++) step(i);
    console.log(`${preset}: engine thread CPU ${((clock() - cpu0) / steps).toFixed(3)} ms/step over ${steps} steps${gapMs > 0 ? ` (${gapMs} ms busy gap per step)` : ''}`);
  }
  runner.destroy();
}

main();
