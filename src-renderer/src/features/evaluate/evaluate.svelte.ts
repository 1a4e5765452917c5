/**
 * The evaluation views' state: the run's latest evaluation (test if asked for, else validation), and the open
 * gallery (a confusion-matrix cell, or the misclassified examples). A gallery pages through the examples the
 * engine host kept from that evaluation (`run-examples`: the whole split, most confident first, with images).
 */
import type { EngineEvent } from '../../../../common/engine-protocol';
import type { Host } from '../../lib/host/host';
import { nextRequestId } from '../predict/predict-logic';
import type { TrainingState } from '../training/training.svelte';
import { galleryRequest, pageExamples, testSetLock, type Example, type Gallery } from './evaluate-logic';
import { hostError, type HostError } from '../../lib/i18n/translate';

export type { Gallery };

export class EvaluateState {
  #host: Host;
  #training: TrainingState;
  #classesOf: (dataset: string) => readonly string[];
  #stops: (() => void)[] = [];
  /** The page being asked for; answers to anything else (an older gallery) are dropped. */
  #pending: number | null = null;

  gallery = $state.raw<Gallery | null>(null);
  examples = $state.raw<Example[]>([]);
  /** Examples in the gallery over the whole split (the engine's count); null until the first page arrives. */
  total = $state<number | null>(null);
  loading = $state(false);
  /** Why the gallery's last page failed, as the engine said it. */
  error = $state.raw<HostError | null>(null);
  /** The matrix and per-class bars are drawn once asked for (a test evaluation, or the button), not at every run end. */
  details = $state(false);

  /** `classesOf`: a dataset's class names, from the dataset catalogue (the data feature's list). */
  constructor(host: Host, training: TrainingState, classesOf: (dataset: string) => readonly string[] = () => []) {
    this.#host = host;
    this.#training = training;
    this.#classesOf = classesOf;
  }

  /** The class names of the followed run's dataset ('T-shirt/top', …, 'Ankle boot'); empty while unknown. */
  get classes(): readonly string[] {
    const dataset = this.#training.meta?.dataset ?? this.#training.runSpec?.data.dataset;
    return dataset ? this.#classesOf(dataset) : [];
  }

  get evaluation() {
    return this.#training.test ?? this.#training.validation;
  }

  connect(): void {
    this.dispose();
    this.#stops = [this.#host.engine.subscribe((event) => this.#on(event))];
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  evaluateTest(): void {
    // Locked until the run ends (the engine host refuses too): the button is disabled then; this guards any other caller.
    if (!testSetLock(this.#training.status).open) return;
    this.open(null);
    this.details = true;
    this.#training.evaluate('test');
  }

  /** Shows a gallery from its first page (null closes it). */
  open(gallery: Gallery | null): void {
    this.gallery = gallery;
    this.examples = [];
    this.total = null;
    this.error = null;
    this.#pending = null;
    this.loading = false;
    if (gallery) this.#ask(0);
  }

  /** The next page of the open gallery. */
  more(): void {
    if (!this.loading && this.total !== null && this.examples.length < this.total) this.#ask(this.examples.length);
  }

  #ask(offset: number): void {
    const runId = this.#training.runId;
    const split = this.evaluation?.split;
    if (!this.gallery || !runId || !split) return;
    const requestId = nextRequestId();
    this.#pending = requestId;
    this.loading = true;
    this.#host.engine.post(galleryRequest(this.gallery, { requestId, runId, split, offset }));
  }

  #on(event: EngineEvent): void {
    if (event.type === 'run-started') {
      this.open(null);
      this.details = false;
      return;
    }
    // A new evaluation replaces the examples the engine keeps, and maybe the matrix shown: the open gallery is stale.
    if (event.type === 'run-evaluation' && event.runId === this.#training.runId) return this.open(null);
    const mine = event.type === 'run-examples' || (event.type === 'error' && event.requestType === 'run-examples');
    if (!mine || this.#pending === null || event.requestId !== this.#pending) return;
    this.#pending = null;
    this.loading = false;
    if (event.type === 'error') {
      this.error = hostError(event);
      return;
    }
    const classes = this.evaluation?.confusion.length ?? 10;
    this.examples = [...this.examples, ...pageExamples(event, classes)];
    this.total = event.total;
  }
}
