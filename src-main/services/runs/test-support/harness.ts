/**
 * Test harness for training through the real process boundary: a temp data dir, a real DatasetService holding
 * small synthetic IDX datasets (imported as custom datasets), the real engine host in a child process (run from
 * source through tsx, as the supervisor tests do) under the real EngineSupervisor, RunsService attached, and the
 * test acting as one renderer (client 'r1') on the child IPC.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeIdx } from '../../../../common/idx';
import { mulberry32 } from '../../../../common/split';
import type { EngineEvent } from '../../../../common/engine-protocol';
import type { ModelSpec } from '../../../../common/model-spec/types';
import { ChildProcessLauncher, type ChildEngineProcess } from '../../child-process-launcher';
import { DatasetService } from '../../datasets/service';
import { EngineSupervisor, type SupervisorOptions } from '../../engine-supervisor';
import { RunsService } from '../runs-service';

export const ENGINE_HOST_SOURCE = resolve(import.meta.dirname, '../../../engine-host/index.ts');

/**
 * 28×28 images ('small' is 16×16, for a model that cannot take it). 'learnable': class k lights a 6×6 block at its own place (plus noise), so a logistic regression
 * reaches high accuracy in an epoch or two. 'noise': random pixels with random labels, so validation loss rises as
 * soon as the model starts memorising (for early stopping).
 */
export function syntheticIdx(kind: 'learnable' | 'noise', count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = kind === 'noise' ? Math.floor(random() * 10) : i % 10;
    // One learnable label in eight is replaced by a random one, so accuracy stays below 100%.
    labels[i] = kind === 'learnable' && random() < 0.125 ? Math.floor(random() * 10) : label;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = Math.floor(random() * (kind === 'noise' ? 256 : 60));
    if (kind === 'learnable') {
      const row = 2 + Math.floor(label / 5) * 12;
      const col = 1 + (label % 5) * 5;
      for (let r = row; r < row + 6; r++) for (let c = col; c < col + 4; c++) images[i * 784 + r * 28 + c] = 200 + Math.floor(random() * 55);
    }
  }
  return { images, labels };
}

async function importSynthetic(datasets: DatasetService, dir: string, name: string, kind: 'learnable' | 'noise', train: number, test: number, side = 28) {
  const write = (file: string, bytes: Uint8Array) => {
    const path = join(dir, `${name}-${file}`);
    writeFileSync(path, bytes);
    return path;
  };
  // Other sizes keep the top-left corner of the 28×28 pictures.
  const crop = (images: Uint8Array, n: number) => side === 28 ? images : Uint8Array.from({ length: n * side * side }, (_, k) => {
    const i = Math.floor(k / (side * side)), r = Math.floor((k % (side * side)) / side), c = k % side;
    return images[i * 784 + r * 28 + c];
  });
  const tr = syntheticIdx(kind, train, 1);
  const te = syntheticIdx(kind, test, 2);
  tr.images = crop(tr.images, train);
  te.images = crop(te.images, test);
  const paths = [
    write('train-images-idx3-ubyte', writeIdx({ shape: [train, side, side], data: tr.images })),
    write('train-labels-idx1-ubyte', writeIdx({ shape: [train], data: tr.labels })),
    write('t10k-images-idx3-ubyte', writeIdx({ shape: [test, side, side], data: te.images })),
    write('t10k-labels-idx1-ubyte', writeIdx({ shape: [test], data: te.labels })),
  ];
  await datasets.import(paths, { name });
}

/**
 * A logistic regression (Linear 784→10) with the given optimizer settings. It holds out 50 images for validation
 * (synth's 600 train as 550/50) unless `validationSize` says otherwise.
 */
export function logisticSpec(overrides: {
  lr?: number; optimizer?: 'SGD' | 'Adam'; batchSize?: number; normalize?: 'none' | 'scale' | 'standardize'; validationSize?: number;
} = {}): ModelSpec {
  return {
    version: 1,
    name: 'Logistic',
    nodes: [
      { id: 'input', op: 'Input', params: { shape: [784] } },
      { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } },
    ],
    edges: [{ from: 'input', to: 'fc1' }],
    loss: { type: 'CrossEntropyLoss', params: {} },
    optimizer: { type: overrides.optimizer ?? 'SGD', params: { lr: overrides.lr ?? 0.1 } },
    data: { dataset: 'mnist', batchSize: overrides.batchSize ?? 32, shuffle: true, validationSize: overrides.validationSize ?? 50, normalize: overrides.normalize ?? 'scale' },
  };
}

export interface Harness {
  dataDir: string;
  supervisor: EngineSupervisor<ChildEngineProcess>;
  runs: RunsService;
  events: EngineEvent[];
  /** Sends as renderer 'r1'. */
  send(message: unknown): void;
  /** Resolves with the first event (at index ≥ from) that matches; rejects after `ms`. */
  waitFor<T extends EngineEvent = EngineEvent>(test: (e: EngineEvent) => boolean, options?: { from?: number; ms?: number }): Promise<T>;
  waitReady(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Imports the synthetic datasets 'synth' and 'noise', and `import` (file paths by dataset) when given; `env` is
 * added to the engine host's environment (LAYERLAB_CHECKPOINT_MS), `supervisor` overrides its supervisor's options.
 */
export async function startHarness(
  options: { import?: Record<string, string[]>; env?: NodeJS.ProcessEnv; supervisor?: Partial<SupervisorOptions> } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-runs-'));
  const datasets = new DatasetService({ cacheDir: join(dataDir, 'datasets'), env: {} });
  await importSynthetic(datasets, dataDir, 'synth', 'learnable', 600, 100);
  await importSynthetic(datasets, dataDir, 'noise', 'noise', 300, 50);
  await importSynthetic(datasets, dataDir, 'small', 'noise', 60, 10, 16);
  for (const [name, paths] of Object.entries(options.import ?? {})) await datasets.import(paths, { name });
  const events: EngineEvent[] = [];
  const waiters = new Set<() => void>();
  const child = new ChildProcessLauncher({ enginePath: ENGINE_HOST_SOURCE, execArgv: ['--import', 'tsx'], env: { ...process.env, ...options.env } });
  const supervisor = new EngineSupervisor({
    launch() {
      const proc = child.launch();
      proc.onRendererMessage((client, message) => {
        if (client !== 'r1') return;
        events.push(message);
        for (const w of [...waiters]) w();
      });
      return proc;
    },
  }, { backoffInitialMs: 50, ...options.supervisor });
  const runs = new RunsService({ dataDir, datasets });
  runs.attach(supervisor);
  supervisor.start();

  const harness: Harness = {
    dataDir, supervisor, runs, events,
    send: (message) => supervisor.process?.sendFromRenderer('r1', message),
    waitFor<T extends EngineEvent>(test: (e: EngineEvent) => boolean, { from = 0, ms = 60_000 } = {}) {
      return new Promise<T>((done, fail) => {
        const check = () => {
          const hit = events.slice(from).find(test);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          done(hit as T);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`timed out; last events: ${JSON.stringify(events.slice(-5)).slice(0, 2000)}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    },
    async waitReady() {
      while (supervisor.status.state !== 'ready') await new Promise((r) => setTimeout(r, 20));
      const pid = supervisor.status.pid!;
      // Register as a renderer (the engine host learns of browser-host tabs from their first frame).
      const from = events.length;
      harness.send({ type: 'ping', id: pid });
      await harness.waitFor((e) => e.type === 'pong', { from });
      return pid;
    },
    async close() {
      await supervisor.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
