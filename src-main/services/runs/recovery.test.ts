/**
 * Crash recovery through the real process boundary: kill -9 the engine host in the middle of an epoch; the
 * supervisor starts a new one, RunsService configures it, the run resumes from its last checkpoint (losing only the
 * epoch in progress), the renderer is told, and the run trains to completion with each epoch in its history once.
 * A run that crashes the engine host a second time is left stopped for the user to restart.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineEvent, RunMeta } from '../../../common/engine-protocol';
import { logisticSpec, startHarness, type Harness } from './test-support/harness';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.waitReady();
});
afterAll(async () => {
  await h?.close();
});

it('resumes a run from its last checkpoint after the engine host is killed mid-epoch', async () => {
  h.send({ type: 'run-start', spec: logisticSpec({ batchSize: 2 }), dataset: 'synth', options: { epochs: 5, name: 'crash' } });
  const { runId } = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started');
  await h.waitFor((e) => e.type === 'run-epoch' && e.epoch === 2);
  await h.waitFor((e) => e.type === 'run-batch' && e.epoch === 3);
  const oldPid = h.supervisor.status.pid!;
  process.kill(oldPid, 'SIGKILL');

  while (h.supervisor.status.state === 'ready' && h.supervisor.status.pid === oldPid) await new Promise((r) => setTimeout(r, 20));
  const restartedAt = h.events.length;
  // Everything the old process sent has arrived by now: what it reported as committed.
  const committed = h.events.slice(0, restartedAt).filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch').map((e) => e.epoch);
  const newPid = await h.waitReady();
  expect(newPid).not.toBe(oldPid);
  expect(h.supervisor.status.reason).toBeNull();
  expect(h.supervisor.status.restarts).toBe(1);

  const recovered = await h.waitFor<Ev<'run-recovered'>>((e) => e.type === 'run-recovered', { from: restartedAt });
  // The last epoch the old process reported (it may, rarely, have committed one more and died before saying so).
  const lastReported = Math.max(...committed);
  expect(recovered.runId).toBe(runId);
  expect([lastReported + 1, lastReported + 2]).toContain(recovered.fromEpoch);
  const resumedAfter = recovered.fromEpoch - 1;
  expect(recovered.message).toMatch(new RegExp(`stopped unexpectedly.*resumed from its checkpoint after epoch ${resumedAfter}`));
  // The same sentence as a code, for the renderer to word in the learner's language.
  expect(recovered.messageText).toMatchObject({ code: 'recovered.crashed.afterEpoch', params: { epoch: resumedAfter, next: resumedAfter + 1 } });
  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'completed', { from: restartedAt });

  const epochsAfter = h.events.slice(restartedAt).filter((e): e is Ev<'run-epoch'> => e.type === 'run-epoch').map((e) => e.epoch);
  expect(epochsAfter).toEqual(Array.from({ length: 5 - resumedAfter }, (_, k) => resumedAfter + 1 + k));
  // At most the epoch in progress was trained twice; the history has every epoch once.
  const from = h.events.length;
  h.send({ type: 'run-open', runId });
  const { run } = await h.waitFor<Ev<'run-detail'>>((e) => e.type === 'run-detail', { from });
  expect(run.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
  expect(run.meta).toMatchObject({ state: 'completed', epochsDone: 5, recoveries: 1 });
  expect(run.history.markers).toEqual([expect.objectContaining({ kind: 'recovered', epoch: resumedAfter + 1 })]);
  expect(run.history.epochs.at(-1)!.valAcc).toBeGreaterThan(0.5);
});

// #17.2: a run that crashed (or hung) its engine host kept being resumed, crashing it again. After the second time
// it is left stopped, with the reason, and the user chooses to restart it.
it('does not resume by itself a run that crashed the engine host twice; the user can restart it', async () => {
  const start = h.events.length;
  h.send({ type: 'run-start', spec: logisticSpec({ batchSize: 2 }), dataset: 'synth', options: { epochs: 30, name: 'crashes twice' } });
  const { runId } = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started', { from: start });
  await h.waitFor((e) => e.type === 'run-epoch' && e.runId === runId && e.epoch === 1, { from: start });

  const crash = async () => {
    const pid = h.supervisor.status.pid!;
    process.kill(pid, 'SIGKILL');
    while (h.supervisor.status.pid === pid) await new Promise((r) => setTimeout(r, 20));
    const restartedAt = h.events.length;
    await h.waitReady();
    return restartedAt;
  };
  const first = await crash();
  await h.waitFor<Ev<'run-recovered'>>((e) => e.type === 'run-recovered' && e.runId === runId, { from: first });
  await h.waitFor((e) => e.type === 'run-batch' && e.runId === runId, { from: first });
  const second = await crash();

  let meta: RunMeta | null = null;
  for (let tries = 0; tries < 300 && meta?.state !== 'stopped'; tries++) {
    const from = h.events.length;
    h.send({ type: 'run-open', runId });
    meta = (await h.waitFor<Ev<'run-detail'>>((e) => e.type === 'run-detail', { from })).run.meta;
    if (meta.state !== 'stopped') await new Promise((r) => setTimeout(r, 100));
  }
  expect(meta).toMatchObject({ state: 'stopped', recoveries: 1, reason: expect.stringMatching(/crashed or stopped answering twice during this run without it getting further.* Restart it from its last checkpoint \(epoch \d+\)/) });
  expect(meta!.reasonText).toEqual([{ code: 'reason.stuck', params: { epoch: meta!.epochsDone } }]);
  expect(h.events.slice(second).some((e) => e.type === 'run-recovered')).toBe(false);

  const from = h.events.length;
  h.send({ type: 'run-restart', runId });
  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'running', { from });
  h.send({ type: 'run-stop', runId });
  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'stopped', { from });
});

// #17.6: a kill -9 during a checkpoint write left weights.safetensors.<pid>.tmp behind for good.
it('removes the temp files a killed engine host left in run folders when the next one starts', async () => {
  const runsDir = join(h.dataDir, 'runs');
  const [run] = readdirSync(runsDir).filter((name) => !name.startsWith('.'));
  const deadPid = h.supervisor.status.pid!;
  const leftover = join(runsDir, run!, `weights.safetensors.${deadPid}.tmp`);
  writeFileSync(leftover, 'half a checkpoint');
  process.kill(deadPid, 'SIGKILL');
  while (h.supervisor.status.pid === deadPid) await new Promise((r) => setTimeout(r, 20));
  await h.waitReady();
  const from = h.events.length;
  h.send({ type: 'runs-list' }); // answered once the new host is configured, and so has swept
  await h.waitFor((e) => e.type === 'runs', { from });
  expect(existsSync(leftover)).toBe(false);
});
