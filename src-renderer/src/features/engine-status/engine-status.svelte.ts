/**
 * The engine's status, kept live: main's `engineStatus` events and getEngineStatus(), plus a `hello` asked of the
 * engine host itself over the engine channel whenever a (new) engine becomes ready, or the channel is re-bound.
 */
import type { EngineStatus } from '../../../../common/api';
import type { EngineEvent } from '../../../../common/engine-protocol';
import type { EngineHello } from '../../../../common/engine-protocol';
import type { Host } from '../../lib/host/host';
import { describeEngine, isSameReadyEngine, isStale, type EngineView } from './engine-view';

export class EngineStatusState {
  #host: Host;
  #status = $state.raw<EngineStatus | null>(null);
  #direct = $state.raw<EngineHello | null>(null);
  #loadError = $state<string | null>(null);
  #stops: (() => void)[] = [];

  readonly view: EngineView = $derived(describeEngine(this.#status, this.#direct));

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
      api.on('engineStatus', (status) => this.#accept(status)),
      engine.subscribe((event) => this.#onEngineEvent(event)),
      engine.onBind(() => this.#onBind()),
    ];
    void this.#refresh();
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  async #refresh(): Promise<void> {
    const envelope = await this.#host.api.getEngineStatus();
    if (envelope.ok) {
      this.#loadError = null;
      this.#accept(envelope.value);
    } else {
      this.#loadError = envelope.error.message;
    }
  }

  #accept(next: EngineStatus): void {
    const current = this.#status;
    if (isStale(current, next)) return;
    this.#status = next;
    if (isSameReadyEngine(current, next)) return;
    // A different engine, or none: what the old one told us no longer holds.
    this.#direct = null;
    if (next.state === 'ready') this.#host.engine.post({ type: 'hello' });
  }

  #onEngineEvent(event: EngineEvent): void {
    // A hello that arrives while no engine is ready can only be from one that is gone.
    if (event.type === 'hello' && this.#status?.state === 'ready') this.#direct = event.hello;
  }

  #onBind(): void {
    // A new port or socket: a hello posted before it was lost, and (after a reconnect) events may have been missed.
    if (this.#status?.state === 'ready') this.#host.engine.post({ type: 'hello' });
    void this.#refresh();
  }
}
