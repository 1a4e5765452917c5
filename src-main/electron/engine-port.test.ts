/** Handing the engine port, with electron mocked: only to a window that shows a trusted page now (#17.8). */
import { describe, expect, it, vi } from 'vitest';
import { ENGINE_PORT_CHANNEL } from '../../common/ipc-channels';

vi.mock('electron', () => ({
  MessageChannelMain: class {
    port1 = { end: 1 };
    port2 = { end: 2 };
  },
}));

function fakeWindow(url: string, destroyed = false) {
  const posted: unknown[][] = [];
  return { posted, isDestroyed: () => destroyed, webContents: { getURL: () => url, postMessage: (...a: unknown[]) => void posted.push(a) } };
}

describe('handEnginePort', () => {
  it('hands the app page (or the loopback dev page) one end and the engine the other', async () => {
    const { handEnginePort } = await import('./engine-port');
    for (const [url, dev] of [['app://renderer/index.html', null], ['http://localhost:5173/', 'http://localhost:5173']] as const) {
      const window = fakeWindow(url);
      const engine = { connectRenderer: vi.fn() };
      expect(handEnginePort(window as never, engine, dev)).toBe(true);
      expect(engine.connectRenderer).toHaveBeenCalledWith({ end: 1 });
      expect(window.posted).toEqual([[ENGINE_PORT_CHANNEL, null, [{ end: 2 }]]]);
    }
  });

  it('hands nothing to a window that loaded another page, or is gone', async () => {
    const { handEnginePort } = await import('./engine-port');
    for (const window of [
      fakeWindow('https://evil.example/'), fakeWindow('file:///tmp/x.html'), fakeWindow('about:blank'), fakeWindow(''),
      fakeWindow('http://localhost:5174/'), fakeWindow('app://renderer/index.html', true),
    ]) {
      const engine = { connectRenderer: vi.fn() };
      expect(handEnginePort(window as never, engine, 'http://localhost:5173')).toBe(false);
      expect(engine.connectRenderer).not.toHaveBeenCalled();
      expect(window.posted).toEqual([]);
    }
  });
});
