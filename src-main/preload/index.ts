/**
 * The sandboxed preload (bundled to CommonJS). It exposes exactly `window.layerlab`: one function per API method,
 * built by mapping over API_METHODS, and `on(event, listener)` for API_EVENTS only. There is no generic send.
 * It also passes main's engine MessagePort on to the page, where the renderer listens for
 * `{ type: 'layerlab:engine-port' }` messages.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_EVENTS, API_METHODS, BRIDGE_GLOBAL, type ApiEventName, type ApiEvents, type LayerLabBridge } from '../../common/api';
import { isAppPageOrigin } from '../../common/app-origin';
import { ENGINE_PORT_CHANNEL, apiChannel, eventChannel } from '../../common/ipc-channels';

const methods = Object.fromEntries(
  API_METHODS.map((method) => [method, (...args: unknown[]) => ipcRenderer.invoke(apiChannel(method), ...args)]),
) as unknown as Omit<LayerLabBridge, 'on'>;

const bridge: LayerLabBridge = {
  ...methods,
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    if (!(API_EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new Error('listener must be a function');
    const channel = eventChannel(event);
    const wrapped = (_event: IpcRendererEvent, payload: ApiEvents[E]) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);

/** The page's window, as far as the preload needs it (this wing's tsconfig has no DOM lib). */
interface PageWindow {
  location: { origin: string };
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
}

ipcRenderer.on(ENGINE_PORT_CHANNEL, (event) => {
  const [port] = event.ports;
  if (!port) return;
  // The port is the whole engine: only the app's own page gets it, and the target origin (not '*') makes the
  // browser drop it should the window hold another page by the time it is delivered.
  const page = globalThis as unknown as PageWindow;
  const origin = page.location.origin;
  if (!isAppPageOrigin(origin)) return;
  page.postMessage({ type: ENGINE_PORT_CHANNEL }, origin, [port]);
});
