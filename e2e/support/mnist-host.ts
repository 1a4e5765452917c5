/**
 * The browser host most training specs run against, one per Playwright worker: a fresh data folder with MNIST
 * imported from a loopback mirror of ../shared/data/mnist (support/mnist-data.ts), the host started on it, and all
 * of it removed when the worker ends.
 *
 *   const test = testWithMnistHost('settings', { nice: 10 });
 *   test('…', async ({ page, hosted }) => { await page.goto(hosted.url); … });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { prepareMnist, startMirror } from './mnist-data';
import { ROOT, startHost, stopHost, type StartHostOptions } from './web-host';

export interface MnistHost {
  url: string;
  dataDir: string;
}

/** `name` names the data folder; `options` as startHost's (nice 10: the host yields to the test's own browser). */
export function testWithMnistHost(name: string, options: StartHostOptions = {}) {
  return base.extend<{}, { hosted: MnistHost }>({
    hosted: [
      async ({}, use) => {
        const dataDir = mkdtempSync(join(tmpdir(), `layerlab-${name}-e2e-`));
        const mirror = await startMirror();
        await prepareMnist(ROOT, dataDir, mirror);
        const host = await startHost(dataDir, { LAYERLAB_MIRRORS: `mnist=${mirror.url}` }, options);
        try {
          await use({ url: host.url, dataDir });
        } finally {
          await stopHost(host);
          await mirror.close();
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
      { scope: 'worker', timeout: 180_000 },
    ],
  });
}
