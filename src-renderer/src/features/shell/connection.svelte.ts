/** The link to the host (always open in Electron; a socket that can drop under the browser host), kept reactive. */
import type { Connection, Host } from '../../lib/host/host';

export class ConnectionState {
  #host: Host;
  #current = $state.raw<Connection>({ state: 'connecting', retryInMs: null });
  #stop: (() => void) | null = null;

  constructor(host: Host) {
    this.#host = host;
  }

  get current(): Connection {
    return this.#current;
  }

  connect(): void {
    this.dispose();
    this.#current = this.#host.connection.current;
    this.#stop = this.#host.connection.subscribe((connection) => (this.#current = connection));
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
  }
}
