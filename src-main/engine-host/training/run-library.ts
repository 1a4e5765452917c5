/**
 * Read-only questions about runs on disk: the history list, one run reopened, curves to overlay, and a model
 * rebuilt from any checkpoint for prediction (the last one asked for is kept, since a user drawing digits asks
 * the same checkpoint again and again).
 */
import type { CheckpointRef, RunDetail, RunHistory, RunMeta, RunSummary } from '../../../common/training-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { spec as engineSpec, type nn } from '../../../engine/index';

const { buildModel } = engineSpec;
type Module = nn.Module;
import { summarize, type RunStore } from './run-store';
import { EngineTextError, engineText } from '../../../common/engine-text';

export class RunLibrary {
  #cached: { key: string; model: Module; spec: ModelSpec } | null = null;

  constructor(private readonly store: RunStore) {}

  async list(): Promise<RunSummary[]> {
    return (await this.store.list()).map(summarize);
  }

  /** `live` is the current run's meta, fresher than its run.json while it trains. */
  async open(id: string, live?: RunMeta): Promise<RunDetail> {
    await this.#mustExist(id);
    const meta = live?.id === id ? live : await this.store.readMeta(id);
    return { meta, spec: await this.store.readSpec(id), history: await this.store.readHistory(id) };
  }

  /**
   * Every run on disk, newest first (or the ones named, in that order), with spec and history: what the run table
   * compares and its overlay draws. Runs whose files cannot be read are left out of the full list.
   */
  async compare(ids?: string[], live?: RunMeta): Promise<RunDetail[]> {
    if (ids) return Promise.all(ids.map((id) => this.open(id, live)));
    const details = await Promise.all((await this.store.list()).map((meta) => this.open(meta.id, live).catch(() => null)));
    return details.filter((d): d is RunDetail => d !== null);
  }

  async curves(ids: string[]): Promise<{ runId: string; name: string; history: RunHistory }[]> {
    const curves = [];
    for (const runId of ids) {
      await this.#mustExist(runId);
      curves.push({ runId, name: (await this.store.readMeta(runId)).name, history: await this.store.readHistory(runId) });
    }
    return curves;
  }

  /** The model of a run's checkpoint ('last', 'best' or an epoch), loaded from its safetensors file. */
  async checkpointModel(runId: string, checkpoint: CheckpointRef, live?: RunMeta): Promise<{ model: Module; spec: ModelSpec }> {
    // The current run's 'last' and 'best' files change as it trains (a fixed epoch's never does): its key names what
    // they hold now, so a learner drawing digits after training gets the kept model, not a rebuild from disk each time.
    const version = live?.id === runId && typeof checkpoint !== 'number' ? `@${live.epochsDone}:${live.step}:${live.bestEpoch}:${live.lr}` : '';
    const key = `${runId}:${checkpoint}${version}`;
    if (this.#cached?.key === key) return this.#cached;
    await this.#mustExist(runId);
    const meta = live?.id === runId ? live : await this.store.readMeta(runId);
    const which = checkpoint === 'best' ? meta.bestEpoch : checkpoint;
    if (which === null) throw new EngineTextError(engineText('run.noBestEpoch', { id: runId }));
    const spec = await this.store.readSpec(runId);
    const model = buildModel(spec);
    model.loadStateDict(await this.store.readWeights(runId, which));
    this.#cached = { key, model, spec };
    return this.#cached;
  }

  async #mustExist(id: string): Promise<void> {
    if (!(await this.store.exists(id))) throw new EngineTextError(engineText('run.notFound', { id }));
  }
}
