/**
 * Issue #17's crash acceptance, through the real process boundary: the engine host is killed with -9 at seeded
 * random points, 10 times (mid-batch, and now and then mid-checkpoint-write), while a run trains. The run still
 * completes every epoch once, each kill loses at most the work since the last checkpoint within the epoch (30 s in
 * the app; LAYERLAB_CHECKPOINT_MS shortens it here), and no temp file is left behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineEvent, RunMeta } from '../../../common/engine-protocol';
import { mulberry32 } from '../../../common/split';
import { logisticSpec, startHarness, type Harness } from './test-support/harness';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

// Short enough that an epoch (275 batches of 2, a fraction of a second on a quiet machine) has several.
const CHECKPOINT_MS = 50;
const KILLS = Number(process.env.KILLS ?? 10);
// Long enough (at thousands of batches a second) that all the kills land while it trains.
const EPOCHS = 40;

let h: Harness;
beforeAll(async () => {
  // The supervisor's own guard (5 crashes a minute → failed) is not what this tests: ten kills come faster.
  h = await startHarness({ env: { LAYERLAB_CHECKPOINT_MS: String(CHECKPOINT_MS) }, supervisor: { maxCrashes: 100 } });
  await h.waitReady();
});
afterAll(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`a run killed ${KILLS} times at random points completes, losing at most the work since its last checkpoint`, async () => {
  const random = mulberry32(17);
  h.send({ type: 'run-start', spec: logisticSpec({ batchSize: 2 }), dataset: 'synth', options: { epochs: EPOCHS, name: 'crash test', backend: 'cpu' } });
  const { runId } = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started');
  const runDir = join(h.dataDir, 'runs', runId);
  const committedStep = () => {
    const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunMeta;
    return meta.partial?.step ?? meta.step;
  };
  await h.waitFor((e) => e.type === 'run-batch' && e.runId === runId);

  const lost: { steps: number; seconds: number }[] = [];
  let midEpoch = 0;
  let withinEpoch = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    // Progress first (a checkpoint beyond the last resume), so every kill is one the run survives by itself.
    const since = committedStep();
    while (committedStep() <= since) await sleep(20);
    await sleep(random() * 2 * CHECKPOINT_MS);
    expect(h.events.some((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'completed'), 'the run ended before the kills').toBe(false);
    const before = h.events.length;
    const pid = h.supervisor.status.pid!;
    process.kill(pid, 'SIGKILL');
    while (h.supervisor.status.pid === pid) await sleep(10);
    const batches = h.events.slice(0, before).filter((e): e is Ev<'run-batch'> => e.type === 'run-batch' && e.runId === runId);
    const last = batches.at(-1)!;
    // Killed after a checkpoint within the epoch it was training: it must resume there, not at the epoch's start.
    const partial = (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunMeta).partial;
    if (partial && partial.epoch === last.epoch) withinEpoch++;
    await h.waitReady();
    const recovered = await h.waitFor<Ev<'run-recovered'>>((e) => e.type === 'run-recovered' && e.runId === runId, { from: before });
    if (/resumed from its checkpoint in epoch \d+, after batch \d+/.test(recovered.message)) midEpoch++;
    const resumed = await h.waitFor<Ev<'run-batch'>>((e) => e.type === 'run-batch' && e.runId === runId, { from: before });
    // Steps trained before the kill and trained again after it; the time they took at the run's own pace.
    const steps = Math.max(0, last.step - (resumed.step - resumed.window.loss.length));
    lost.push({ steps, seconds: steps / Math.max(1, last.samplesPerSec / 2) });
  }

  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'completed', { ms: 300_000 });
  const from = h.events.length;
  h.send({ type: 'run-open', runId });
  const { run } = await h.waitFor<Ev<'run-detail'>>((e) => e.type === 'run-detail', { from });
  expect(run.meta).toMatchObject({ state: 'completed', epochsDone: EPOCHS, recoveries: KILLS });
  expect(run.history.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, k) => k + 1));
  // 30 s in the app; here the checkpoint interval, plus the write and a batch in flight.
  for (const loss of lost) expect(loss.seconds, JSON.stringify(lost)).toBeLessThan(CHECKPOINT_MS / 1000 + 1);
  // Every kill after a checkpoint within the epoch resumed there rather than at the epoch's start (one written
  // between the read above and the kill counts too, hence at least), and there were such kills.
  expect(withinEpoch).toBeGreaterThanOrEqual(1);
  expect(midEpoch).toBeGreaterThanOrEqual(withinEpoch);
  const files = [...readdirSync(runDir), ...readdirSync(join(runDir, 'epochs'))];
  expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(run.history.epochs.at(-1)!.valAcc).toBeGreaterThan(0.5);
}, 600_000);
