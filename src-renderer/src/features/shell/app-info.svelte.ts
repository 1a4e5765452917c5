/** Name, version and host for the About line, read once: none of it changes while the app runs. */
import type { AppInfo } from '../../../../common/api';
import type { Host } from '../../lib/host/host';

export class AppInfoState {
  #host: Host;
  #info = $state.raw<AppInfo | null>(null);
  #error = $state<string | null>(null);

  constructor(host: Host) {
    this.#host = host;
  }

  get info(): AppInfo | null {
    return this.#info;
  }

  get error(): string | null {
    return this.#error;
  }

  connect(): void {
    void this.#load();
  }

  dispose(): void {
    // Nothing to unsubscribe; a late answer just lands in state nobody shows.
  }

  async #load(): Promise<void> {
    const envelope = await this.#host.api.getAppInfo();
    if (envelope.ok) {
      this.#info = envelope.value;
      this.#error = null;
    } else {
      this.#error = envelope.error.message;
    }
  }
}
