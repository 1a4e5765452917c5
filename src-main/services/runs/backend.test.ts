/**
 * The backend a run trains on, through the real process boundary: the engine host registers its backends at start
 * (cpu, wasm, wasm+threads, gpujs-webasm where they run), times the run's model on each at run start, trains on
 * the fastest and says so in `run-backend` (and in later hellos); a run's `backend` option skips the measurement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
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

async function run(options: object): Promise<{ runId: string; backend: Ev<'run-backend'> }> {
  const from = h.events.length;
  h.send({ type: 'run-start', spec: logisticSpec(), dataset: 'synth', options: { epochs: 1, ...options } });
  const { runId } = await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started', { from });
  const backend = await h.waitFor<Ev<'run-backend'>>((e) => e.type === 'run-backend' && e.runId === runId, { from });
  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'completed', { from });
  return { runId, backend };
}

async function hello(): Promise<Ev<'hello'>['hello']> {
  const from = h.events.length;
  h.send({ type: 'hello' });
  return (await h.waitFor<Ev<'hello'>>((e) => e.type === 'hello', { from })).hello;
}

describe('run backends', () => {
  it('lists the engine backends in the hello, beside the gpu.js probes', async () => {
    const names = (await hello()).backends.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['cpu', 'webasm', 'wasm']));
  });

  it('measures every backend at run start, trains on the fastest, and reports the figures in ms', async () => {
    const { backend } = await run({});
    expect(backend.overridden).toBe(false);
    const measured = backend.figures.filter((f) => f.msPerStep !== null);
    expect(measured.map((f) => f.backend)).toEqual(expect.arrayContaining(['cpu', 'wasm']));
    for (const f of measured) expect(f.msPerStep).toBeGreaterThan(0);
    const fastest = measured.reduce((a, b) => (b.msPerStep! < a.msPerStep! ? b : a));
    expect(backend.chosen).toBe(fastest.backend);
    expect((await hello()).backendInUse).toBe(backend.chosen);
  });

  it("honours the run's backend option without measuring", async () => {
    for (const name of ['cpu', 'wasm']) {
      const { runId, backend } = await run({ backend: name });
      expect(backend).toEqual({ type: 'run-backend', runId, chosen: name, figures: [], overridden: true });
      expect((await hello()).backendInUse).toBe(name);
    }
  });
});
