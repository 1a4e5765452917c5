/**
 * The run's layer statistics for the Train tab (#16.3): the samples the engine host streams as `run-layer-stats`
 * (one every 50 batches or more, never per batch), and on following a run, or after an engine restart, its stored
 * samples asked for with the `run-layer-stats` request, so a reload shows them too.
 */
import type { EngineEvent } from '../../../../../common/engine-protocol';
import type { LayerStatsSample } from '../../../../../common/layer-stats';
import type { Host } from '../../../lib/host/host';
import { appendSamples, mergeHistory } from './layer-stats-view';

export class LayerStatsState {
  #host: Host;
  #stops: (() => void)[] = [];
  #runId: string | null = null;

  samples = $state.raw<LayerStatsSample[]>([]);

  constructor(host: Host) {
    this.#host = host;
  }

  get latest(): LayerStatsSample | null {
    return this.samples.length ? this.samples[this.samples.length - 1] : null;
  }

  connect(): void {
    this.dispose();
    const { engine } = this.#host;
    this.#stops = [engine.subscribe((event) => this.#on(event)), engine.onBind(() => this.#ask())];
    this.#ask();
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** Shows `runId`'s statistics (the Train tab's run), asking for what it has stored so far. */
  follow(runId: string | null): void {
    if (runId === this.#runId) return;
    this.#runId = runId;
    this.samples = [];
    this.#ask();
  }

  #ask(): void {
    if (this.#runId) this.#host.engine.post({ type: 'run-layer-stats', runId: this.#runId });
  }

  #on(event: EngineEvent): void {
    if (event.type !== 'run-layer-stats' || event.runId !== this.#runId) return;
    this.samples = event.history ? mergeHistory(event.samples, this.samples) : appendSamples(this.samples, event.samples);
  }
}
