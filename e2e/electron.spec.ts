/**
 * The desktop app through Playwright's Electron driver: the same header contract as the browser host, and a
 * preload that exposes nothing but the API. Skipped (with the reason printed) where the Electron binary is absent.
 */
import { _electron as electron } from '@playwright/test';
import { API_METHODS } from '../common/api';
import { findElectron } from './support/electron-binary';
import { EngineHeader } from './support/engine-header';
import { ROOT, expect, test } from './support/web-host';

const found = findElectron(ROOT);
const skipReason = 'missing' in found ? `Electron e2e skipped: ${found.missing}; the browser-host specs cover the UI.` : null;
if (skipReason) console.log(skipReason);
test.skip(skipReason !== null, skipReason ?? '');

test('the desktop window shows the engine ready and exposes only the API', async () => {
  const app = await electron.launch({ executablePath: 'path' in found ? found.path : undefined, args: [ROOT], cwd: ROOT });
  try {
    const page = await app.firstWindow();
    const header = new EngineHeader(page);

    await test.step('the engine is ready, in its own process', async () => {
      await header.expectState('Ready');
      const pid = await header.shownPid();
      expect(pid).not.toBe(await app.evaluate(() => process.pid));
      await header.showDetails();
      await expect(header.backends.first()).toBeVisible();
    });

    await test.step('window.layerlab holds the API methods and on(), nothing else', async () => {
      const keys = await page.evaluate(() => Object.keys((globalThis as unknown as { layerlab: object }).layerlab).sort());
      expect(keys).toEqual([...API_METHODS, 'on'].sort());
    });

    await test.step('the page is served from app:// and cross-origin isolated', async () => {
      expect(page.url()).toMatch(/^app:\/\/renderer\//);
      expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
    });
  } finally {
    await app.close();
  }
});
