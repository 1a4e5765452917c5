/**
 * The Predict tab's state: the pad's strokes, the MNIST-style preprocessing of them (derived), and the engine's
 * answer for the current run's weights or a chosen run and checkpoint. Requests go out throttled while the pen
 * moves and on pen-up, at most one in flight (OneInFlight): while one is out only the latest drawing waits, and it
 * goes when the answer comes back, so a slow engine never queues stale drawings and pen-up's drawing is the last
 * answered.
 */
import { tick } from 'svelte';
import { DATASET_SAMPLES_MAX } from '../../../../common/dataset-api';
import type { EngineEvent } from '../../../../common/engine-protocol';
import type { CheckpointRef } from '../../../../common/training-protocol';
import type { DatasetName, Normalize } from '../../../../common/model-spec/types';
import type { Host } from '../../lib/host/host';
import type { TrainingState } from '../training/training.svelte';
import { preprocess } from './preprocess';
import { OneInFlight } from './one-in-flight';
import { nextRequestId, ownAccuracy, PAD_MARKS, PAD_MEASURES, Throttle, type OwnExample } from './predict-logic';
import { realDigits, type RealDigits } from './real-digits';
import { StrokeRecorder, type Stroke } from './strokes';
import { hostError, type HostError } from '../../lib/i18n/translate';

/** Real training digits shown beside the input. */
export const REAL_PER_CLASS = 6;
/** Requests while drawing: at most one per this many ms. */
const DRAWING_INTERVAL_MS = 200;

export class PredictState {
  #host: Host;
  #training: TrainingState;
  #recorder = new StrokeRecorder();
  #stops: (() => void)[] = [];
  #line = new OneInFlight(() => this.#ask());
  #throttle = new Throttle(() => this.#line.ask(), DRAWING_INTERVAL_MS);
  /** Pen-up asked, and the next request sent carries its drawing (now, or once the request out is answered). */
  #penUpAsked = false;
  /** The request sent for the last pen-up, whose way to the screen is timed with performance marks (PAD_MARKS). */
  #penUpRequest: number | null = null;

  strokes = $state.raw<Stroke[]>([]);
  /** A pointer is down on the pad (the layer view waits for pen-up, so its requests never queue before a prediction). */
  drawing = $state(false);
  /**
   * A request is out whose answer will replace the one shown. At pen-up the answer on screen is still the last one
   * asked while drawing: the layer view waits for the pen-up answer rather than look at the drawing twice.
   */
  awaiting = $state(false);
  probabilities = $state.raw<number[] | null>(null);
  predicted = $state<number | null>(null);
  /** An autoencoder's answer (its run's data.target is 'image'): the image it drew back, 784 values; then no classes. */
  reconstruction = $state.raw<number[] | null>(null);
  /** Why the last prediction failed, as the engine said it (its sentence code where it has one). */
  error = $state.raw<HostError | null>(null);
  /** null: the run the Train tab follows. */
  runId = $state<string | null>(null);
  /** The run whose weights gave the prediction shown (the engine says; it is the current run's when none was picked). */
  answeredBy = $state<string | null>(null);
  checkpoint = $state<'last' | 'best'>('last');
  own = $state.raw<OwnExample[]>([]);
  /** Training images of the run's dataset by class, to show real digits of the predicted class beside the input. */
  references = $state.raw<RealDigits | null>(null);
  #referencesFor: DatasetName | null = null;

  readonly prepared = $derived(preprocess(this.strokes, this.normalize));
  readonly ownScore = $derived(ownAccuracy(this.own));

  constructor(host: Host, training: TrainingState) {
    this.#host = host;
    this.#training = training;
  }

  /** The normalisation the run trained with (the engine applies it to the 0…255 image it is sent). */
  get normalize(): Normalize {
    return this.#training.runSpec?.data.normalize ?? this.#training.nextSpec?.data.normalize ?? 'standardize';
  }

  /**
   * The dataset the answering run trained on (the real digits beside the input and the layer view's test images come
   * from it): the run list names it for any run, the Train tab's too before its spec has come.
   */
  get dataset(): DatasetName {
    const listed = this.#training.runs.find((run) => run.id === this.targetRun)?.dataset as DatasetName | undefined;
    return listed ?? this.#training.runSpec?.data.dataset ?? this.#training.nextSpec?.data.dataset ?? 'mnist';
  }

  /** The run whose weights answer: the chosen one, else the Train tab's. */
  get targetRun(): string | null {
    return this.runId ?? this.#training.runId;
  }

  connect(): void {
    this.dispose();
    this.#stops = [
      this.#host.engine.subscribe((event) => this.#on(event)),
      // A new engine never saw the request out: without this the pad would wait for its answer for ever.
      this.#host.engine.onBind(() => this.#line.lost()),
    ];
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#throttle.cancel();
  }

  // ---------- the pad ----------

  down(pointerId: number, x: number, y: number): void {
    if (!this.#recorder.down(pointerId, x, y)) return;
    this.strokes = this.#recorder.strokes;
    this.drawing = this.#recorder.drawing;
  }

  move(pointerId: number, points: readonly { x: number; y: number }[]): void {
    let changed = false;
    for (const p of points) changed = this.#recorder.move(pointerId, p.x, p.y) || changed;
    if (!changed) return;
    this.strokes = this.#recorder.strokes;
    this.#throttle.request();
  }

  up(pointerId: number): void {
    if (!this.#recorder.up(pointerId)) return;
    // The marks of the requests sent while drawing go: each pen-up starts afresh (and the buffer stays small).
    for (const name of Object.values(PAD_MARKS)) performance.clearMarks(name);
    performance.mark(PAD_MARKS.penUp);
    // The last move's array (strokes.ts): the input is not prepared again, nor the pad and its steps repainted.
    this.strokes = this.#recorder.strokes;
    this.drawing = this.#recorder.drawing;
    this.#penUpAsked = true;
    this.#penUpRequest = null;
    this.#throttle.now();
  }

  undo(): void {
    this.#recorder.undo();
    this.strokes = this.#recorder.strokes;
    this.#throttle.now();
  }

  clear(): void {
    this.#recorder.clear();
    this.strokes = [];
    this.drawing = false;
    this.#throttle.cancel();
    this.#line.drop();
    this.#penUpAsked = false;
    this.awaiting = false;
    this.probabilities = null;
    this.predicted = null;
    this.reconstruction = null;
  }

  /** Asks again (after choosing another run or checkpoint). */
  refresh(): void {
    this.#throttle.now();
  }

  // ---------- the learner's own test set ----------

  addToOwnSet(label: number): void {
    const prepared = this.prepared;
    if (!prepared || this.predicted === null || !this.probabilities) return;
    this.own = [...this.own, { pixels: prepared.pixels, label, predicted: this.predicted, confidence: this.probabilities[this.predicted] }];
  }

  clearOwnSet(): void {
    this.own = [];
  }

  // ---------- engine ----------

  /** Sends the drawing on the pad now; returns the request's id, or null when the pad is empty. */
  #ask(): number | null {
    performance.mark(PAD_MARKS.asked);
    const prepared = this.prepared;
    performance.mark(PAD_MARKS.prepared);
    const runId = this.targetRun;
    if (!prepared) return null;
    const requestId = nextRequestId();
    if (this.#penUpAsked) [this.#penUpAsked, this.#penUpRequest] = [false, requestId];
    this.awaiting = true;
    const checkpoint: CheckpointRef = this.checkpoint;
    // Without a run id the engine answers with its current run, or explains that there is none.
    this.#host.engine.post({ type: 'predict', requestId, image: prepared.pixels, checkpoint, ...(runId ? { runId } : {}) });
    performance.mark(PAD_MARKS.posted);
    return requestId;
  }

  /** Once per dataset: 256 training images spread over the file (about 25 of each class). */
  async #loadReferences(): Promise<void> {
    const dataset = this.dataset;
    if (this.#referencesFor === dataset) return;
    this.#referencesFor = dataset;
    this.references = null;
    const answer = await this.#host.api.getDatasetSamples(dataset, { split: 'train', count: DATASET_SAMPLES_MAX });
    if (answer.ok && this.#referencesFor === dataset) this.references = realDigits(answer.value, REAL_PER_CLASS);
    else if (!answer.ok) this.#referencesFor = null;
  }

  /**
   * The pen-up answer's last legs: Svelte's DOM update (bars, real digits), then the frame that shows it (a
   * requestAnimationFrame callback runs just before that frame is painted). The breakdown is left as
   * performance.measure entries for the bench and the e2e log to read.
   */
  #timeToScreen(): void {
    this.#penUpRequest = null;
    void tick().then(() => {
      performance.mark(PAD_MARKS.rendered);
      requestAnimationFrame(() => {
        performance.mark(PAD_MARKS.onScreen);
        for (const [name, from, to] of PAD_MEASURES) performance.measure(name, from, to);
      });
    });
  }

  /** Shows the answer to the request out (unless the pad was cleared since); then the drawing waiting, if any, goes. */
  #on(event: EngineEvent): void {
    if (event.type === 'prediction') {
      this.#line.answered(event.requestId, () => {
        const timed = event.requestId === this.#penUpRequest;
        if (timed) performance.mark(PAD_MARKS.answered);
        this.error = null;
        this.awaiting = false;
        this.reconstruction = event.image ?? null;
        this.probabilities = this.reconstruction ? null : event.probabilities;
        this.predicted = this.reconstruction ? null : event.predicted;
        this.answeredBy = event.runId;
        if (!this.reconstruction) void this.#loadReferences();
        if (timed) this.#timeToScreen();
      });
    } else if (event.type === 'error' && event.requestType === 'predict' && event.requestId !== undefined) {
      this.#line.answered(event.requestId, () => {
        this.awaiting = false;
        this.error = hostError(event);
      });
    }
  }
}
