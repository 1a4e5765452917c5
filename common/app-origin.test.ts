import { describe, expect, it } from 'vitest';
import { devServerOrigin, isAppPageOrigin } from './app-origin';

describe('devServerOrigin (#17.8: ELECTRON_RENDERER_URL trusted only on loopback http)', () => {
  it.each([
    ['http://localhost:5173/', 'http://localhost:5173'],
    ['http://127.0.0.1:5173', 'http://127.0.0.1:5173'],
    ['http://[::1]:5173/x', 'http://[::1]:5173'],
    ['http://LOCALHOST:80/', 'http://localhost'],
    ['http://localhost:5173@evil.example/', null],
    ['http://localhost:5173.evil.example/', null],
    ['https://localhost:5173/', null],
    ['http://evil.example:5173/', null],
    ['http://localhost.evil.example/', null],
    ['http://192.168.1.5:5173/', null],
    ['file:///tmp/index.html', null],
    ['not a url', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (url, origin) => {
    expect(devServerOrigin(url)).toBe(origin);
  });

  it('lets the app origin and a loopback dev origin receive the engine port, nothing else', () => {
    expect(isAppPageOrigin('app://renderer')).toBe(true);
    expect(isAppPageOrigin('http://localhost:5173')).toBe(true);
    for (const origin of ['app://other', 'https://evil.example', 'null', 'http://localhost:5173/path', '', null]) {
      expect(isAppPageOrigin(origin), String(origin)).toBe(false);
    }
  });
});
