/**
 * The engine host's training router: messages in, events out. It holds the one current run (its model loaded,
 * training or finished), answers each `run-*` request (start, pause, step, stop, lr, restart, evaluate, predict, look
 * inside, import, the run history), and says every change to every window. The batches themselves are the run
 * loop's (run-loop.ts: backend choice and fallback, epochs, checkpoints), and resuming after a crash is
 * recovery.ts's. The transport is someone else's: the engine host hands each request here with the peer that sent
 * it, and gives this class a way to reach every renderer and main. Nothing here knows whether it runs in Electron's
 * utilityProcess or a child process.
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
import { EngineTextError, engineText, englishTexts, type EngineText } from '../../../common/engine-text';
import { encodeFloat32, type InsideRequest } from '../../../common/inside-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { io, listBackends, spec as engineSpec, type Tensor } from '../../../engine/index';
import { BatchThrottle } from './batch-throttle';
import { DatasetChannel } from './datasets';
import { readLayerStats } from './layer-stats';
import { argmaxRow, evaluateRun, predictImage, probabilities } from './evaluation';
import { layerOutputs, layerWeights } from './inside';
import { RunLibrary } from './run-library';
import { assertFitsMemory } from './memory-budget';
import { failureReason, RunStore, summarize } from './run-store';
import { newRunId, Run, specLr } from './run';
import { resolveOptions, RunTrainer } from './run-trainer';
import { RunLoop } from './run-loop';
import { recoverInterrupted, trainerFromFolder } from './recovery';
import type { ComputingRun } from '../lesson/lesson-runner';

const { buildModel } = engineSpec;
const { loadSafetensors } = io;

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
  /** A run's batches start or resume (start, resume, a step from paused, a restart, a recovered run). */
  computeStarts?(): void;
}

const CONFIGURE_TIMEOUT_MS = 10_000;

/** What a learner's click asks of the current run (its words: runAction.* in common/engine-text.ts). */
type RunAction = 'pause' | 'resume' | 'step' | 'stop' | 'setLr';

export class RunManager {
  readonly #links: TrainingLinks;
  readonly #datasets: DatasetChannel;
  #store: RunStore | null = null;
  #configured: Promise<RunStore>;
  #resolveConfigured!: (store: RunStore) => void;
  #run: Run | null = null;
  #recoveryNotice: TrainingEvent | null = null;
  #runLibrary: RunLibrary | null = null;
  readonly #loop: RunLoop;

  constructor(links: TrainingLinks) {
    this.#links = links;
    this.#datasets = new DatasetChannel((event) => this.#send(links.main, event));
    this.#configured = new Promise((resolve) => (this.#resolveConfigured = resolve));
    this.#loop = new RunLoop({
      current: () => this.#run,
      setState: (run, state, reason) => this.#setState(run, state, reason),
      mark: (run, marker) => this.#mark(run, marker),
      broadcast: (event) => this.#broadcast(event),
      backendChanged: (name) => links.backendChanged?.(name),
      computeStarts: () => links.computeStarts?.(),
    });
  }

  /** A renderer appeared (a new port, or the first frame after an engine restart): tell it where training is. */
  connect(peer: TrainingPeer): void {
    if (this.#run) this.#send(peer, { type: 'run-state', run: this.#run.status() });
    if (this.#recoveryNotice) this.#send(peer, this.#recoveryNotice);
    const backend = this.#loop.backendEvent;
    if (backend && backend.runId === this.#run?.meta.id) this.#send(peer, backend);
  }

  /** A dataset from main, as a run gets it (the Learn tab's lesson trains on MNIST too). */
  dataset(name: string): Promise<TrainingDataset> {
    return this.#datasets.get(name);
  }

  /** The run computing now (loading or running), or null: a lesson step does not share the engine with it. */
  computingRun(): ComputingRun | null {
    const run = this.#run;
    const state = run?.meta.state;
    return run && (state === 'running' || state === 'loading') ? { id: run.meta.id, name: run.meta.name, state } : null;
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
        type: 'error', message, requestType: request.type, ...(error instanceof EngineTextError ? { text: error.text } : {}),
        ...(runId !== undefined ? { runId } : {}), ...(requestId !== undefined ? { requestId } : {}),
      });
    }
  }

  async #dispatch(peer: TrainingPeer, request: TrainingRequest | InsideRequest): Promise<void> {
    switch (request.type) {
      case 'configure': return this.#configure(request.runsDir, request.firstHostSinceStart === true);
      case 'dataset': return this.#datasets.answer(request.requestId, { dataset: request.dataset });
      case 'dataset-error': return this.#datasets.answer(request.requestId, { message: request.message, text: request.text });
      case 'run-start': return this.#start(peer, request.spec, request.dataset, request.options);
      case 'run-pause': {
        const run = this.#require(request.runId, 'pause', ['running']);
        run.stepUnit = null;
        return this.#setState(run, 'paused', null);
      }
      case 'run-resume': {
        const run = this.#require(request.runId, 'resume', ['paused']);
        this.#setState(run, 'running', null);
        return this.#loop.start(run);
      }
      case 'run-step': {
        const run = this.#require(request.runId, 'step', ['paused', 'running']);
        run.stepUnit = request.unit;
        if (run.meta.state === 'paused') {
          this.#setState(run, 'running', null);
          this.#loop.start(run);
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

  async #configure(runsDir: string, firstHostSinceStart: boolean): Promise<void> {
    if (this.#store && this.#store.runsDir !== runsDir) throw new Error(`the runs folder is already ${this.#store.runsDir}`);
    await mkdir(runsDir, { recursive: true });
    if (!this.#store) {
      this.#store = new RunStore(runsDir);
      this.#resolveConfigured(this.#store);
      // Only one engine host writes at a time: temp files of dead ones are leftovers of a kill mid-write.
      await this.#store.removeStaleTemps();
      await this.#recover(firstHostSinceStart);
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
    engineSpec.assertBuildable(spec);
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
      throw new EngineTextError(engineText('run.earlyStoppingWithoutValidation', {}));
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
    this.#loop.start(run);
  }

  #refuseIfBusy(): void {
    const run = this.#run;
    if (run && ACTIVE_RUN_STATES.includes(run.meta.state)) {
      throw new EngineTextError(engineText('run.busy', {
        id: run.meta.id, name: run.meta.name, state: engineText(`runState.${run.meta.state}`, {}), epoch: run.status().epoch, epochs: run.meta.options.epochs,
      }));
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
    const run = this.#require(runId, 'setLr', ['running', 'paused']);
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
    if (ACTIVE_RUN_STATES.includes(run.meta.state)) {
      throw new EngineTextError(engineText('run.restart.active', { id: runId, state: engineText(`runState.${run.meta.state}`, {}) }));
    }
    const from = epoch ?? run.meta.epochsDone;
    if (from > run.meta.epochsDone) throw new EngineTextError(engineText('run.restart.beyond', { id: runId, done: run.meta.epochsDone, from }));
    if (from >= run.meta.options.epochs) throw new EngineTextError(engineText('run.restart.done', { id: runId, epochs: run.meta.options.epochs }));
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
    this.#loop.start(run);
  }

  // ---------- resume points ----------

  /** After a crash: the run that was loading, running or paused continues from its last resume point (recovery.ts). */
  #recover(firstHostSinceStart: boolean): Promise<void> {
    return recoverInterrupted(this.#store!, firstHostSinceStart, {
      current: () => this.#run,
      load: (id) => this.#load(id),
      forget: () => (this.#run = null),
      mark: (run, marker) => this.#mark(run, marker),
      setState: (run, state, reason) => this.#setState(run, state, reason),
      announce: (notice) => {
        this.#recoveryNotice = notice;
        this.#broadcast(notice, this.#links.main);
      },
      startLoop: (run) => this.#loop.start(run),
    });
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
    if (!(await store.exists(id))) throw new EngineTextError(engineText('run.notFound', { id }));
    const meta = await store.readMeta(id);
    const spec = await store.readSpec(id);
    const history = await store.readHistory(id);
    const data = await this.#datasets.get(meta.dataset);
    this.#refuseIfBusy();
    const run = this.#adopt(meta, spec, history);
    run.trainer = await trainerFromFolder(store, meta, spec, data);
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

  async #layerStatsHistory(peer: TrainingPeer, runId: string): Promise<void> {
    const store = await this.#storeReady();
    if (!(await store.exists(runId))) throw new EngineTextError(engineText('run.notFound', { id: runId }));
    // The current run's samples still queued for the disk are written first.
    if (this.#run?.meta.id === runId) await this.#run.persist(async () => undefined);
    this.#send(peer, { type: 'run-layer-stats', runId, samples: await readLayerStats(store.dir(runId)), history: true });
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
      engineSpec.assertBuildable(spec);
      const bytes = await readFile(path).catch(() => {
        throw new EngineTextError(engineText('weights.expired', { file: fileName }));
      });
      let state: Record<string, Tensor>;
      try {
        state = loadSafetensors(bytes);
      } catch (error) {
        throw new EngineTextError(engineText('weights.unreadable', { file: fileName, detail: error instanceof Error ? error.message : String(error) }));
      }
      const model = buildModel(spec);
      try {
        model.loadStateDict(state, { checkDtype: true });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new EngineTextError(spec.name
          ? engineText('weights.doesNotFit', { file: fileName, model: spec.name, detail })
          : engineText('weights.doesNotFit.unnamed', { file: fileName, detail }));
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
      const params = { id: run.meta.id, state: engineText(`runState.${run.meta.state}`, {}) };
      throw new EngineTextError(engineText(ACTIVE_RUN_STATES.includes(run.meta.state) ? 'run.testLocked.active' : 'run.testLocked.ended', params));
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
    const { runId, checkpoint, model, spec } = await this.#modelFor(request, 'predict');
    const result = predictImage(model, spec, request.image, request.activations ?? false);
    this.#send(peer, { type: 'prediction', requestId: request.requestId, runId, checkpoint, ...result });
  }

  /** The model a prediction or a look inside asks for: a named run's (or the current run's) checkpoint. */
  async #modelFor(request: { runId?: string; checkpoint?: CheckpointRef }, purpose: 'predict' | 'inside') {
    const runId = request.runId ?? this.#run?.meta.id;
    if (!runId) throw new EngineTextError(engineText(`run.noCurrent.${purpose}`, {}));
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
    const { runId, checkpoint, model, spec } = await this.#modelFor(request, 'inside');
    const { input, output, layers } = layerOutputs(model, spec, request.image);
    const [row] = probabilities(spec, output);
    this.#send(peer, {
      type: 'layer-outputs', requestId: request.requestId, runId, checkpoint, input: encodeFloat32(input.data).values,
      layers: layers.map(({ data, ...layer }) => ({ ...layer, ...encodeFloat32(data) })),
      probabilities: Array.from(row), predicted: argmaxRow(output.data.subarray(0, output.shape[1])),
    });
  }

  async #layerWeights(peer: TrainingPeer, request: Extract<InsideRequest, { type: 'layer-weights' }>): Promise<void> {
    const { runId, checkpoint, model, spec } = await this.#modelFor(request, 'inside');
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
    if (!run && !(await (await this.#storeReady()).exists(runId))) throw new EngineTextError(engineText('run.notFound', { id: runId }));
    const evaluated = run?.evaluated.get(split);
    if (!evaluated) throw new EngineTextError(engineText(`run.notEvaluated.${split}`, { id: runId }));
    this.#send(peer, { type: 'run-examples', requestId, runId, split, ...evaluated.query(request) });
  }

  // ---------- state and events ----------

  /** The current run, if it is `runId` and in one of `states`; else why not, worded for the learner (a click that raced the run's end). */
  #require(runId: string, action: RunAction, states: RunState[]): Run {
    const run = this.#run;
    const verb = engineText(`runAction.${action}`, {});
    if (!run || run.meta.id !== runId) {
      throw new EngineTextError(run
        ? engineText('run.cannot.notCurrent', { verb, id: runId, current: run.meta.id })
        : engineText('run.cannot.noRun', { verb, id: runId }));
    }
    if (!states.includes(run.meta.state)) {
      throw new EngineTextError(engineText('run.cannot.state', { verb, id: runId, state: engineText(`runState.${run.meta.state}`, {}) }));
    }
    if (!run.trainer && run.meta.state !== 'loading') throw new EngineTextError(engineText('run.cannot.notLoaded', { verb, id: runId }));
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

