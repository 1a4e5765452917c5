/**
 * The Train tab's state: the current run as the engine host reports it (state, progress, speed, lr), its curves
 * (batch points arrive in bursts and are merged once per animation frame into a replaced $state.raw object), the
 * watchdog's divergence notice, evaluations, the run list, and an overlay of a previous run's curves.
 *
 * Commands go straight to the engine channel; the engine broadcasts what happened, so a second window shows the
 * same run. A page opened mid-run adopts the run from its `run-state` and back-fills the epochs with `run-curves`.
 */
import type { EngineText } from '../../../../common/engine-text';
import { DEFAULT_RUN, type ProjectRun } from '../../../../common/project';
import { getPreset, type ModelSpec } from '../../../../common/model-spec';
import type { EngineEvent } from '../../../../common/engine-protocol';
import type {
  BatchReport, Evaluation, RestartAction, RunHistory, RunMeta, RunStatus, RunSummary,
} from '../../../../common/training-protocol';
import type { Host } from '../../lib/host/host';
import type { PendingEdits } from '../builder/pending-edits';
import type { Blocker } from '../builder/summary';
import { batchPoints, EMPTY_CURVES, type BatchPoint, type Curves } from './curves';
import { FrameBuffer } from './frame-buffer';
import { runOptions, startBlocker, type StartBlocker } from './run-settings';
import { SpeedMeter } from './speed';

/**
 * How often the progress and the curves follow the stream: often enough to look live, rarely enough that the
 * page's main thread stays idle while a run streams 20 batch reports a second.
 */
const UI_INTERVAL_MS = 200;

export interface Divergence {
  epoch: number;
  batch: number;
  loss: number | null;
  explanation: string;
  causes: string[];
  /** The same, as sentence codes for the learner's language (absent from an older engine). */
  explanationText?: EngineText;
  causeTexts?: EngineText[];
  restoredEpoch: number;
  fix: RestartAction;
}

export interface Overlay {
  runId: string;
  name: string;
  history: RunHistory;
}

/**
 * Where the model to train comes from: App hands in the BuilderState (anything with a `spec` will do). Its run
 * settings (the Train tab's fields) are the next run's, whichever model it trains; its blocker and pending edits
 * say why it can't train.
 */
export interface SpecSource {
  readonly spec: ModelSpec;
  readonly run?: ProjectRun;
  readonly blocker?: Blocker | null;
  readonly pending?: PendingEdits;
}

/** 'builder': whatever the builder holds now; otherwise a preset's name. */
export type ModelChoice = 'builder' | string;

export class TrainingState {
  #host: Host;
  #source: SpecSource;
  #stops: (() => void)[] = [];
  #buffer: FrameBuffer<BatchPoint>;
  /** The newest batch report, shown with the next flush (not on every message). */
  #lastReport: BatchReport | null = null;
  #pendingEval = new Map<number, 'validation' | 'test'>();
  #meter = new SpeedMeter();
  #nextRequest = 1;
  /** The run this window follows (set by run-started before its first run-state arrives). */
  #current = $state<string | null>(null);

  status = $state.raw<RunStatus | null>(null);
  meta = $state.raw<RunMeta | null>(null);
  /** The spec the current run trains (the one this window started, or the builder's). */
  runSpec = $state.raw<ModelSpec | null>(null);
  last = $state.raw<BatchReport | null>(null);
  /** Images per second of wall-clock time over the last 20 s (speed.ts); null until a second has been measured. */
  speed = $state<number | null>(null);
  curves = $state.raw<Curves>(EMPTY_CURVES);
  /** Global steps at which a paused run went on (marked on the charts). */
  resumes = $state.raw<number[]>([]);
  overlay = $state.raw<Overlay | null>(null);
  divergence = $state.raw<Divergence | null>(null);
  /** How the run came back after a crash: the engine's English, and its sentence code for the learner's language. */
  recovered = $state.raw<{ message: string; messageText?: EngineText } | null>(null);
  validation = $state.raw<Evaluation | null>(null);
  test = $state.raw<Evaluation | null>(null);
  runs = $state.raw<RunSummary[]>([]);
  /** The engine's answer to a failed run request, as its sentence code where it sent one (a dataset not on disk). */
  error = $state.raw<{ message: string; text?: EngineText } | null>(null);

  // Settings of the next run.
  model = $state<ModelChoice>('builder');
  /** null: the spec's own dataset (data.dataset); otherwise a ready dataset by name, e.g. a custom import. */
  dataset = $state<string | null>(null);
  /** Datasets on disk and ready to train on. */
  datasets = $state.raw<string[]>([]);

  constructor(host: Host, source: SpecSource) {
    this.#host = host;
    this.#source = source;
    this.#buffer = new FrameBuffer((points) => this.#mergeBatches(points), undefined, UI_INTERVAL_MS);
  }

  get runId(): string | null {
    return this.#current;
  }

  /** The next run's settings (epochs, seed, early stopping, clipping). */
  get run(): ProjectRun {
    return this.#source.run ?? DEFAULT_RUN;
  }

  /** Why Train is disabled now, or null. */
  get blocker(): StartBlocker | null {
    return startBlocker({
      model: this.model, validationSize: this.nextSpec?.data.validationSize ?? null, builderBlocker: this.#source.blocker ?? null,
      pending: this.#source.pending?.blocking(this.model) ?? null, run: this.run,
    });
  }

  /** The spec the next run will train. */
  get nextSpec(): ModelSpec | null {
    if (this.model === 'builder') return this.#source.spec;
    return getPreset(this.model) ?? null;
  }

  connect(): void {
    this.dispose();
    const { engine } = this.#host;
    this.#stops = [
      engine.subscribe((event) => this.#on(event)),
      engine.onBind(() => this.refreshRuns()),
      this.#host.api.on('datasetStatus', () => void this.refreshDatasets()),
    ];
    this.refreshRuns();
    void this.refreshDatasets();
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#buffer.drop();
  }

  // ---------- commands ----------

  start(): void {
    const spec = this.nextSpec;
    // The button is disabled then; this guards the Alt+T shortcut and any other caller alike.
    if (!spec || this.blocker) return;
    this.error = null;
    const snapshot = $state.snapshot(spec) as ModelSpec;
    this.runSpec = snapshot;
    this.#host.engine.post({
      type: 'run-start',
      spec: snapshot,
      options: runOptions($state.snapshot(this.run) as ProjectRun),
      ...(this.dataset ? { dataset: this.dataset } : {}),
    });
  }

  pause(): void {
    if (this.runId) this.#host.engine.post({ type: 'run-pause', runId: this.runId });
  }

  resume(): void {
    if (this.runId) this.#host.engine.post({ type: 'run-resume', runId: this.runId });
  }

  stop(): void {
    if (this.runId) this.#host.engine.post({ type: 'run-stop', runId: this.runId });
  }

  step(unit: 'batch' | 'epoch'): void {
    if (this.runId) this.#host.engine.post({ type: 'run-step', runId: this.runId, unit });
  }

  /** The watchdog's suggested fix, one click away. */
  applyFix(): void {
    const fix = this.divergence?.fix;
    if (!fix) return;
    this.divergence = null;
    this.#host.engine.post({ type: 'run-restart', runId: fix.runId, epoch: fix.epoch, lr: fix.lr });
  }

  evaluate(split: 'validation' | 'test'): void {
    if (!this.runId) return;
    const requestId = this.#nextRequest++;
    this.#pendingEval.set(requestId, split);
    this.#host.engine.post({ type: 'run-evaluate', runId: this.runId, split, requestId });
  }

  async refreshDatasets(): Promise<void> {
    const envelope = await this.#host.api.listDatasets();
    if (envelope.ok) this.datasets = envelope.value.datasets.filter((d) => d.state === 'ready').map((d) => d.name);
  }

  refreshRuns(): void {
    this.#host.engine.post({ type: 'runs-list' });
  }

  showOverlay(runId: string | null): void {
    if (!runId) {
      this.overlay = null;
      return;
    }
    this.#host.engine.post({ type: 'run-curves', runIds: [runId] });
  }

  // ---------- events ----------

  #mine(runId: string): boolean {
    return runId === this.runId;
  }

  #on(event: EngineEvent): void {
    switch (event.type) {
      case 'run-started':
        this.#adopt(event.meta);
        return;
      case 'run-state':
        if (this.#mine(event.run.id)) {
          if (this.status?.state === 'paused' && event.run.state === 'running') this.resumes = [...this.resumes, event.run.step];
          // Paused or resumed: the time in between is not training, so the speed is measured afresh.
          if (this.status?.state !== event.run.state) this.#restartSpeed();
          this.status = event.run;
        } else {
          this.#adoptStatus(event.run);
        }
        if (!['loading', 'running', 'paused'].includes(event.run.state)) this.refreshRuns();
        return;
      case 'run-batch':
        if (!this.#mine(event.runId)) return;
        this.#lastReport = event;
        this.#meter.add(event.time, event.window.size.reduce((a, b) => a + b, 0));
        this.#buffer.push(...batchPoints(event));
        return;
      case 'run-epoch': {
        if (!this.#mine(event.runId)) return;
        this.#buffer.flush();
        const { type: _t, runId: _r, best: _b, ...record } = event;
        this.curves = { ...this.curves, epochs: [...this.curves.epochs.filter((e) => e.epoch !== record.epoch), record] };
        return;
      }
      case 'run-marker':
        if (this.#mine(event.runId)) this.curves = { ...this.curves, markers: [...this.curves.markers, event.marker] };
        return;
      case 'run-diverged': {
        if (!this.#mine(event.runId)) return;
        const { type: _t, runId: _r, ...divergence } = event;
        this.divergence = divergence;
        return;
      }
      case 'run-recovered':
        if (this.#mine(event.runId)) this.recovered = { message: event.message, messageText: event.messageText };
        return;
      case 'run-evaluation': {
        if (!this.#mine(event.runId)) return;
        const asked = event.requestId !== undefined ? this.#pendingEval.get(event.requestId) : undefined;
        if (event.requestId !== undefined) this.#pendingEval.delete(event.requestId);
        if ((asked ?? event.evaluation.split) === 'test') this.test = event.evaluation;
        else this.validation = event.evaluation;
        return;
      }
      case 'runs':
        this.runs = event.runs;
        return;
      case 'run-detail':
        if (this.#mine(event.run.meta.id)) {
          this.meta = event.run.meta;
          this.runSpec = event.run.spec;
        }
        return;
      case 'run-curves':
        for (const c of event.curves) {
          if (this.#mine(c.runId) && this.curves.epochs.length === 0) {
            this.curves = { ...this.curves, epochs: c.history.epochs, markers: c.history.markers };
          } else if (!this.#mine(c.runId)) {
            this.overlay = { runId: c.runId, name: c.name, history: c.history };
          }
        }
        return;
      case 'error':
        // These answer their own panels (Predict, the run list, the Build tab's weights), not the run on this tab.
        if (event.requestType && ['predict', 'runs-list', 'run-import', 'layer-outputs', 'layer-weights', 'runs-compare'].includes(event.requestType)) return;
        if (event.requestType?.startsWith('run-') || event.runId || event.requestType === undefined) this.error = { message: event.message, ...(event.text ? { text: event.text } : {}) };
        return;
      default:
        return;
    }
  }

  #reset(): void {
    this.#buffer.drop();
    this.#lastReport = null;
    this.curves = EMPTY_CURVES;
    this.resumes = [];
    this.last = null;
    this.divergence = null;
    this.recovered = null;
    this.validation = null;
    this.test = null;
    this.#restartSpeed();
  }

  #restartSpeed(): void {
    this.#meter.reset();
    this.speed = null;
  }

  #adopt(meta: RunMeta): void {
    if (this.#current !== meta.id) this.#reset();
    this.#current = meta.id;
    this.meta = meta;
  }

  /** A run this window did not start (another window, or a page opened mid-run). */
  #adoptStatus(status: RunStatus): void {
    if (this.status && ['loading', 'running', 'paused'].includes(this.status.state) && this.status.id !== status.id) return;
    this.#reset();
    this.#current = status.id;
    this.status = status;
    this.runSpec = null;
    this.#host.engine.post({ type: 'run-curves', runIds: [status.id] });
    this.#host.engine.post({ type: 'run-open', runId: status.id });
  }

  #mergeBatches(points: BatchPoint[]): void {
    if (this.#lastReport) this.last = this.#lastReport;
    this.speed = this.#meter.rate;
    const perEpoch = this.last?.batches ?? this.curves.batchesPerEpoch;
    // Appended in place, so a flush costs what it brings, however long the run (#15.4); the curves object is new,
    // which is what tells the charts. A run's first flush starts its own array, never appending to EMPTY_CURVES's.
    const batches = this.curves.batches === EMPTY_CURVES.batches ? [] : this.curves.batches;
    for (const point of points) batches.push(point);
    this.curves = { ...this.curves, batches, batchesPerEpoch: Math.max(1, perEpoch) };
  }
}
