/**
 * The evaluation views' state: the run's latest evaluation (test if asked for, else validation), and a sample of
 * test images the model has classified, for the galleries. The protocol's evaluation carries counts and only the
 * indices of wrong examples, so the galleries use an evenly spaced sample of the test split (getDatasetSamples)
 * that is run through `predict` here, image by image.
 */
import type { EngineEvent } from '../../../../common/engine-protocol';
import type { Host } from '../../lib/host/host';
import { nextRequestId } from '../predict/predict-logic';
import type { TrainingState } from '../training/training.svelte';
import { decodeBase64, splitImages, type Example } from './evaluate-logic';

const SAMPLE_COUNT = 256;

export type Gallery = { kind: 'cell'; label: number; predicted: number } | { kind: 'wrong' } | null;

export class EvaluateState {
  #host: Host;
  #training: TrainingState;
  #stops: (() => void)[] = [];
  #pending = new Map<number, { index: number; label: number; pixels: Uint8Array }>();
  #collected: Example[] = [];
  #forRun: string | null = null;

  examples = $state.raw<Example[]>([]);
  loading = $state(false);
  sampleError = $state<string | null>(null);
  gallery = $state.raw<Gallery>(null);
  /** The matrix and per-class bars are drawn once asked for (a test evaluation, or the button), not at every run end. */
  details = $state(false);


  constructor(host: Host, training: TrainingState) {
    this.#host = host;
    this.#training = training;
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
    this.gallery = null;
    this.details = true;
    this.#training.evaluate('test');
  }

  open(gallery: Gallery): void {
    this.gallery = gallery;
    if (gallery && this.#forRun !== this.#training.runId) void this.#classifySample();
  }

  async #classifySample(): Promise<void> {
    const runId = this.#training.runId;
    if (!runId || this.loading) return;
    this.loading = true;
    this.sampleError = null;
    this.#forRun = runId;
    this.#collected = [];
    this.examples = [];
    const dataset = this.#training.meta?.dataset ?? this.#training.runSpec?.data.dataset ?? 'mnist';
    const envelope = await this.#host.api.getDatasetSamples(dataset, { split: 'test', count: SAMPLE_COUNT });
    if (!envelope.ok) {
      this.sampleError = envelope.error.message;
      this.loading = false;
      this.#forRun = null;
      return;
    }
    const s = envelope.value;
    const images = splitImages(decodeBase64(s.pixels), s.indices.length, s.height * s.width);
    this.#pending.clear();
    images.forEach((pixels, i) => {
      const requestId = nextRequestId();
      this.#pending.set(requestId, { index: s.indices[i], label: s.labels[i], pixels });
      this.#host.engine.post({ type: 'predict', requestId, runId, checkpoint: 'last', image: Array.from(pixels) });
    });
  }

  #on(event: EngineEvent): void {
    if (event.type === 'run-started') {
      this.#forRun = null;
      this.examples = [];
      this.gallery = null;
      this.details = false;
      return;
    }
    if ((event.type !== 'prediction' && event.type !== 'error') || event.requestId === undefined) return;
    const asked = this.#pending.get(event.requestId);
    if (!asked) return;
    this.#pending.delete(event.requestId);
    if (event.type === 'prediction') {
      this.#collected.push({ ...asked, probabilities: event.probabilities, predicted: event.predicted, confidence: event.probabilities[event.predicted] });
    } else {
      this.sampleError = event.message;
    }
    if (this.#pending.size === 0) {
      this.examples = this.#collected;
      this.loading = false;
    }
  }
}
