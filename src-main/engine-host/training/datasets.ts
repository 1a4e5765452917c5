/**
 * The engine host's side of the dataset hand-over: it asks main (`dataset-request` on main's channel) and main
 * answers with `dataset` (typed arrays, by structured clone: never JSON) or `dataset-error` (its reason, and that
 * reason's sentence code where main has one, so a failed run or lesson says it in the learner's language). The last
 * dataset is kept, so a second run on it starts at once.
 */
import { EngineTextError, type EngineText } from '../../../common/engine-text';
import type { TrainingDataset, TrainingEvent } from '../../../common/training-protocol';

const DATASET_TIMEOUT_MS = 120_000;

interface Pending {
  resolve(data: TrainingDataset): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  key: string;
}

export class DatasetChannel {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #cached: { key: string; data: TrainingDataset } | null = null;

  constructor(private readonly toMain: (event: TrainingEvent) => void) {}

  get(dataset: string): Promise<TrainingDataset> {
    const key = dataset;
    if (this.#cached?.key === key) return Promise.resolve(this.#cached.data);
    const requestId = this.#nextId++;
    return new Promise<TrainingDataset>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new Error(`main did not send the ${dataset} dataset within ${DATASET_TIMEOUT_MS / 1000} s`));
      }, DATASET_TIMEOUT_MS);
      this.#pending.set(requestId, { resolve, reject, timer, key });
      this.toMain({ type: 'dataset-request', requestId, dataset });
    });
  }

  /** Settles request `requestId`: with the dataset, or with main's reason (an EngineTextError where main coded it). */
  answer(requestId: number, result: { dataset: TrainingDataset } | { message: string; text?: EngineText }): void {
    const pending = this.#pending.get(requestId);
    if (!pending) throw new Error(`no dataset request ${requestId} is waiting`);
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    if ('dataset' in result) {
      this.#cached = { key: pending.key, data: result.dataset };
      pending.resolve(result.dataset);
    } else {
      pending.reject(result.text ? new EngineTextError(result.text, result.message) : new Error(result.message));
    }
  }
}
