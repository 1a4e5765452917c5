/**
 * One run in the engine host: its record (meta, spec, history), its trainer once the dataset has arrived, its
 * batch throttle, and its folder. Writes to the folder go through one queue, so run.json is never overwritten by an
 * older snapshot; a checkpoint writes the weights, the optimizer and the history before run.json, the commit point
 * crash recovery trusts.
 */
import type { RunHistory, RunMarker, RunMeta, RunPosition, RunStatus } from '../../../common/training-protocol';
import { OPTIMIZER_CATALOGUE, resolveParams } from '../../../common/model-spec/catalogue';
import type { ModelSpec } from '../../../common/model-spec/types';
import { train, type Tensor } from '../../../engine/index';
import type { BatchThrottle } from './batch-throttle';
import type { EvaluatedExamples } from './examples';
import type { RunStore } from './run-store';
import type { RunTrainer } from './run-trainer';

export class Run {
  trainer: RunTrainer | null = null;
  /** Pause after this much more training (run-step). */
  stepUnit: 'batch' | 'epoch' | null = null;
  /** The training loop's promise, and whether it is still taking batches. */
  loop: Promise<void> | null = null;
  looping = false;
  /** Every example's prediction from the last evaluation of each split (`run-examples` pages through them). */
  readonly evaluated = new Map<'validation' | 'test', EvaluatedExamples>();
  /** When the last checkpoint (of an epoch, or within one) was taken, and batches trained since. */
  checkpointedAt = Date.now();
  batchesSinceCheckpoint = 0;
  /**
   * The best epoch by validation loss and early stopping's count (the engine's EarlyStopping), kept in run.json's
   * meta so that they survive a crash; with early stopping off it only tracks the best epoch.
   */
  readonly stopping: train.EarlyStopping;
  #io: Promise<void> = Promise.resolve();

  constructor(
    readonly meta: RunMeta,
    readonly spec: ModelSpec,
    public history: RunHistory,
    readonly throttle: BatchThrottle,
    private readonly store: RunStore,
  ) {
    const early = meta.options.earlyStopping;
    this.stopping = new train.EarlyStopping({ patience: early?.patience ?? null, minDelta: early?.minDelta ?? 0 }, meta);
  }

  get id(): string {
    return this.meta.id;
  }

  status(): RunStatus {
    const t = this.trainer;
    const inEpoch = t ? t.batchInEpoch : 0;
    return {
      id: this.id, name: this.meta.name, state: this.meta.state, reason: this.meta.reason,
      ...(this.meta.reasonText ? { reasonText: this.meta.reasonText } : {}),
      epoch: t ? t.epoch + (inEpoch > 0 ? 1 : 0) : 0, epochs: this.meta.options.epochs,
      batch: inEpoch, batches: t ? t.batchesPerEpoch : 0, step: t ? t.step : 0, lr: t ? t.lr : this.meta.lr,
      split: t ? t.split : (this.meta.split ?? null), testEvaluations: this.meta.testEvaluations ?? 0,
    };
  }

  /** Queues a write to the run's folder after the ones before it; resolves (or rejects) when it is done. */
  persist(write: (store: RunStore) => Promise<void>): Promise<void> {
    const next = this.#io.then(() => write(this.store));
    this.#io = next.catch((error: unknown) => {
      console.warn(`engine host: writing run ${this.id} failed:`, error instanceof Error ? error.message : error);
    });
    return next;
  }

  /**
   * The live meta takes the time it is written at, the same run.json records: what `runs-compare` sends for the
   * current run then matches what the run list reads from disk, so the Runs tab can tell a changed run by it.
   */
  writeMeta(): Promise<void> {
    this.meta.updatedAt = new Date().toISOString();
    const meta = { ...this.meta };
    return this.persist((store) => store.writeMeta(meta, meta.updatedAt));
  }

  writeHistory(): Promise<void> {
    const history = structuredClone(this.history);
    return this.persist((store) => store.writeHistory(this.id, history));
  }

  /** The model's weights now as the run's latest weights (weights.safetensors). */
  writeLastWeights(): Promise<void> {
    const weights = cloneState(this.trainer!.model.stateDict());
    return this.persist((store) => store.writeWeights(this.id, 'last', weights));
  }

  /**
   * Within an epoch: the weights and optimizer as they are now, then run.json with the position (the commit), so a
   * crash loses at most the batches since. Skipped between epochs (the epoch's own checkpoint covers that).
   */
  checkpointWithinEpoch(): Promise<void> {
    const trainer = this.trainer!;
    const position = trainer.position;
    this.checkpointedAt = Date.now();
    this.batchesSinceCheckpoint = 0;
    if (!position) return Promise.resolve();
    const weights = cloneState(trainer.model.stateDict());
    const optimizer = trainer.optimizerState();
    this.meta.partial = position;
    const meta = { ...this.meta };
    return this.persist(async (store) => {
      await store.writeWeights(meta.id, 'partial', weights);
      await store.writeOptimizer(meta.id, 'partial', optimizer);
      await store.writeMeta(meta);
    });
  }

  /** Back to a checkpoint within an epoch (after `restore` of the epoch before it): weights, optimizer, position. */
  async restoreWithinEpoch(position: RunPosition): Promise<void> {
    const trainer = this.trainer!;
    await this.#io;
    trainer.model.loadStateDict(await this.store.readWeights(this.id, 'partial'));
    const optimizer = await this.store.readOptimizer(this.id, 'partial');
    if (optimizer) trainer.loadOptimizerState(optimizer);
    trainer.resumeAt(position);
    Object.assign(this.meta, { step: trainer.step, partial: position });
  }

  /** After an epoch: its weights, the latest weights, the optimizer, the history, then run.json (the commit). */
  checkpoint(): Promise<void> {
    delete this.meta.partial; // the epoch's checkpoint supersedes the one within it
    this.checkpointedAt = Date.now();
    this.batchesSinceCheckpoint = 0;
    const trainer = this.trainer!;
    const epoch = trainer.epoch;
    const weights = cloneState(trainer.model.stateDict());
    const optimizer = trainer.optimizerState();
    const history = structuredClone(this.history);
    const meta = { ...this.meta };
    return this.persist(async (store) => {
      await store.writeWeights(meta.id, epoch, weights);
      await store.writeWeights(meta.id, 'last', weights);
      await store.writeOptimizer(meta.id, epoch, optimizer);
      await store.writeHistory(meta.id, history);
      await store.writeMeta(meta);
    });
  }

  /**
   * Puts the weights of the checkpoint after `epoch` back. With the optimizer (the default) the trainer also
   * returns to that epoch's end: optimizer and scheduler state (fresh when it was not kept), epoch and step.
   */
  async restore(epoch: number, what: { optimizer: boolean } = { optimizer: true }): Promise<void> {
    const trainer = this.trainer!;
    await this.#io;
    trainer.model.loadStateDict(await this.store.readWeights(this.id, epoch));
    if (!what.optimizer) return;
    const optimizer = await this.store.readOptimizer(this.id, epoch);
    if (optimizer) trainer.loadOptimizerState(optimizer);
    else trainer.optimizer.state.clear();
    trainer.abandonEpoch();
    trainer.epoch = epoch;
    trainer.step = epoch * trainer.batchesPerEpoch;
    Object.assign(this.meta, { epochsDone: epoch, step: trainer.step, lr: trainer.lr });
    delete this.meta.partial;
  }

  /** Keeps the history up to `epoch` and recounts the best epoch from it (after a restart from a checkpoint). */
  truncate(epoch: number): void {
    this.history.epochs = this.history.epochs.filter((e) => e.epoch <= epoch);
    this.stopping.reset();
    for (const e of this.history.epochs) this.stopping.note(e.epoch, e.valLoss, e.valAcc);
  }

  mark(marker: RunMarker): void {
    this.history.markers.push(marker);
  }
}

/** The spec's learning rate (the optimizer's default when the spec leaves it out). */
export function specLr(spec: ModelSpec): number {
  return resolveParams(OPTIMIZER_CATALOGUE[spec.optimizer.type].params, spec.optimizer.params).lr as number;
}

/** `20261126-191502-k3f9`: sortable by time, unique enough for one user's runs. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}

function cloneState(state: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(state)) out[name] = t.clone();
  return out;
}
