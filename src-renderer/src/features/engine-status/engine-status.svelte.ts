/**
 * The engine's status, kept live: main's `engineStatus` events and getEngineStatus(), plus a `hello` asked of the
 * engine host itself whenever a new engine becomes ready or the engine channel is re-bound, and the backend a run
 * chose (`run-backend`) (rules: engine-view.ts).
 */
import type { Host } from '../../lib/host/host';
import { describeEngine, NOTHING_KNOWN, reduceEngine, type EngineInput, type EngineView } from './engine-view';

export class EngineStatusState {
  #host: Host;
  #known = $state.raw(NOTHING_KNOWN);
  #loadError = $state<string | null>(null);
  #stops: (() => void)[] = [];

  readonly view: EngineView = $derived(describeEngine(this.#known));

  constructor(host: Host) {
    this.#host = host;
  }

  /** Why the status could not be read, if it could not. */
  get loadError(): string | null {
    return this.#loadError;
  }

  connect(): void {
    this.dispose();
    const { api, engine } = this.#host;
    this.#stops = [
      api.on('engineStatus', (status) => this.#apply({ kind: 'status', status })),
      engine.subscribe((event) => {
        if (event.type === 'hello') this.#apply({ kind: 'hello', hello: event.hello });
        if (event.type === 'run-backend') {
          const { type: _type, ...run } = event;
          this.#apply({ kind: 'backend', run });
        }
      }),
      engine.onBind(() => {
        this.#apply({ kind: 'bind' });
        // After a socket reconnect, status events may have been missed.
        void this.#refresh();
      }),
    ];
    void this.#refresh();
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  #apply(input: EngineInput): void {
    const { known, askHello } = reduceEngine(this.#known, input);
    this.#known = known;
    if (askHello) this.#host.engine.post({ type: 'hello' });
  }

  async #refresh(): Promise<void> {
    const envelope = await this.#host.api.getEngineStatus();
    if (envelope.ok) {
      this.#loadError = null;
      this.#apply({ kind: 'status', status: envelope.value });
    } else {
      this.#loadError = envelope.error.message;
    }
  }
}
