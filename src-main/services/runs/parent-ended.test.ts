/**
 * Issue #17.6: a run whose engine host ended because the browser host did (killed with -9, or stopped with Ctrl+C,
 * or killed together with it, as Electron's main takes its utility process along)
 * was counted as crashing it, and after a few restarts of the server showed `failed`. Through real server processes
 * (src-main/web/cli.ts) sharing one data folder: the run resumes after each, and its crash count stays 0.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineEvent, RunMeta } from '../../../common/engine-protocol';
import { writeIdx } from '../../../common/idx';
import type { ServerFrame } from '../../../common/web-protocol';
import { connect, startServerProcess, type Client, type ServerProcess } from '../../web/test-support/server-process';
import { DatasetService } from '../datasets';
import { logisticSpec, syntheticIdx } from './test-support/harness';

let dir: string;
let server: ServerProcess | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerlab-parent-'));
  const datasets = new DatasetService({ cacheDir: join(dir, 'data', 'datasets'), env: {} });
  const { images, labels } = syntheticIdx('learnable', 600, 1);
  const paths = [['synth-images', writeIdx({ shape: [600, 28, 28], data: images })], ['synth-labels', writeIdx({ shape: [600], data: labels })]]
    .map(([name, bytes]) => {
      const path = join(dir, name as string);
      writeFileSync(path, bytes as Uint8Array);
      return path;
    });
  await datasets.import(paths, { name: 'synth' });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const engineEvent = <T extends EngineEvent['type']>(type: T, test: (e: Extract<EngineEvent, { type: T }>) => boolean = () => true) =>
  (f: ServerFrame) => f.kind === 'engine' && f.message.type === type && test(f.message as Extract<EngineEvent, { type: T }>);

/** A socket to a ready engine, registered with it as a tab (the engine host learns of tabs from their frames). */
async function tab(s: ServerProcess): Promise<{ c: Client; enginePid: number }> {
  const c = await connect(s);
  c.send({ kind: 'engine', message: { type: 'ping', id: 1 } });
  const pong = await c.next(engineEvent('pong'));
  return { c, enginePid: (pong as { message: { pid: number } }).message.pid };
}

async function gone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The run goes on with no resume counted against it (nothing marked either); then it is stopped. */
async function expectRunningUncounted(c: Client, runId: string): Promise<void> {
  c.send({ kind: 'engine', message: { type: 'run-open', runId } });
  const detail = await c.next(engineEvent('run-detail'));
  const meta = (detail as { message: { run: { meta: RunMeta } } }).message.run.meta;
  expect(meta).toMatchObject({ state: 'running', recoveries: 0 });
  expect(meta.parentEnded).toBeUndefined();
  expect(meta.recoveredAtStep).toBeUndefined();
  c.send({ kind: 'engine', message: { type: 'run-stop', runId } });
  await c.next(engineEvent('run-state', (e) => e.run.id === runId && e.run.state === 'stopped'));
  c.ws.close();
}

it('resumes a run after its server was killed or stopped, without counting either against it', async () => {
  server = await startServerProcess(dir);
  let { c, enginePid } = await tab(server);
  c.send({ kind: 'engine', message: { type: 'run-start', spec: logisticSpec({ batchSize: 2 }), dataset: 'synth', options: { epochs: 50, name: 'parent' } } });
  const started = await c.next(engineEvent('run-started'));
  const runId = (started as { message: { runId: string } }).message.runId;
  await c.next(engineEvent('run-epoch', (e) => e.runId === runId));

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    process.kill(server.pid, signal);
    await server.stop();
    await gone(enginePid); // it noticed its parent end, marked the run, and exited
    server = await startServerProcess(dir);
    ({ c, enginePid } = await tab(server));
    const recovered = await c.next(engineEvent('run-recovered', (e) => e.runId === runId));
    expect((recovered as { message: { message: string } }).message.message, signal).toMatch(/^LayerLab was closed during run "parent"; it resumed/);
  }

  await expectRunningUncounted(c, runId);
}, 300_000);

// Electron's main cannot be killed here (no Electron binary), but what its death does to the engine host can: Chromium
// ends the utility process at once, so the host never marks the run. The engine host and its server are killed
// together, twice, the second time before the run got any further: the first host of each new server resumes it,
// and neither counts against it.
it('resumes a run after the app and its engine host were killed at once, without counting either against it', async () => {
  server ??= await startServerProcess(dir);
  let { c, enginePid } = await tab(server);
  c.send({ kind: 'engine', message: { type: 'run-start', spec: logisticSpec({ batchSize: 2 }), dataset: 'synth', options: { epochs: 50, name: 'killed together' } } });
  const started = await c.next(engineEvent('run-started'));
  const runId = (started as { message: { runId: string } }).message.runId;
  await c.next(engineEvent('run-epoch', (e) => e.runId === runId));

  for (const round of [1, 2]) {
    process.kill(enginePid, 'SIGKILL');
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    await gone(enginePid);
    server = await startServerProcess(dir);
    ({ c, enginePid } = await tab(server));
    const recovered = await c.next(engineEvent('run-recovered', (e) => e.runId === runId));
    expect((recovered as { message: { message: string } }).message.message, `round ${round}`).toMatch(/^LayerLab was closed during run "killed together"; it resumed/);
  }

  await expectRunningUncounted(c, runId);
}, 300_000);
