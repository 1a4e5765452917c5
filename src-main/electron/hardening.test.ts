/** The web-contents hardening with electron mocked (the binary cannot run here). */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const appEvents = new EventEmitter();
vi.mock('electron', () => ({
  app: { on: (name: string, listener: (...a: unknown[]) => void) => appEvents.on(name, listener) },
  session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
}));

class FakeContents extends EventEmitter {
  openHandler: (() => unknown) | null = null;
  setWindowOpenHandler(handler: () => unknown) {
    this.openHandler = handler;
  }
}

async function hardenedContents(devOrigin: string | null): Promise<FakeContents> {
  const { hardenApp } = await import('./hardening');
  appEvents.removeAllListeners();
  hardenApp(devOrigin);
  const contents = new FakeContents();
  appEvents.emit('web-contents-created', {}, contents);
  return contents;
}

/** Emits a navigation event the way Electron does for `event` (details object) or `(event, url)`; true if stopped. */
function stopped(contents: FakeContents, name: string, url: string): boolean {
  const preventDefault = vi.fn();
  if (name === 'will-frame-navigate') contents.emit(name, { url, isMainFrame: false, preventDefault });
  else contents.emit(name, { preventDefault }, url);
  return preventDefault.mock.calls.length > 0;
}

describe('hardenApp', () => {
  // #17.8: will-navigate sees the main frame only; a subframe could navigate anywhere.
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s: stays on the app, leaves for nothing else', async (name) => {
    const contents = await hardenedContents(null);
    expect(stopped(contents, name, 'app://renderer/index.html')).toBe(false);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'http://localhost:5173/', 'javascript:alert(1)']) {
      expect(stopped(contents, name, url), url).toBe(true);
    }
  });

  it('trusts the dev server only when given one, denies new windows and webviews', async () => {
    const contents = await hardenedContents('http://localhost:5173');
    expect(stopped(contents, 'will-frame-navigate', 'http://localhost:5173/x')).toBe(false);
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
    const preventDefault = vi.fn();
    contents.emit('will-attach-webview', { preventDefault });
    expect(preventDefault).toHaveBeenCalled();
  });
});
