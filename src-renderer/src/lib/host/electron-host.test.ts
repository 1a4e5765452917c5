import { afterEach, describe, expect, it } from 'vitest';
import type { LayerLabBridge } from '../../../../common/api';
import type { EngineEvent } from '../../../../common/engine-protocol';
import { createElectronHost, ENGINE_PORT_MESSAGE, ENGINE_PORT_WANTED, type PortInbox } from './electron-host';

/** A stand-in for `window`: the test delivers messages as the preload's window.postMessage would. */
class FakeWindow implements PortInbox {
  listeners: ((event: MessageEvent) => void)[] = [];
  posted: unknown[] = [];
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  addEventListener(_: 'message', listener: (event: MessageEvent) => void) {
    this.listeners.push(listener);
  }
  removeEventListener(_: 'message', listener: (event: MessageEvent) => void) {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }
  deliver(data: unknown, ports: MessagePort[], source: unknown = this) {
    for (const l of this.listeners) l({ data, ports, source } as unknown as MessageEvent);
  }
}

const bridge = { getAppInfo: async () => ({ ok: true }) } as unknown as LayerLabBridge;
const opened: MessagePort[] = [];

/** One engine end and one renderer end, as main would create with MessageChannelMain. */
function engineChannel() {
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  return { engineEnd: port1, rendererEnd: port2 };
}

function nextMessage(port: MessagePort): Promise<unknown> {
  return new Promise((resolve) => {
    port.onmessage = (event) => resolve(event.data);
  });
}

afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});

describe('createElectronHost', () => {
  it('hands the preload bridge through as the api, and asks for a port that may have come too early', () => {
    const win = new FakeWindow();
    const host = createElectronHost(bridge, win);
    expect(host.api).toBe(bridge);
    expect(win.posted).toEqual([{ type: ENGINE_PORT_WANTED }]);
    expect(host.connection.current.state).toBe('open');
  });

  it('binds to the engine port the preload forwards and talks over it', async () => {
    const win = new FakeWindow();
    const host = createElectronHost(bridge, win);
    const events: EngineEvent[] = [];
    host.engine.subscribe((e) => events.push(e));
    let binds = 0;
    host.engine.onBind(() => binds++);

    const { engineEnd, rendererEnd } = engineChannel();
    win.deliver({ type: ENGINE_PORT_MESSAGE }, [rendererEnd]);
    expect(binds).toBe(1);

    const request = nextMessage(engineEnd);
    host.engine.post({ type: 'ping', id: 1 });
    await expect(request).resolves.toEqual({ type: 'ping', id: 1 });

    const reply = new Promise<void>((resolve) => host.engine.subscribe(() => resolve()));
    engineEnd.postMessage({ type: 'pong', id: 1, pid: 7 });
    await reply;
    expect(events).toEqual([{ type: 'pong', id: 1, pid: 7 }]);
    host.dispose();
  });

  it('rebinds to the new port after an engine restart, without the subscribers noticing', async () => {
    const win = new FakeWindow();
    const host = createElectronHost(bridge, win);
    const pids: number[] = [];
    host.engine.subscribe((e) => e.type === 'pong' && pids.push(e.pid));

    const first = engineChannel();
    win.deliver({ type: ENGINE_PORT_MESSAGE }, [first.rendererEnd]);
    const second = engineChannel();
    win.deliver({ type: ENGINE_PORT_MESSAGE }, [second.rendererEnd]);

    const request = nextMessage(second.engineEnd);
    host.engine.post({ type: 'hello' });
    await expect(request).resolves.toEqual({ type: 'hello' });

    const reply = new Promise<void>((resolve) => host.engine.subscribe(() => resolve()));
    second.engineEnd.postMessage({ type: 'pong', id: 1, pid: 2 });
    await reply;
    expect(pids).toEqual([2]);
    host.dispose();
  });

  it('ignores messages that are not the port from our own window', () => {
    const win = new FakeWindow();
    const host = createElectronHost(bridge, win);
    let binds = 0;
    host.engine.onBind(() => binds++);
    const { rendererEnd } = engineChannel();
    win.deliver({ type: ENGINE_PORT_MESSAGE }, [rendererEnd], {});
    win.deliver({ type: 'something-else' }, [rendererEnd]);
    win.deliver({ type: ENGINE_PORT_MESSAGE }, []);
    expect(binds).toBe(0);
    // Posting with no engine bound is dropped, not thrown.
    expect(() => host.engine.post({ type: 'hello' })).not.toThrow();
    host.dispose();
    expect(win.listeners).toEqual([]);
  });
});
