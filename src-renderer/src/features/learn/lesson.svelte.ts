/**
 * The Learn tab's state: which step is open, and for each step what the engine host last answered (its prints, a
 * stop, an error) and, while it runs, where its training loop is. Steps run in the engine host (lesson-run), never
 * here: the page only sends the request and listens, so it never blocks.
 */
import { LESSON_STEPS, type LessonResult, type LessonStepId, type LoopPhase, type LoopPosition } from '../../../../common/lesson-protocol';
import type { EngineEvent } from '../../../../common/engine-protocol';
import type { EngineText } from '../../../../common/engine-text';
import type { ModelSpec } from '../../../../common/model-spec';
import type { Host } from '../../lib/host/host';
import { stepSpec } from './lesson-models';

export interface StepProgress extends LoopPosition {
  phase: LoopPhase;
  loss: number | null;
}

export interface Running {
  step: LessonStepId;
  requestId: number;
  progress: StepProgress | null;
  stopping: boolean;
}

/** Where the builder takes a step's model (App hands in the BuilderState). */
export interface ModelSink {
  replace(spec: ModelSpec): void;
}

let nextRequestId = 1;

/** Why a step failed: the engine's error (its code too, where it meant the learner to read it), or an engine restart. */
export type LessonFailure = { message: string; text?: EngineText } | { restarted: true };

export class LessonState {
  #host: Host;
  #builder: ModelSink;
  #stops: (() => void)[] = [];

  selected = $state<LessonStepId>('data');
  running = $state<Running | null>(null);
  results = $state.raw<Partial<Record<LessonStepId, LessonResult>>>({});
  errors = $state.raw<Partial<Record<LessonStepId, LessonFailure>>>({});
  /**
   * At most this many batches per epoch; null: the tutorial's whole epochs. Only a test sets it (`?lessonBatches=N`
   * in the page's address), so that an end-to-end run of all steps stays short.
   */
  maxBatches: number | null;

  constructor(host: Host, builder: ModelSink, maxBatches: number | null = null) {
    this.#host = host;
    this.#builder = builder;
    this.maxBatches = maxBatches;
  }

  connect(): void {
    this.dispose();
    this.#stops = [
      this.#host.engine.subscribe((event) => this.#on(event)),
      // A new engine host has no notebook and no step running: what ran before is still shown, not still running.
      this.#host.engine.onBind(() => {
        if (this.running) this.#fail(this.running.step, { restarted: true });
      }),
    ];
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  get steps(): readonly LessonStepId[] {
    return LESSON_STEPS;
  }

  run(step: LessonStepId): void {
    if (this.running) return;
    const requestId = nextRequestId++;
    this.selected = step;
    this.errors = { ...this.errors, [step]: undefined };
    this.running = { step, requestId, progress: null, stopping: false };
    this.#host.engine.post({ type: 'lesson-run', requestId, step, ...(this.maxBatches ? { maxBatches: this.maxBatches } : {}) });
  }

  stop(): void {
    if (!this.running || this.running.stopping) return;
    this.running = { ...this.running, stopping: true };
    this.#host.engine.post({ type: 'lesson-stop', requestId: this.running.requestId });
  }

  /** Loads the step's model into the builder, ready to change and train. */
  openInBuilder(step: LessonStepId): void {
    this.#builder.replace(stepSpec(step));
  }

  #on(event: EngineEvent): void {
    const running = this.running;
    if (!running) return;
    if (event.type === 'lesson-progress' && event.requestId === running.requestId) {
      const { phase, loss, epoch, epochs, batch, batches } = event;
      this.running = { ...running, progress: { phase, loss, epoch, epochs, batch, batches } };
    } else if (event.type === 'lesson-result' && event.requestId === running.requestId) {
      const { type: _, requestId: __, ...result } = event;
      this.results = { ...this.results, [result.step]: result };
      // A step run for its prerequisites' sake leaves theirs stale: they are shown as not run.
      this.running = null;
    } else if (event.type === 'error' && event.requestId === running.requestId && event.requestType === 'lesson-run') {
      this.#fail(running.step, { message: event.message, ...(event.text ? { text: event.text } : {}) });
    }
  }

  #fail(step: LessonStepId, failure: LessonFailure): void {
    this.errors = { ...this.errors, [step]: failure };
    this.running = null;
  }
}
