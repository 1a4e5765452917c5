/**
 * The run table's state: every run on disk with its spec and history (`runs-compare`), the reference run whose
 * hyper-parameters the others are compared with, and the runs whose curves are overlaid. What it asks for, and
 * when, is RunsSync's rule (runs-sync.ts): only while the tab is shown, and after a run-list change (the Train tab
 * asks for `runs` when a run ends) only the runs that changed. Answers come in the order asked, and each is applied.
 */
import type { EngineEvent, RunDetail } from '../../../../common/engine-protocol';
import type { Host } from '../../lib/host/host';
import { nextRequestId } from '../predict/predict-logic';
import { compareTable, curves, type CurveMetric } from './runs-logic';
import { mergeRuns, RunsSync, type RunsAsk } from './runs-sync';
import { hostError, type HostError } from '../../lib/i18n/translate';

export class RunsState {
  #host: Host;
  #stops: (() => void)[] = [];
  #sync = new RunsSync();
  /** Requests on their way: whether each asked for every run. */
  #asked = new Map<number, boolean>();

  runs = $state.raw<RunDetail[]>([]);
  /** The run the others are compared with; null: the newest. */
  reference = $state<string | null>(null);
  /** Runs whose curves are overlaid, in the order they were ticked. */
  overlay = $state.raw<string[]>([]);
  metric = $state<CurveMetric>('valLoss');
  error = $state.raw<HostError | null>(null);

  readonly referenceId = $derived(this.runs.some((r) => r.meta.id === this.reference) ? this.reference : (this.runs[0]?.meta.id ?? null));
  readonly table = $derived(compareTable(this.runs, this.referenceId));
  readonly curves = $derived(curves(this.runs, this.overlay, this.metric));

  constructor(host: Host) {
    this.#host = host;
  }

  connect(): void {
    this.dispose();
    this.#stops = [
      this.#host.engine.subscribe((event) => this.#on(event)),
      this.#host.engine.onBind(() => {
        this.#asked.clear();
        this.#ask(this.#sync.rebound(this.runs));
      }),
    ];
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** The tab is shown or hidden (a shown tab catches up once on what changed while it was hidden). */
  setVisible(visible: boolean): void {
    this.#ask(this.#sync.shown(visible, this.runs));
  }

  /** Every run again, as the learner asked (the Refresh button). */
  refresh(): void {
    this.#ask(this.#sync.refresh());
  }

  toggleOverlay(runId: string): void {
    this.overlay = this.overlay.includes(runId) ? this.overlay.filter((id) => id !== runId) : [...this.overlay, runId];
  }

  #ask(ask: RunsAsk | null): void {
    if (!ask) return;
    const requestId = nextRequestId();
    this.#asked.set(requestId, ask.runIds === undefined);
    this.#host.engine.post({ type: 'runs-compare', requestId, ...ask });
  }

  #on(event: EngineEvent): void {
    if (event.type === 'runs-compare' && this.#asked.has(event.requestId)) {
      const full = this.#asked.get(event.requestId)!;
      this.#asked.delete(event.requestId);
      this.error = null;
      this.runs = full ? event.runs : mergeRuns(this.runs, event.runs, this.#sync.summaries);
      const ids = new Set(this.runs.map((r) => r.meta.id));
      if (this.overlay.some((id) => !ids.has(id))) this.overlay = this.overlay.filter((id) => ids.has(id));
      this.#ask(this.#sync.answered(full, this.runs));
    } else if (event.type === 'runs') {
      this.#ask(this.#sync.listed(event.runs, this.runs));
    } else if (event.type === 'error' && event.requestType === 'runs-compare' && event.requestId !== undefined && this.#asked.has(event.requestId)) {
      this.#asked.delete(event.requestId);
      this.error = hostError(event);
      this.#ask(this.#sync.answered(false, this.runs));
    }
  }
}
