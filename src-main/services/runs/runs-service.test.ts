import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineRequest } from '../../../common/engine-protocol';
import { checkTrainingRequest } from '../../../common/training-protocol';
import type { LoadedDataset } from '../datasets/load';
import { DatasetService } from '../datasets/service';
import { tinyDataset } from '../datasets/test-helpers';
import { RunsService, type SupervisedEngine } from './runs-service';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'layerlab-runs-svc-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** A supervisor stand-in: the test drives its status and its engine's messages. */
function fakeEngine() {
  const sent: EngineRequest[] = [];
  const process = { send: (m: EngineRequest) => void sent.push(m) };
  let status = { state: 'starting', pid: null as number | null };
  const statusListeners: ((s: typeof status) => void)[] = [];
  const messageListeners: ((m: unknown, p: typeof process) => void)[] = [];
  const engine: SupervisedEngine = {
    get status() { return status; },
    process,
    onStatus: (l) => (statusListeners.push(l), () => undefined),
    onMessage: (l) => (messageListeners.push(l), () => undefined),
  };
  return {
    engine, sent,
    ready(pid: number) {
      status = { state: 'ready', pid };
      for (const l of statusListeners) l(status);
    },
    emit(message: unknown) {
      for (const l of messageListeners) l(message, process);
    },
  };
}

const until = async (test: () => boolean) => {
  while (!test()) await new Promise((r) => setTimeout(r, 5));
};

const loaded: LoadedDataset = {
  name: 'tiny', classes: ['0', '1'],
  train: { images: new Uint8Array(8), labels: Uint8Array.of(0, 1), count: 2, height: 2, width: 2 },
  test: null, split: { train: Int32Array.of(0), validation: Int32Array.of(1), seed: 1 }, transfer: [],
};

describe('RunsService', () => {
  it('configures every engine host that becomes ready, once per process, telling the first it is the first', async () => {
    const f = fakeEngine();
    new RunsService({ dataDir, datasets: { load: async () => loaded } }).attach(f.engine);
    f.ready(10);
    f.ready(10);
    f.ready(11);
    await until(() => f.sent.length >= 2);
    expect(f.sent).toEqual([
      { type: 'configure', runsDir: join(dataDir, 'runs'), firstHostSinceStart: true },
      { type: 'configure', runsDir: join(dataDir, 'runs'), firstHostSinceStart: false },
    ]);
  });

  it('answers dataset requests with the loaded arrays (without the transfer list), or with the error', async () => {
    const f = fakeEngine();
    const asked: unknown[] = [];
    new RunsService({
      dataDir,
      datasets: {
        load: async (name, options) => {
          asked.push([name, options]);
          if (name === 'gone') throw new Error('gone is not downloaded');
          return loaded;
        },
      },
    }).attach(f.engine);
    f.emit({ type: 'dataset-request', requestId: 1, dataset: 'tiny' });
    f.emit({ type: 'dataset-request', requestId: 2, dataset: 'gone' });
    f.emit({ type: 'dataset-request', requestId: 'x', dataset: 'tiny' });
    f.emit({ type: 'pong', id: 1, pid: 1 });
    await until(() => f.sent.length >= 2);
    const { transfer: _transfer, ...dataset } = loaded;
    expect(f.sent).toContainEqual({ type: 'dataset', requestId: 1, dataset });
    expect(f.sent).toContainEqual({ type: 'dataset-error', requestId: 2, message: 'gone is not downloaded' });
    expect(asked).toEqual([['tiny', undefined], ['gone', undefined]]);
  });

  it("answers a request for a dataset not on disk with main's reason and its sentence code, which the engine host accepts", async () => {
    const tiny = tinyDataset('tiny', 20, 10, 4);
    const datasets = new DatasetService({ cacheDir: join(dataDir, 'datasets'), catalogue: { tiny: { ...tiny.entry, mirrors: [] } }, env: {} });
    const f = fakeEngine();
    new RunsService({ dataDir, datasets }).attach(f.engine);
    f.emit({ type: 'dataset-request', requestId: 3, dataset: 'tiny' });
    await until(() => f.sent.length >= 1);
    const files = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
    expect(f.sent).toEqual([{
      type: 'dataset-error', requestId: 3,
      message: `tiny is not ready (${files.map((file) => `${file} missing`).join(', ')}). Download it, or import the IDX files.`,
      text: { code: 'dataset.notReady', params: { name: 'tiny', files: files.map((file) => ({ code: 'dataset.file.missing', params: { file } })) } },
    }]);
    expect(checkTrainingRequest(f.sent[0] as unknown as Record<string, unknown>)).toBeNull();
    expect(checkTrainingRequest({ ...f.sent[0], text: { code: 'dataset.notReady', params: { name: 'tiny', files: [{ code: 'no.such', params: {} }] } } }))
      .toMatch(/text must be a sentence code/);
  });

  it('lists readable runs newest first and skips anything else in the folder', async () => {
    const runs = new RunsService({ dataDir, datasets: { load: async () => loaded } });
    expect(await runs.list()).toEqual([]);
    const write = (id: string, createdAt: string) => {
      mkdirSync(join(runs.runsDir, id), { recursive: true });
      writeFileSync(join(runs.runsDir, id, 'run.json'), JSON.stringify({
        id, name: id, model: 'm', dataset: 'mnist', state: 'completed', bestValAcc: 0.9, epochsDone: 2,
        options: { epochs: 2 }, createdAt, updatedAt: createdAt,
      }));
    };
    write('20260101-000000-aaaa', '2026-01-01T00:00:00.000Z');
    write('20260201-000000-bbbb', '2026-02-01T00:00:00.000Z');
    mkdirSync(join(runs.runsDir, 'not a run'));
    mkdirSync(join(runs.runsDir, '20260301-000000-cccc'));
    writeFileSync(join(runs.runsDir, '20260301-000000-cccc', 'run.json'), '{ torn');
    expect((await runs.list()).map((r) => r.id)).toEqual(['20260201-000000-bbbb', '20260101-000000-aaaa']);
    expect(await runs.history('../../etc')).toBeNull();
  });
});
