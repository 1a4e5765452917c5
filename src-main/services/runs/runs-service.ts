/**
 * Main's side of training: it decides where run folders live (`<data dir>/runs/<id>/`), tells every engine host
 * that says hello (`configure`: a run a crash interrupted resumes then), answers the engine's `dataset-request`s
 * with DatasetService.load's typed arrays (structured clone over the child IPC or the utility process's port;
 * never JSON), and reads the run history list from disk for main's own use.
 *
 * ```ts
 * const runs = new RunsService({ dataDir, datasets });
 * runs.attach(supervisor);                  // configure + dataset answers, for every (re)started engine host
 * await runs.list();                        // RunSummary[], newest first
 * ```
 * Training itself (start, pause, metrics) goes renderer ↔ engine host directly; main never sees the batches.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineRequest } from '../../../common/engine-protocol';
import { RUN_ID_PATTERN, type RunHistory, type RunMeta, type RunSummary, type TrainingDataset } from '../../../common/training-protocol';
import { DatasetError } from '../datasets/errors';
import type { LoadedDataset, LoadOptions } from '../datasets/load';

/** The one DatasetService method this needs (tests may pass a stub). */
export interface DatasetLoader {
  load(name: string, options?: LoadOptions): Promise<LoadedDataset>;
}

/** The supervisor's surface this needs. */
export interface SupervisedEngine {
  readonly status: { state: string; pid: number | null };
  readonly process: { send(message: EngineRequest): void } | null;
  onStatus(listener: (status: { state: string; pid: number | null }) => void): () => void;
  onMessage(listener: (message: unknown, process: { send(message: EngineRequest): void }) => void): () => void;
}

export interface RunsServiceOptions {
  dataDir: string;
  datasets: DatasetLoader;
}

export class RunsService {
  readonly runsDir: string;
  readonly #datasets: DatasetLoader;

  constructor(options: RunsServiceOptions) {
    this.runsDir = join(options.dataDir, 'runs');
    this.#datasets = options.datasets;
  }

  /**
   * Configures every engine host that becomes ready and answers its dataset requests. Returns the detach. The first
   * host is told it is the first: a run it finds interrupted was interrupted by the app ending, not by an engine
   * failure this main saw (those restart the host, and the next one counts them).
   */
  attach(engine: SupervisedEngine): () => void {
    let configuredPid: number | null = null;
    let firstHostSinceStart = true;
    const configure = (status: { state: string; pid: number | null }) => {
      if (status.state !== 'ready' || status.pid === configuredPid) return;
      configuredPid = status.pid;
      const first = firstHostSinceStart;
      firstHostSinceStart = false;
      void mkdir(this.runsDir, { recursive: true })
        .catch(() => undefined) // the engine host reports an unwritable folder itself
        .then(() => engine.process?.send({ type: 'configure', runsDir: this.runsDir, firstHostSinceStart: first }));
    };
    const offStatus = engine.onStatus(configure);
    const offMessage = engine.onMessage((message, process) => {
      if (!isDatasetRequest(message)) return;
      void this.answerDatasetRequest(message, process);
    });
    configure(engine.status);
    return () => {
      offStatus();
      offMessage();
    };
  }

  async answerDatasetRequest(
    request: { requestId: number; dataset: string },
    process: { send(message: EngineRequest): void },
  ): Promise<void> {
    try {
      // The default split (1/12, fixed seed: MNIST's 55,000/5,000), the same for every run.
      const loaded = await this.#datasets.load(request.dataset);
      const { name, classes, train, test, split } = loaded;
      const dataset: TrainingDataset = { name, classes, train, test, split };
      process.send({ type: 'dataset', requestId: request.requestId, dataset });
    } catch (error) {
      const text = error instanceof DatasetError ? error.text : undefined;
      process.send({
        type: 'dataset-error', requestId: request.requestId, message: error instanceof Error ? error.message : String(error),
        ...(text ? { text } : {}),
      });
    }
  }

  /** The run history list: every readable run folder, newest first. */
  async list(): Promise<RunSummary[]> {
    const entries = await readdir(this.runsDir, { withFileTypes: true }).catch(() => []);
    const metas: RunMeta[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !RUN_ID_PATTERN.test(entry.name)) continue;
      const meta = await this.#readJson<RunMeta>(entry.name, 'run.json');
      if (meta) metas.push(meta);
    }
    return metas
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((m) => ({
        id: m.id, name: m.name, model: m.model, dataset: m.dataset, state: m.state, bestValAcc: m.bestValAcc,
        epochsDone: m.epochsDone, epochs: m.options.epochs, createdAt: m.createdAt, updatedAt: m.updatedAt,
      }));
  }

  /** One run's metric history (for overlaying two runs' curves), or null when there is no such run. */
  async history(id: string): Promise<RunHistory | null> {
    if (!RUN_ID_PATTERN.test(id)) return null;
    return this.#readJson<RunHistory>(id, 'history.json');
  }

  async #readJson<T>(id: string, file: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(join(this.runsDir, id, file), 'utf8')) as T;
    } catch {
      return null;
    }
  }
}

function isDatasetRequest(message: unknown): message is { type: 'dataset-request'; requestId: number; dataset: string } {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  return m.type === 'dataset-request' && Number.isInteger(m.requestId) && typeof m.dataset === 'string';
}
