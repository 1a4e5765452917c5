/**
 * The engine host's training: one current run (its model loaded, training or finished), its lifecycle, its
 * events, its checkpoints, and the requests that read the run history. The transport is someone else's: the engine
 * host hands each request here with the peer that sent it, and gives this class a way to reach every renderer
 * and main. Nothing here knows whether it runs in Electron's utilityProcess or a child process.
 *
 * One run trains at a time: a `run-start` while the current run is loading, running or paused is refused with an
 * error that names it. A queue would hide from the learner that the first run still holds the engine.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import {
  ACTIVE_RUN_STATES, MAIN_ONLY_REQUESTS, TEST_SET_STATES, type CheckpointRef, type RunHistory, type RunMarker, type RunMeta,
  type RunOptions, type RunState, type TrainingDataset, type TrainingEvent, type TrainingRequest,
} from '../../../common/training-protocol';
import type { EngineEvent } from '../../../common/engine-protocol';
import { engineText, englishText, englishTexts, type EngineText } from '../../../common/engine-text';
import { encodeFloat32, type InsideRequest } from '../../../common/inside-protocol';
import type { ModelSpec } from '../../../common/spec/types';
import { assertBuildable, buildModel } from '../../../engine/spec/build';
import { loadSafetensors } from '../../../engine/io/safetensors';
import type { Tensor } from '../../../engine/tensor';
import { BatchThrottle } from './batch-throttle';
import { DatasetChannel } from './datasets';
import { appendLayerStats, readLayerStats } from './layer-stats';
import type { LayerStatsSample } from '../../../common/layer-stats';
import { explainDivergence, type DivergedAt } from './divergence';
import { argmaxRow, evaluateRun, predictImage, probabilities } from './evaluation';
import { layerOutputs, layerWeights } from './inside';
import { RunLibrary } from './run-library';
import { assertFitsMemory } from './memory-budget';
import { failureReason, RunStore, summarize } from './run-store';
import { newRunId, Run, specLr } from './run';
import { resolveOptions, RunTrainer } from './run-trainer';
import { train } from '../../../engine/index';
import { getBackend, listBackends, setBackend } from '../../../engine/backend/backend';
import { chooseBackend } from '../../../engine/backend/choose';
import { likelyFastestFirst } from '../../../engine/backend/choose';

export interface TrainingPeer {
  readonly id: string;
  send(event: EngineEvent): void;
}

export interface TrainingLinks {
  main: TrainingPeer;
  /** Every renderer the engine host knows now. */
  renderers(): Iterable<TrainingPeer>;
  /** The engine backend in use changed (a run chose one, or fell back to the CPU): the hello says so from now on. */
  backendChanged?(name: string): void;
}

/**
 * How often a run checkpoints within an epoch, whichever comes first: a crash loses at most this much work.
 * LAYERLAB_CHECKPOINT_MS shortens the time for tests.
 */
const CHECKPOINT_EVERY_MS = Number(process.env.LAYERLAB_CHECKPOINT_MS) || 30_000;
const CHECKPOINT_EVERY_BATCHES = 10_000;
const CONFIGURE_TIMEOUT_MS = 10_000;

export class RunManager {
  readonly #links: TrainingLinks;
  readonly #datasets: DatasetChannel;
  #store: RunStore | null = null;
  #configured: Promise<RunStore>;
  #resolveConfigured!: (store: RunStore) => void;
  #run: Run | null = null;
  #recoveryNotice: TrainingEvent | null = null;
  #runLibrary: RunLibrary | null = null;
  /** Runs whose backend was chosen in this process (a resumed run keeps its choice), and the last choice made. */
  readonly #backendChosen = new WeakSet<Run>();
  /** Runs whose backend's step note was said (#noteSteps). */
  readonly #stepsNoted = new WeakSet<Run>();
  #backendEvent: Extract<TrainingEvent, { type: 'run-backend' }> | null = null;

  constructor(links: TrainingLinks) {
    this.#links = links;
    this.#datasets = new DatasetChannel((event) => this.#send(links.main, event));
    this.#configured = new Promise((resolve) => (this.#resolveConfigured = resolve));
  }

  /** A renderer appeared (a new port, or the first frame after an engine restart): tell it where training is. */
  connect(peer: TrainingPeer): void {
    if (this.#run) this.#send(peer, { type: 'run-state', run: this.#run.status() });
    if (this.#recoveryNotice) this.#send(peer, this.#recoveryNotice);
    if (this.#backendEvent && this.#backendEvent.runId === this.#run?.meta.id) this.#send(peer, this.#backendEvent);
  }

  /** A dataset from main, as a run gets it (the Learn tab's lesson trains on MNIST too). */
  dataset(name: string): Promise<TrainingDataset> {
    return this.#datasets.get(name);
  }

  /** The run computing now (loading or running), in words, or null: a lesson step does not share the engine with it. */
  computingRun(): string | null {
    const run = this.#run;
    return run && (run.meta.state === 'running' || run.meta.state === 'loading') ? `run ${run.meta.id} ("${run.meta.name}") is ${run.meta.state}` : null;
  }

  /** Handles one validated training request; whatever goes wrong is answered to `peer` as an `error`. */
  async handle(peer: TrainingPeer, request: TrainingRequest | InsideRequest): Promise<void> {
    try {
      if ((MAIN_ONLY_REQUESTS as readonly string[]).includes(request.type) && peer.id !== 'main') {
        throw new Error(`${request.type} may only come from main`);
      }
      await this.#dispatch(peer, request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const runId = 'runId' in request ? request.runId : undefined;
      const requestId = 'requestId' in request ? request.requestId : undefined;
      this.#send(peer, {
        type: 'error', message, requestType: request.type,
        ...(runId !== undefined ? { runId } : {}), ...(requestId !== undefined ? { requestId } : {}),
      });
    }
  }

  async #dispatch(peer: TrainingPeer, request: TrainingRequest | InsideRequest): Promise<void> {
    switch (request.type) {
      case 'configure': return this.#configure(request.runsDir);
      case 'dataset': return this.#datasets.answer(request.requestId, { dataset: request.dataset });
      case 'dataset-error': return this.#datasets.answer(request.requestId, { message: request.message });
      case 'run-start': return this.#start(peer, request.spec, request.dataset, request.options);
      case 'run-pause': {
        const run = this.#require(request.runId, 'pause', ['running']);
        run.stepUnit = null;
        return this.#setState(run, 'paused', null);
      }
      case 'run-resume': {
        const run = this.#require(request.runId, 'resume', ['paused']);
        this.#setState(run, 'running', null);
        return this.#startLoop(run);
      }
      case 'run-step': {
        const run = this.#require(request.runId, 'step', ['paused', 'running']);
        run.stepUnit = request.unit;
        if (run.meta.state === 'paused') {
          this.#setState(run, 'running', null);
          this.#startLoop(run);
        }
        return;
      }
      case 'run-stop': return this.#stop(request.runId);
      case 'run-set-lr': return this.#setLr(request.runId, request.lr);
      case 'run-restart': return this.#restart(request.runId, request.epoch, request.lr);
      case 'run-evaluate': return this.#evaluate(peer, request);
      case 'predict': return this.#predict(peer, request);
      case 'run-examples': return this.#examples(peer, request);
      case 'runs-list': return this.#send(peer, { type: 'runs', runs: await (await this.#library()).list() });
      case 'run-open': return this.#send(peer, { type: 'run-detail', run: await (await this.#library()).open(request.runId, this.#run?.meta) });
      case 'run-curves': return this.#send(peer, { type: 'run-curves', curves: await (await this.#library()).curves(request.runIds) });
      case 'run-import': return this.#import(peer, request);
      case 'run-layer-stats': return this.#layerStatsHistory(peer, request.runId);
      case 'layer-outputs': return this.#layerOutputs(peer, request);
      case 'layer-weights': return this.#layerWeights(peer, request);
      case 'runs-compare': return this.#send(peer, { type: 'runs-compare', requestId: request.requestId, runs: await (await this.#library()).compare(request.runIds, this.#run?.meta) });
      default: {
        const unhandled: never = request;
        throw new Error(`no handler for ${JSON.stringify(unhandled)}`);
      }
    }
  }

  // ---------- lifecycle ----------

  async #configure(runsDir: string): Promise<void> {
    if (this.#store && this.#store.runsDir !== runsDir) throw new Error(`the runs folder is already ${this.#store.runsDir}`);
    await mkdir(runsDir, { recursive: true });
    if (!this.#store) {
      this.#store = new RunStore(runsDir);
      this.#resolveConfigured(this.#store);
      // Only one engine host writes at a time: temp files of dead ones are leftovers of a kill mid-write.
      await this.#store.removeStaleTemps();
      await this.#recover();
    }
  }

  async #library(): Promise<RunLibrary> {
    const store = await this.#storeReady();
    return (this.#runLibrary ??= new RunLibrary(store));
  }

  #storeReady(): Promise<RunStore> {
    if (this.#store) return Promise.resolve(this.#store);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('main has not told the engine host where runs are kept (no configure)')), CONFIGURE_TIMEOUT_MS);
      void this.#configured.then((store) => {
        clearTimeout(timer);
        resolve(store);
      });
    });
  }

  async #start(peer: TrainingPeer, spec: ModelSpec, dataset: string | undefined, options: RunOptions | undefined): Promise<void> {
    this.#refuseIfBusy();
    assertBuildable(spec);
    assertFitsMemory(spec); // before anything is built or loaded: a model too big for the machine is refused at once
    const wanted = options?.backend;
    if (wanted !== undefined && wanted !== 'auto' && !listBackends().includes(wanted)) {
      throw new Error(`there is no backend '${wanted}' in this engine (available: auto, ${listBackends().join(', ')})`);
    }
    const store = await this.#storeReady();
    this.#refuseIfBusy();
    const resolved = resolveOptions(options);
    // Early stopping watches the validation loss: with none it would never fire, a setting quietly ignored.
    if (resolved.earlyStopping && spec.data.validationSize === 0) {
      throw new Error('early stopping watches the validation loss, but validation_size is 0: hold out some images, or turn early stopping off');
    }
    const now = new Date();
    const id = newRunId(now);
    const model = spec.name ?? 'model';
    const meta: RunMeta = {
      id, name: options?.name ?? `${model} ${now.toISOString().slice(0, 16).replace('T', ' ')}`, model,
      dataset: dataset ?? spec.data.dataset, state: 'loading', reason: null,
      createdAt: now.toISOString(), updatedAt: now.toISOString(), options: resolved, epochsDone: 0, step: 0, lr: specLr(spec),
      bestEpoch: null, bestValLoss: null, bestValAcc: null, badEpochs: 0, firstLoss: null, recoveries: 0,
      testEvaluations: 0,
    };
    const run = this.#adopt(meta, spec, { epochs: [], markers: [] });
    const stillLoading = () => this.#run === run && run.meta.state === 'loading';
    try {
      await store.create(meta, spec);
      this.#broadcast({ type: 'run-started', runId: id, meta }, peer);
      this.#broadcast({ type: 'run-state', run: run.status() }, peer);
      const data = await this.#datasets.get(meta.dataset);
      if (!stillLoading()) return; // stopped while loading
      run.trainer = new RunTrainer(spec, data, resolved);
      meta.lr = run.trainer.lr;
      meta.split = run.trainer.split;
      meta.augment = run.trainer.augment;
      await run.checkpoint();
    } catch (error) {
      // Whatever failed (an unwritable folder, a missing dataset, data that does not fit the model), the run
      // must not stay 'loading': that would refuse every later start.
      if (stillLoading()) this.#setState(run, 'failed', failureReason(error));
      throw error;
    }
    if (!stillLoading()) return;
    this.#setState(run, 'running', null);
    this.#startLoop(run);
  }

  #refuseIfBusy(): void {
    const run = this.#run;
    if (run && ACTIVE_RUN_STATES.includes(run.meta.state)) {
      throw new Error(`run ${run.meta.id} ("${run.meta.name}") is ${run.meta.state} at epoch ${run.status().epoch} of ${run.meta.options.epochs}; LayerLab trains one run at a time, so stop it first`);
    }
  }

  async #stop(runId: string): Promise<void> {
    const run = this.#require(runId, 'stop', ['loading', 'running', 'paused']);
    run.stepUnit = null;
    this.#setState(run, 'stopped', [engineText('reason.stoppedByUser', {})]);
    await run.loop;
    if (!run.trainer) return;
    await run.throttle.drain();
    await run.writeLastWeights();
  }

  async #setLr(runId: string, lr: number): Promise<void> {
    const run = this.#require(runId, 'set the learning rate of', ['running', 'paused']);
    const trainer = run.trainer!;
    const from = trainer.lr;
    trainer.setLr(lr);
    run.meta.lr = lr;
    const epoch = trainer.epoch + 1;
    this.#mark(run, { kind: 'lr', step: trainer.step, epoch, from, to: lr, message: `learning rate ${from} → ${lr} during epoch ${epoch}` });
    await run.writeHistory();
  }

  async #restart(runId: string, epoch: number | undefined, lr: number | undefined): Promise<void> {
    const run = await this.#loaded(runId);
    if (ACTIVE_RUN_STATES.includes(run.meta.state)) throw new Error(`run ${runId} is ${run.meta.state}; restart is for a stopped, finished or diverged run`);
    const from = epoch ?? run.meta.epochsDone;
    if (from > run.meta.epochsDone) throw new Error(`run ${runId} has checkpoints up to epoch ${run.meta.epochsDone}, not ${from}`);
    if (from >= run.meta.options.epochs) throw new Error(`run ${runId} already trained all its ${run.meta.options.epochs} epochs`);
    await run.restore(from);
    const trainer = run.trainer!;
    run.truncate(from);
    const previous = trainer.lr;
    if (lr !== undefined) trainer.setLr(lr);
    run.meta.lr = trainer.lr;
    this.#mark(run, {
      kind: 'restarted', step: trainer.step, epoch: from + 1, from: previous, to: trainer.lr,
      message: `restarted from the checkpoint after epoch ${from}${lr !== undefined ? ` with learning rate ${lr}` : ''}`,
    });
    this.#setState(run, 'running', null);
    await run.writeHistory();
    this.#startLoop(run);
  }

  // ---------- the loop ----------

  /** Starts the batch loop unless it is still going (it rereads the state before every batch). */
  #startLoop(run: Run): void {
    if (run.looping) return;
    run.looping = true;
    const loop: Promise<void> = this.#loop(run)
      .catch((error: unknown) => {
        const message = failureReason(error);
        this.#setState(run, 'failed', message);
        this.#broadcast({ type: 'error', message: `run ${run.meta.id} failed: ${message}`, runId: run.meta.id });
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
    while (run.meta.state === 'running' && this.#run === run) {
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
        if (run.meta.state === 'running') this.#setState(run, 'paused', null);
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
    this.#broadcast({ type: 'run-epoch', runId: meta.id, best, ...record });
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
    this.#setState(run, state, reason);
    if (run.trainer && run.trainer.sets.validation.length > 0) {
      this.#broadcast({ type: 'run-evaluation', runId: run.id, evaluation: evaluateRun(run, 'validation') });
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
    this.#mark(run, { kind: 'diverged', step: trainer.step, epoch: at.epoch, message: report.explanation });
    await run.writeLastWeights();
    await run.writeHistory();
    this.#broadcast({
      type: 'run-diverged', runId: run.meta.id, epoch: at.epoch, batch: at.batch ?? trainer.batchesPerEpoch,
      loss: Number.isFinite(at.loss) ? at.loss : null, explanation: report.explanation, causes: report.causes, restoredEpoch,
      fix: { action: 'restart-from-checkpoint', runId: run.meta.id, epoch: restoredEpoch, lr: at.lr / 10 },
      explanationText: report.explanationText, causeTexts: report.causeTexts,
    });
    this.#setState(run, 'diverged', [report.explanationText, ...report.causeTexts.slice(0, 1)]);
  }

  // ---------- layer statistics (#16.3) ----------

  /** A sample of the layers' statistics: to every window now, and onto the run's layer-stats.jsonl for a reload. */
  #layerStats(run: Run, sample: LayerStatsSample): void {
    this.#broadcast({ type: 'run-layer-stats', runId: run.meta.id, samples: [sample], history: false });
    void run.persist((store) => appendLayerStats(store.dir(run.meta.id), sample)).catch(() => undefined);
  }

  async #layerStatsHistory(peer: TrainingPeer, runId: string): Promise<void> {
    const store = await this.#storeReady();
    if (!(await store.exists(runId))) throw new Error(`there is no run ${runId}`);
    // The current run's samples still queued for the disk are written first.
    if (this.#run?.meta.id === runId) await this.#run.persist(async () => undefined);
    this.#send(peer, { type: 'run-layer-stats', runId, samples: await readLayerStats(store.dir(runId)), history: true });
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
    let event: Extract<TrainingEvent, { type: 'run-backend' }>;
    if (wanted !== 'auto' && available.includes(wanted)) {
      event = { type: 'run-backend', runId: run.meta.id, chosen: wanted, figures: [], overridden: true };
    } else {
      const choice = available.length > 1 ? chooseBackend(likelyFastestFirst(available), () => run.trainer!.measureStep()) : { chosen: available[0], figures: [] };
      event = { type: 'run-backend', runId: run.meta.id, chosen: choice.chosen, figures: choice.figures, overridden: false };
      // A run resumed on an engine that lacks the backend it was started with (another machine) measures instead.
      if (wanted !== 'auto') event.note = `the backend '${wanted}' this run asked for is not available here; using the fastest measured`;
    }
    this.#announceBackend(event);
  }

  /**
   * Once per run, after an epoch (its checkpoint has just read every weight, so asking costs no step): why the
   * backend's steps ran slower than they could, said beside the backend (a GPU's step plans that could not be used).
   */
  #noteSteps(run: Run): void {
    const event = this.#backendEvent;
    if (this.#stepsNoted.has(run) || event?.runId !== run.meta.id) return;
    const note = getBackend().stepNote?.() ?? null;
    if (!note) return;
    this.#stepsNoted.add(run);
    this.#announceBackend({ ...event, note: event.note ? `${event.note}; ${note}` : note });
  }

  /** A backend failed during a batch and the trainer did the batch again on the CPU: mark it and say so. */
  #fellBack(run: Run, { from, error }: train.FellBack): void {
    const trainer = run.trainer!;
    const message = `the ${from} backend failed (${error}); training goes on on the CPU from batch ${trainer.batchInEpoch} of epoch ${trainer.epoch + 1}, with nothing lost`;
    this.#mark(run, { kind: 'backend', step: trainer.step, epoch: trainer.epoch + 1, message });
    const figures = this.#backendEvent?.runId === run.meta.id ? this.#backendEvent.figures : [];
    this.#announceBackend({ type: 'run-backend', runId: run.meta.id, chosen: 'cpu', figures, overridden: false, note: message });
  }

  #announceBackend(event: Extract<TrainingEvent, { type: 'run-backend' }>): void {
    setBackend(event.chosen);
    this.#backendEvent = event;
    // Kept with the run (written with its next meta) for the run table: 'auto' says what was asked, this what ran.
    if (this.#run?.meta.id === event.runId) this.#run.meta.backendUsed = event.chosen;
    this.#links.backendChanged?.(event.chosen);
    this.#broadcast(event);
  }

  // ---------- checkpoints ----------

  /** After a crash: the run that was loading, running or paused continues from its last committed epoch. */
  async #recover(): Promise<void> {
    const store = this.#store!;
    const interrupted = (await store.list()).find((m) => ACTIVE_RUN_STATES.includes(m.state));
    if (!interrupted || this.#run) return;
    const id = interrupted.id;
    const parentEnded = interrupted.parentEnded === true;
    // A second crash (or hang) with no checkpoint since the first resume: resuming again would most likely crash it
    // once more (a model too big for the machine). It is left stopped, and the user chooses. A run that made
    // progress between crashes is resumed each time.
    const committed = interrupted.partial?.step ?? interrupted.step;
    const stuck = interrupted.recoveredAtStep !== undefined && committed <= interrupted.recoveredAtStep;
    if (!parentEnded && stuck) {
      const reasonText = [engineText('reason.stuck', { epoch: interrupted.epochsDone })];
      await store.writeMeta({ ...interrupted, state: 'stopped', reason: englishTexts(reasonText), reasonText });
      return;
    }
    // Marked before anything is loaded: a host that crashes or hangs in the resume itself (building a model too big
    // for the machine) has then been counted once, and the next start leaves the run to the user, not resuming it
    // again and again.
    const marked: RunMeta = { ...interrupted };
    delete marked.parentEnded;
    if (!parentEnded) marked.recoveredAtStep = committed;
    await store.writeMeta(marked);
    let run: Run;
    try {
      run = await this.#load(id);
      await run.restore(interrupted.epochsDone);
    } catch (error) {
      const reasonText = [engineText('reason.resumeFailed', { message: error instanceof Error ? error.message : String(error) })];
      await store.writeMeta({ ...interrupted, state: 'failed', reason: englishTexts(reasonText), reasonText });
      this.#run = null;
      return;
    }
    const done = interrupted.epochsDone;
    run.truncate(done);
    const within = interrupted.partial?.epoch === done + 1 ? interrupted.partial : undefined;
    if (within) {
      try {
        await run.restoreWithinEpoch(within);
      } catch {
        await run.restore(done); // its files did not make it: the epoch's checkpoint it is, then
      }
    }
    const position = run.meta.partial;
    delete run.meta.parentEnded;
    if (!parentEnded) {
      run.meta.recoveries++;
      run.meta.recoveredAtStep = run.trainer!.step;
    }
    const closed = parentEnded ? 'closed' : 'crashed';
    const messageText = position
      ? engineText(`recovered.${closed}.inEpoch`, { name: run.meta.name, epoch: position.epoch, batch: position.batch })
      : engineText(`recovered.${closed}.afterEpoch`, { name: run.meta.name, epoch: done, next: done + 1 });
    const message = englishText(messageText);
    this.#mark(run, { kind: 'recovered', step: run.trainer!.step, epoch: done + 1, message });
    this.#recoveryNotice = { type: 'run-recovered', runId: id, fromEpoch: done + 1, message, messageText };
    this.#broadcast(this.#recoveryNotice, this.#links.main);
    this.#setState(run, interrupted.state === 'paused' ? 'paused' : 'running', null);
    await run.writeHistory();
    if (run.meta.state === 'running') this.#startLoop(run);
  }

  /**
   * The engine host's parent is gone and the host is about to exit: a run in progress is marked so, so that the
   * resume after the next start does not count against it (it did not crash anything). Resolves once written.
   */
  async parentEnded(): Promise<void> {
    const run = this.#run;
    if (!run || !ACTIVE_RUN_STATES.includes(run.meta.state)) return;
    run.meta.parentEnded = true;
    await run.writeMeta();
  }

  /** Reads a run from its folder and builds its trainer (asking main for the dataset); it becomes the current run. */
  async #load(id: string): Promise<Run> {
    const store = await this.#storeReady();
    if (!(await store.exists(id))) throw new Error(`there is no run ${id}`);
    const meta = await store.readMeta(id);
    const spec = await store.readSpec(id);
    const history = await store.readHistory(id);
    const data = await this.#datasets.get(meta.dataset);
    this.#refuseIfBusy();
    const run = this.#adopt(meta, spec, history);
    // A run from before runs split by their own seed (no split in its run.json, or one with no seed once it has
    // been reopened) keeps main's default split: the images its epochs trained on.
    const ownSeed = meta.split ? meta.split.seed !== null : meta.epochsDone === 0;
    const rule = ownSeed ? 'run-seed' : 'main-default';
    const trainer = new RunTrainer(spec, data, resolveOptions(meta.options), rule);
    meta.split = trainer.split;
    trainer.model.loadStateDict(await store.readWeights(id, 'last'));
    trainer.epoch = meta.epochsDone;
    trainer.step = meta.step;
    trainer.firstLoss = meta.firstLoss;
    run.trainer = trainer;
    return run;
  }

  /** The current run if it is `id`, else that run loaded from disk (when nothing is training). */
  async #loaded(id: string): Promise<Run> {
    if (this.#run?.meta.id === id && this.#run.trainer) return this.#run;
    this.#refuseIfBusy();
    return this.#load(id);
  }

  #adopt(meta: RunMeta, spec: ModelSpec, history: RunHistory): Run {
    this.#run?.throttle.dispose();
    const throttle = new BatchThrottle(meta.id, (report) => this.#broadcast({ type: 'run-batch', ...report }));
    this.#run = new Run(meta, spec, history, throttle, this.#store!);
    return this.#run;
  }

  // ---------- weights from outside ----------

  /**
   * A learner's .safetensors file into the builder's model: read by the engine's reader, loaded strictly (keys,
   * shapes and dtypes: loadStateDict's PyTorch-worded message names every mismatch), and kept as a stopped run of
   * its own whose checkpoint is those weights. Nothing else changes: the current run, its model and the builder's
   * spec are untouched whether it works or not, and the upload is deleted either way.
   */
  async #import(peer: TrainingPeer, request: Extract<TrainingRequest, { type: 'run-import' }>): Promise<void> {
    const store = await this.#storeReady();
    const { spec, fileName } = request;
    const path = store.importPath(request.uploadId);
    try {
      assertBuildable(spec);
      const bytes = await readFile(path).catch(() => {
        throw new Error(`${fileName} is no longer waiting to be loaded (it expired, or was loaded already); pick the file again`);
      });
      let state: Record<string, Tensor>;
      try {
        state = loadSafetensors(bytes);
      } catch (error) {
        throw new Error(`${fileName} is not a readable .safetensors file: ${error instanceof Error ? error.message : String(error)}`);
      }
      const model = buildModel(spec);
      try {
        model.loadStateDict(state, { checkDtype: true });
      } catch (error) {
        throw new Error(`${fileName} does not fit ${spec.name ?? 'this model'}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const now = new Date();
      const id = newRunId(now);
      const weights = model.stateDict();
      const meta: RunMeta = {
        id, name: `${spec.name ?? 'model'} from ${fileName}`, model: spec.name ?? 'model', dataset: spec.data.dataset,
        state: 'stopped', reason: `weights loaded from ${fileName}`, reasonText: [engineText('reason.weightsLoaded', { file: fileName })], createdAt: now.toISOString(), updatedAt: now.toISOString(),
        options: resolveOptions(undefined), epochsDone: 0, step: 0, lr: specLr(spec), bestEpoch: null, bestValLoss: null,
        bestValAcc: null, badEpochs: 0, firstLoss: null, recoveries: 0, testEvaluations: 0,
      };
      await store.create(meta, spec);
      // Epoch 0 is a run's starting point; 'last' is what Predict and Evaluate read.
      await store.writeWeights(id, 0, weights);
      await store.writeWeights(id, 'last', weights);
      this.#send(peer, { type: 'run-imported', requestId: request.requestId, run: summarize(meta) });
    } finally {
      await rm(path, { force: true });
    }
  }

  // ---------- evaluation and prediction ----------

  /**
   * Validation any time; the test set only once the run has ended (TEST_SET_STATES), and each look is counted in
   * run.json, so the count survives a reload and says how far the test score can still be trusted.
   */
  async #evaluate(peer: TrainingPeer, request: Extract<TrainingRequest, { type: 'run-evaluate' }>): Promise<void> {
    const run = await this.#loaded(request.runId);
    if (request.split === 'test' && !TEST_SET_STATES.includes(run.meta.state)) {
      const what = ACTIVE_RUN_STATES.includes(run.meta.state) ? 'stop the run or let it finish, then evaluate on the test set' : 'only a finished or stopped run is evaluated on it';
      throw new Error(`the test set is locked while run ${run.meta.id} is ${run.meta.state}: ${what}. Until then, tune against the validation set`);
    }
    const evaluation = evaluateRun(run, request.split);
    this.#send(peer, { type: 'run-evaluation', runId: run.meta.id, evaluation, ...(request.requestId !== undefined ? { requestId: request.requestId } : {}) });
    if (request.split === 'test') {
      run.meta.testEvaluations = (run.meta.testEvaluations ?? 0) + 1;
      run.meta.lastTest = { loss: evaluation.loss, accuracy: evaluation.accuracy, samples: evaluation.samples };
      await run.writeMeta();
      // Every window shows the count, not only the one that asked.
      this.#broadcast({ type: 'run-state', run: run.status() }, this.#links.main);
    }
  }

  // ---------- prediction ----------

  async #predict(peer: TrainingPeer, request: Extract<TrainingRequest, { type: 'predict' }>): Promise<void> {
    const { runId, checkpoint, model, spec } = await this.#modelFor(request, 'predict with');
    const result = predictImage(model, spec, request.image, request.activations ?? false);
    this.#send(peer, { type: 'prediction', requestId: request.requestId, runId, checkpoint, ...result });
  }

  /** The model a prediction or a look inside asks for: a named run's (or the current run's) checkpoint. */
  async #modelFor(request: { runId?: string; checkpoint?: CheckpointRef }, verb: string) {
    const runId = request.runId ?? this.#run?.meta.id;
    if (!runId) throw new Error(`there is no current run to ${verb}; start or name a run`);
    const checkpoint: CheckpointRef = request.checkpoint ?? 'last';
    const current = this.#run?.meta.id === runId ? this.#run : null;
    // The current run's 'last' is the model in memory (mid-epoch weights included); anything else is read from disk.
    const { model, spec } = current?.trainer && checkpoint === 'last'
      ? { model: current.trainer.model, spec: current.spec }
      : await (await this.#library()).checkpointModel(runId, checkpoint, current?.meta);
    return { runId, checkpoint, model, spec };
  }

  /** Every layer's output for one image, by forward hooks on the model's own forward (Predict's layer view). */
  async #layerOutputs(peer: TrainingPeer, request: Extract<InsideRequest, { type: 'layer-outputs' }>): Promise<void> {
    const { runId, checkpoint, model, spec } = await this.#modelFor(request, 'look inside');
    const { input, output, layers } = layerOutputs(model, spec, request.image);
    const [row] = probabilities(spec, output);
    this.#send(peer, {
      type: 'layer-outputs', requestId: request.requestId, runId, checkpoint, input: encodeFloat32(input.data).values,
      layers: layers.map(({ data, ...layer }) => ({ ...layer, ...encodeFloat32(data) })),
      probabilities: Array.from(row), predicted: argmaxRow(output.data.subarray(0, output.shape[1])),
    });
  }

  async #layerWeights(peer: TrainingPeer, request: Extract<InsideRequest, { type: 'layer-weights' }>): Promise<void> {
    const { runId, checkpoint, model, spec } = await this.#modelFor(request, 'look inside');
    const { op, tensors } = layerWeights(model, spec, request.layer);
    this.#send(peer, {
      type: 'layer-weights', requestId: request.requestId, runId, checkpoint, layer: request.layer, op,
      tensors: tensors.map(({ data, ...t }) => ({ ...t, ...encodeFloat32(data) })),
    });
  }

  /** A page of the current run's last evaluation of a split: what the confusion matrix's galleries show. */
  async #examples(peer: TrainingPeer, request: Extract<TrainingRequest, { type: 'run-examples' }>): Promise<void> {
    const { requestId, runId, split } = request;
    const run = this.#run?.meta.id === runId ? this.#run : null;
    if (!run && !(await (await this.#storeReady()).exists(runId))) throw new Error(`there is no run ${runId}`);
    const evaluated = run?.evaluated.get(split);
    if (!evaluated) throw new Error(`run ${runId} has no ${split} evaluation in memory; evaluate it first (run-evaluate)`);
    this.#send(peer, { type: 'run-examples', requestId, runId, split, ...evaluated.query(request) });
  }

  // ---------- state and events ----------

  #require(runId: string, verb: string, states: RunState[]): Run {
    const run = this.#run;
    if (!run || run.meta.id !== runId) {
      throw new Error(`cannot ${verb} run ${runId}: ${run ? `the current run is ${run.meta.id}` : 'no run has been started'}`);
    }
    if (!states.includes(run.meta.state)) throw new Error(`cannot ${verb} run ${runId}: it is ${run.meta.state}`);
    if (!run.trainer && run.meta.state !== 'loading') throw new Error(`cannot ${verb} run ${runId}: its model is not loaded`);
    return run;
  }

  /** `reason` as sentences (common/engine-text.ts) is kept as codes too, for the renderer to word; plain text as is. */
  #setState(run: Run, state: RunState, reason: string | EngineText[] | null): void {
    run.meta.state = state;
    run.meta.reason = typeof reason === 'string' || reason === null ? reason : englishTexts(reason);
    if (Array.isArray(reason)) run.meta.reasonText = reason;
    else delete run.meta.reasonText;
    void run.writeMeta().catch(() => undefined);
    this.#broadcast({ type: 'run-state', run: run.status() }, this.#links.main);
  }

  #mark(run: Run, marker: RunMarker): void {
    run.mark(marker);
    this.#broadcast({ type: 'run-marker', runId: run.meta.id, marker });
  }

  /** To every renderer, plus `also` (the requester or main) when it is not one of them. */
  #broadcast(event: EngineEvent, also?: TrainingPeer): void {
    const sent = new Set<string>();
    for (const peer of [...this.#links.renderers(), ...(also ? [also] : [])]) {
      if (sent.has(peer.id)) continue;
      sent.add(peer.id);
      this.#send(peer, event);
    }
  }

  #send(peer: TrainingPeer, event: EngineEvent): void {
    try {
      peer.send(event);
    } catch (error) {
      console.warn(`engine host: could not send ${event.type} to ${peer.id}:`, error instanceof Error ? error.message : error);
    }
  }
}

