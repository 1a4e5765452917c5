/**
 * The Electron adapter. The preload exposes the API as `window.layerlab`; the engine channel is a MessagePort the
 * preload forwards with window.postMessage, and main sends a new one after every engine restart, so we rebind to
 * whichever port came last and close the old one.
 */
import type { LayerLabBridge } from '../../../../common/api';
import type { EngineEvent, EngineRequest } from '../../../../common/engine-protocol';
import { ENGINE_PORT_CHANNEL } from '../../../../common/ipc-channels';
import type { Connection, EngineChannel, Host } from './host';
import { Listeners, WatchableValue } from './listeners';

/** The `type` the preload posts alongside the port: the same name as main's IPC channel that carries it. */
export const ENGINE_PORT_MESSAGE = ENGINE_PORT_CHANNEL;

/**
 * Posted once we listen, in case the preload forwarded a port before this script ran (the message would have
 * been lost): a preload that keeps the latest port can answer by forwarding it again. Harmless if it does not.
 */
export const ENGINE_PORT_WANTED = 'layerlab:engine-port-wanted';

/** The part of `window` we need: where the port arrives. A parameter so tests can hand in a fake. */
export interface PortInbox {
  postMessage(message: unknown, targetOrigin: string): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function createElectronHost(bridge: LayerLabBridge, inbox: PortInbox): Host {
  const engineListeners = new Listeners<EngineEvent>();
  const bindListeners = new Listeners<void>();
  let port: MessagePort | null = null;

  function onWindowMessage(event: MessageEvent): void {
    // Only our own preload posts to this window with the port; ignore anything else (other frames, extensions).
    if (event.source !== inbox) return;
    if ((event.data as { type?: unknown } | null)?.type !== ENGINE_PORT_MESSAGE) return;
    const [next] = event.ports;
    if (!next) return;
    port?.close();
    port = next;
    // Assigning onmessage also starts the port.
    next.onmessage = (message: MessageEvent) => engineListeners.emit(message.data as EngineEvent);
    bindListeners.emit();
  }

  inbox.addEventListener('message', onWindowMessage);
  inbox.postMessage({ type: ENGINE_PORT_WANTED }, '*');

  const engine: EngineChannel = {
    post(message: EngineRequest) {
      port?.postMessage(message);
    },
    subscribe: (listener) => engineListeners.add(listener),
    onBind: (listener) => bindListeners.add(listener),
  };

  return {
    api: bridge,
    engine,
    // IPC to our own main process does not drop.
    connection: new WatchableValue<Connection>({ state: 'open', retryInMs: null }),
    dispose() {
      inbox.removeEventListener('message', onWindowMessage);
      port?.close();
      port = null;
      engineListeners.clear();
      bindListeners.clear();
    },
  };
}
