import { describe, expect, it } from 'vitest';
import { isTrustedUrl } from './trust';
import { mainWindowOptions } from './window-options';

describe('main window options', () => {
  const options = mainWindowOptions({ preload: '/app/out/preload/index.cjs' });

  it('isolates and sandboxes the renderer', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('uses the CommonJS preload', () => {
    expect(options.webPreferences?.preload).toMatch(/\.cjs$/);
  });
});

describe('isTrustedUrl', () => {
  it.each([
    ['app://renderer/index.html', null, true],
    ['app://renderer/assets/x.js', null, true],
    ['app://other/index.html', null, false],
    ['https://evil.example/', null, false],
    ['file:///etc/passwd', null, false],
    ['http://localhost:5173/', null, false],
    ['http://localhost:5173/', 'http://localhost:5173', true],
    ['http://localhost:5174/', 'http://localhost:5173', false],
    ['', null, false],
    ['not a url', null, false],
  ] as const)('%s (dev %s) → %s', (url, dev, trusted) => {
    expect(isTrustedUrl(url, dev)).toBe(trusted);
  });
});
