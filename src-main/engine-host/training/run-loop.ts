/**
 * The run loop: a started run's batches, one at a time, until it is paused, stepped to its end, stopped, finished,
 * early-stopped or diverged; what happens between epochs (validation, the checkpoint, early stopping, the epoch
 * watchdog); checkpoints within an epoch; and the backend a run trains on: chosen by measuring before its first
 * batch, and the CPU after a backend that failed mid-batch (the engine's Trainer redoes the batch; this says so).
 * It reads the run's state before every batch, so the router's pause/stop take effect between two batches.
 */
import { ACTIVE_RUN_STATES, type RunMarker, type RunState, type TrainingEvent } from '../../../common/training-protocol';
import type { EngineEvent } from '../../../common/engine-protocol';
import { engineText, englishTexts, type EngineText } from '../../../common/engine-text';
import type { LayerStatsSample } from '../../../common/layer-stats';
import { chooseBackend, getBackend, likelyFastestFirst, listBackends, setBackend, train } from '../../../engine/index';
import { explainDivergence, type DivergedAt } from './divergence';
import { evaluateRun } from './evaluation';
import { appendLayerStats } from './layer-stats';
import { failureReason } from './run-store';
import type { Run } from './run';

/**
 * How often a run checkpoints within an epoch, whichever comes first: a crash loses at most this much work.
 * LAYERLAB_CHECKPOINT_MS shortens the time for tests.
 */
const CHECKPOINT_EVERY_MS = Number(process.env.LAYERLAB_CHECKPOINT_MS) || 30_000;
const CHECKPOINT_EVERY_BATCHES = 10_000;

type BackendEvent = Extract<TrainingEvent, { type: 'run-backend' }>;

/** A backend event's note: its sentences, and their English joined by '; ' for run.json's markers and older readers. */
const backendNote = (texts: EngineText[]) => ({ note: englishTexts(texts, '; '), noteText: texts });

/** What the loop needs of the router: the current run, its state changes, markers and the way to every window. */
export interface RunLoopHost {
  current(): Run | null;
  /** `reason` as sentences (common/engine-text.ts), plain text, or null. */
  setState(run: Run, state: RunState, reason: string | EngineText[] | null): void;
  mark(run: Run, marker: RunMarker): void;
  broadcast(event: EngineEvent): void;
  /** The engine backend in use changed: the hello says so from now on. */
  backendChanged?(name: string): void;
  /** A run's batches start or resume: threads made since the engine last computed can be lowered now. */
  computeStarts?(): void;
}

export class RunLoop {
  readonly #host: RunLoopHost;
  /** Runs whose backend was chosen in this process (a resumed run keeps its choice). */
  readonly #backendChosen = new WeakSet<Run>();
  /** Runs whose backend's step note was said (#noteSteps). */
  readonly #stepsNoted = new WeakSet<Run>();
  /** The last backend announcement, for a window that connects later. */
  backendEvent: BackendEvent | null = null;

  constructor(host: RunLoopHost) {
    this.#host = host;
  }

  /** Starts the batch loop unless it is still going (it rereads the state before every batch). */
  start(run: Run): void {
    // Before the check: a resume that finds the paused loop still finishing its batch goes on in that loop.
    this.#host.computeStarts?.();
    if (run.looping) return;
    run.looping = true;
    const loop: Promise<void> = this.#loop(run)
      .catch((error: unknown) => {
        const reason = failureReason(error);
        const message = typeof reason === 'string' ? reason : englishTexts(reason);
        this.#host.setState(run, 'failed', reason);
        this.#host.broadcast({ type: 'error', message: `run ${run.meta.id} failed: ${message}`, runId: run.meta.id });
      })
      .finally(() => {
        if (run.loop === loop) run.loop = null;
      });
    run.loop = loop;
  }

  async #loop(run: Run): Promise<void> {
    try {
      this.#chooseBackend(run);
      await this.#batches(run);
    } finally {
      run.looping = false;
    }
  }

  async #batches(run: Run): Promise<void> {
    const trainer = run.trainer!;
    while (run.meta.state === 'running' && this.#host.current() === run) {
      const outcome = trainer.trainBatch();
      if (outcome.kind === 'diverged') {
        const at = { epoch: trainer.epoch + 1, batch: trainer.batchInEpoch + 1, loss: outcome.loss, firstLoss: trainer.firstLoss, lr: trainer.lr };
        return this.#diverged(run, at);
      }
      run.meta.firstLoss = trainer.firstLoss;
      if (outcome.fellBack) this.#fellBack(run, outcome.fellBack);
      if (outcome.layerStats) this.#layerStats(run, outcome.layerStats);
      run.throttle.push({
        step: trainer.step, epoch: trainer.epoch + 1, batch: trainer.batchInEpoch, batches: trainer.batchesPerEpoch,
        loss: outcome.loss, size: outcome.size, correct: outcome.correct, seconds: outcome.seconds, lr: trainer.lr,
        epochSoFar: (({ lossSum, samples, correct }) => ({ lossSum, samples, correct }))(trainer.epochTotals),
      });
      run.batchesSinceCheckpoint++;
      if (outcome.epochDone) await this.#endEpoch(run);
      else if (run.batchesSinceCheckpoint >= CHECKPOINT_EVERY_BATCHES || Date.now() - run.checkpointedAt >= CHECKPOINT_EVERY_MS) {
        await run.checkpointWithinEpoch();
      }
      if (run.stepUnit === 'batch' || (run.stepUnit === 'epoch' && outcome.epochDone)) {
        run.stepUnit = null;
        await run.throttle.drain();
        if (run.meta.state === 'running') this.#host.setState(run, 'paused', null);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async #endEpoch(run: Run): Promise<void> {
    const trainer = run.trainer!;
    const { meta } = run;
    await run.throttle.drain();
    const record = trainer.finishEpoch();
    // The watchdog's second yardstick: an epoch whose mean loss is over 10× the first epoch's.
    const first = run.history.epochs[0];
    if (first && record.trainLoss > train.DIVERGENCE_FACTOR * first.trainLoss) {
      return this.#diverged(run, { epoch: record.epoch, batch: null, loss: record.trainLoss, firstLoss: first.trainLoss, lr: record.lr });
    }
    run.history.epochs.push(record);
    const best = run.stopping.note(record.epoch, record.valLoss, record.valAcc);
    Object.assign(meta, { epochsDone: record.epoch, step: trainer.step, lr: trainer.lr, firstLoss: trainer.firstLoss });
    await run.checkpoint();
    this.#noteSteps(run);
    this.#host.broadcast({ type: 'run-epoch', runId: meta.id, best, ...record });
    if (!ACTIVE_RUN_STATES.includes(meta.state)) return; // stopped while the checkpoint was being written
    const patience = meta.options.earlyStopping?.patience;
    if (patience !== undefined && run.stopping.shouldStop && meta.bestEpoch !== null) {
      await run.restore(meta.bestEpoch, { optimizer: false });
      await run.writeLastWeights();
      const best = { bestEpoch: meta.bestEpoch, bestValLoss: String(meta.bestValLoss?.toFixed(4)) };
      this.#finish(run, 'early-stopped', [patience === 1
        ? engineText('reason.earlyStopped.one', best)
        : engineText('reason.earlyStopped.many', { patience, ...best })]);
    } else if (record.epoch >= meta.options.epochs) {
      this.#finish(run, 'completed', null);
    }
  }

  #finish(run: Run, state: RunState, reason: EngineText[] | null): void {
    this.#host.setState(run, state, reason);
    if (run.trainer && run.trainer.sets.validation.length > 0) {
      this.#host.broadcast({ type: 'run-evaluation', runId: run.id, evaluation: evaluateRun(run, 'validation') });
    }
  }

  /** Stops the run, puts its last good checkpoint back, and says why and what to try (`at.batch` null: an epoch's mean). */
  async #diverged(run: Run, at: DivergedAt): Promise<void> {
    const trainer = run.trainer!;
    trainer.abandonEpoch();
    await run.throttle.drain();
    const report = explainDivergence(run.spec, at);
    const restoredEpoch = run.meta.epochsDone;
    await run.restore(restoredEpoch);
    this.#host.mark(run, { kind: 'diverged', step: trainer.step, epoch: at.epoch, message: report.explanation });
    await run.writeLastWeights();
    await run.writeHistory();
    this.#host.broadcast({
      type: 'run-diverged', runId: run.meta.id, epoch: at.epoch, batch: at.batch ?? trainer.batchesPerEpoch,
      loss: Number.isFinite(at.loss) ? at.loss : null, explanation: report.explanation, causes: report.causes, restoredEpoch,
      fix: { action: 'restart-from-checkpoint', runId: run.meta.id, epoch: restoredEpoch, lr: at.lr / 10 },
      explanationText: report.explanationText, causeTexts: report.causeTexts,
    });
    this.#host.setState(run, 'diverged', [report.explanationText, ...report.causeTexts.slice(0, 1)]);
  }

  /** A sample of the layers' statistics (#16.3): to every window now, and onto the run's layer-stats.jsonl for a reload. */
  #layerStats(run: Run, sample: LayerStatsSample): void {
    this.#host.broadcast({ type: 'run-layer-stats', runId: run.meta.id, samples: [sample], history: false });
    void run.persist((store) => appendLayerStats(store.dir(run.meta.id), sample)).catch(() => undefined);
  }

  // ---------- backends ----------

  /**
   * Before a run's first batch in this process: its `backend` option, or ('auto') the fastest backend for this
   * model, timed over a few steps of a copy of it on every registered backend; announced as `run-backend`.
   */
  #chooseBackend(run: Run): void {
    if (this.#backendChosen.has(run)) return;
    this.#backendChosen.add(run);
    const wanted = run.meta.options.backend ?? 'auto';
    const available = listBackends();
    let event: BackendEvent;
    if (wanted !== 'auto' && available.includes(wanted)) {
      event = { type: 'run-backend', runId: run.meta.id, chosen: wanted, figures: [], overridden: true };
    } else {
      const choice = available.length > 1 ? chooseBackend(likelyFastestFirst(available), () => run.trainer!.measureStep()) : { chosen: available[0], figures: [] };
      event = { type: 'run-backend', runId: run.meta.id, chosen: choice.chosen, figures: choice.figures, overridden: false };
      // A run resumed on an engine that lacks the backend it was started with (another machine) measures instead.
      if (wanted !== 'auto') Object.assign(event, backendNote([engineText('backend.note.notHere', { backend: wanted })]));
    }
    this.#announceBackend(event);
  }

  /**
   * Once per run, after an epoch (its checkpoint has just read every weight, so asking costs no step): why the
   * backend's steps ran slower than they could, said beside the backend (a GPU's step plans that could not be used).
   */
  #noteSteps(run: Run): void {
    const event = this.backendEvent;
    if (this.#stepsNoted.has(run) || event?.runId !== run.meta.id) return;
    const note = getBackend().stepNote?.() ?? null;
    if (!note) return;
    this.#stepsNoted.add(run);
    this.#announceBackend({ ...event, ...backendNote([...(event.noteText ?? []), note]) });
  }

  /** A backend failed during a batch and the trainer did the batch again on the CPU: mark it and say so. */
  #fellBack(run: Run, { from, error }: train.FellBack): void {
    const trainer = run.trainer!;
    const note = backendNote([engineText('backend.note.fellBack', { backend: from, error, batch: trainer.batchInEpoch, epoch: trainer.epoch + 1 })]);
    this.#host.mark(run, { kind: 'backend', step: trainer.step, epoch: trainer.epoch + 1, message: note.note });
    const figures = this.backendEvent?.runId === run.meta.id ? this.backendEvent.figures : [];
    this.#announceBackend({ type: 'run-backend', runId: run.meta.id, chosen: 'cpu', figures, overridden: false, ...note });
  }

  #announceBackend(event: BackendEvent): void {
    setBackend(event.chosen);
    this.backendEvent = event;
    // Kept with the run (written with its next meta) for the run table: 'auto' says what was asked, this what ran.
    const current = this.#host.current();
    if (current?.meta.id === event.runId) current.meta.backendUsed = event.chosen;
    this.#host.backendChanged?.(event.chosen);
    this.#host.broadcast(event);
  }
}
