/**
 * The run table's state: every run on disk with its spec and history (`runs-compare`), the reference run whose
 * hyper-parameters the others are compared with, and the runs whose curves are overlaid. It re-asks whenever the
 * run list changes (the Train tab asks for `runs` when a run ends) and whenever the engine (re)binds.
 */
import type { EngineEvent, RunDetail } from '../../../../common/engine-protocol';
import type { Host } from '../../lib/host/host';
import { nextRequestId } from '../predict/predict-logic';
import { compareTable, curves, type CurveMetric } from './runs-logic';

export class RunsState {
  #host: Host;
  #stops: (() => void)[] = [];
  #latest: number | null = null;

  runs = $state.raw<RunDetail[]>([]);
  /** The run the others are compared with; null: the newest. */
  reference = $state<string | null>(null);
  /** Runs whose curves are overlaid, in the order they were ticked. */
  overlay = $state.raw<string[]>([]);
  metric = $state<CurveMetric>('valLoss');
  error = $state<string | null>(null);

  readonly referenceId = $derived(this.runs.some((r) => r.meta.id === this.reference) ? this.reference : (this.runs[0]?.meta.id ?? null));
  readonly table = $derived(compareTable(this.runs, this.referenceId));
  readonly curves = $derived(curves(this.runs, this.overlay, this.metric));

  constructor(host: Host) {
    this.#host = host;
  }

  connect(): void {
    this.dispose();
    this.#stops = [this.#host.engine.subscribe((event) => this.#on(event)), this.#host.engine.onBind(() => this.refresh())];
    this.refresh();
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  refresh(): void {
    const requestId = nextRequestId();
    this.#latest = requestId;
    this.#host.engine.post({ type: 'runs-compare', requestId });
  }

  toggleOverlay(runId: string): void {
    this.overlay = this.overlay.includes(runId) ? this.overlay.filter((id) => id !== runId) : [...this.overlay, runId];
  }

  #on(event: EngineEvent): void {
    if (event.type === 'runs-compare' && event.requestId === this.#latest) {
      this.error = null;
      this.runs = event.runs;
      const ids = new Set(event.runs.map((r) => r.meta.id));
      if (this.overlay.some((id) => !ids.has(id))) this.overlay = this.overlay.filter((id) => ids.has(id));
    } else if (event.type === 'runs') {
      this.refresh();
    } else if (event.type === 'error' && event.requestType === 'runs-compare' && event.requestId === this.#latest) {
      this.error = event.message;
    }
  }
}
