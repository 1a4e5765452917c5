/**
 * Every response the browser host serves carries the CSP and cross-origin isolation headers: the page, each asset it
 * loads, and a 404. The page ends up cross-origin isolated, which threaded WASM needs.
 */
import type { Response } from '@playwright/test';
import { SECURITY_HEADERS } from '../common/security';
import { expect, test } from './support/web-host';

const REQUIRED = ['Content-Security-Policy', 'Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy'] as const;

function expectSecured(headers: Record<string, string>, what: string) {
  for (const name of REQUIRED) expect(headers[name.toLowerCase()], `${name} on ${what}`).toBe(SECURITY_HEADERS[name]);
}

test('CSP, COOP and COEP on every page and response the host serves', async ({ app }) => {
  const responses: Response[] = [];
  app.page.on('response', (response) => {
    if (new URL(response.url()).origin === app.host.origin) responses.push(response);
  });

  await test.step('load the app and let it settle', async () => {
    await app.open();
    await app.header.expectState('Ready');
  });

  await test.step('the page and all its assets are secured', async () => {
    const kinds = new Set(responses.map((r) => r.request().resourceType()));
    expect(kinds).toContain('document');
    expect(kinds).toContain('script');
    for (const response of responses) expectSecured(await response.allHeaders(), response.url());
  });

  await test.step('the page is cross-origin isolated', async () => {
    expect(await app.page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
  });

  await test.step('a 404 is secured too', async () => {
    const missing = await app.page.request.get(`${app.host.origin}/no-such-file.js`);
    expect(missing.status()).toBe(404);
    expectSecured(missing.headers(), '404');
  });
});
