/**
 * What the renderer knows about whoever serves it. Electron (preload + MessagePort) and the browser host
 * (one WebSocket) both implement this, and nothing above lib/host can tell them apart.
 */
import type { LayerLabBridge } from '../../../../common/api';
import type { EngineEvent, EngineRequest } from '../../../../common/engine-protocol';

/**
 * A direct line to the engine host. The engine can restart at any time, and the line is then re-bound to the new
 * engine: requests posted while no engine is bound are dropped (as they would be on a dead port), so a feature
 * that needs an answer re-asks from `onBind`.
 */
export interface EngineChannel {
  post(message: EngineRequest): void;
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** Called every time the channel is bound to an engine host (a new port, a reconnected socket). */
  onBind(listener: () => void): () => void;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface Connection {
  state: ConnectionState;
  /** While reconnecting: how long until the next attempt. */
  retryInMs: number | null;
}

/** A value that changes over time, readable now and watchable. Plain TS so the adapters test without Svelte. */
export interface Watchable<T> {
  readonly current: T;
  subscribe(listener: (value: T) => void): () => void;
}

export interface Host {
  api: LayerLabBridge;
  engine: EngineChannel;
  /** The link to the host itself: always open in Electron, a socket that can drop in the browser. */
  connection: Watchable<Connection>;
  dispose(): void;
}
