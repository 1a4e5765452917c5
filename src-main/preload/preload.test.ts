/**
 * The preload with electron mocked (the binary cannot run here): it exposes exactly the API methods plus on(),
 * invokes one channel per method, accepts only known events, and forwards the engine port to the page.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { API_METHODS, type LayerLabBridge } from '../../common/api';
import { ENGINE_PORT_CHANNEL, apiChannel, eventChannel } from '../../common/ipc-channels';

const exposed: Record<string, unknown> = {};
const ipcListeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
const invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 'x' }));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...args),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) =>
      ipcListeners.set(channel, [...(ipcListeners.get(channel) ?? []), listener]),
    removeListener: (channel: string, listener: unknown) =>
      ipcListeners.set(channel, (ipcListeners.get(channel) ?? []).filter((l) => l !== listener)),
  },
}));

const posted: unknown[][] = [];
let bridge: LayerLabBridge;

const page = globalThis as unknown as { postMessage: (...a: unknown[]) => void; location: { origin: string } };

beforeAll(async () => {
  page.postMessage = (...a: unknown[]) => posted.push(a);
  Object.defineProperty(globalThis, 'location', { value: { origin: 'app://renderer' }, configurable: true, writable: true });
  await import('./index');
  bridge = exposed.layerlab as LayerLabBridge;
});

describe('preload', () => {
  it('exposes only window.layerlab with the API methods and on()', () => {
    expect(Object.keys(exposed)).toEqual(['layerlab']);
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'on'].sort());
  });

  it('invokes one channel per method, passing the arguments through', async () => {
    await bridge.getAppInfo();
    expect(invoke).toHaveBeenLastCalledWith(apiChannel('getAppInfo'));
    await (bridge.getEngineStatus as (...a: unknown[]) => Promise<unknown>)(1, 2);
    expect(invoke).toHaveBeenLastCalledWith(apiChannel('getEngineStatus'), 1, 2);
  });

  it('subscribes to known events only, and unsubscribes', () => {
    const got: unknown[] = [];
    const off = bridge.on('engineStatus', (s) => got.push(s));
    for (const l of ipcListeners.get(eventChannel('engineStatus')) ?? []) l({}, { state: 'ready' });
    expect(got).toEqual([{ state: 'ready' }]);
    off();
    expect(ipcListeners.get(eventChannel('engineStatus'))).toEqual([]);
    expect(() => bridge.on('anything' as never, () => {})).toThrow(/unknown event/);
  });

  // #17.8: posted with '*', the port would reach whatever page the window holds at delivery.
  it('forwards the engine port to the app page only, addressed to its origin', () => {
    const deliver = (origin: string) => {
      page.location = { origin };
      const port = { fake: origin };
      for (const l of ipcListeners.get(ENGINE_PORT_CHANNEL) ?? []) l({ ports: [port] });
      return port;
    };
    const app = deliver('app://renderer');
    const dev = deliver('http://localhost:5173');
    for (const foreign of ['https://evil.example', 'null', 'file://', 'http://192.168.1.5:5173', 'app://other']) deliver(foreign);
    expect(posted).toEqual([
      [{ type: 'layerlab:engine-port' }, 'app://renderer', [app]],
      [{ type: 'layerlab:engine-port' }, 'http://localhost:5173', [dev]],
    ]);
  });
});
