/**
 * Compare runs, as a learner meets it in the browser host: three short MLP runs on real MNIST that differ in
 * epochs, seed and batch size, then the Runs tab. The tab asks the engine for the runs (`runs-compare`, counted on
 * the socket) only while shown: once for all of them, then, after a run ended while it was hidden, for that run alone. The table holds the three runs; with the first as the reference,
 * exactly the settings that differ from it are highlighted in the others' rows; the final figures are there; and
 * ticking all three overlays their three curves on one chart. The page then opens again in Korean: the same runs
 * (read back from disk), compared and overlaid through the Korean labels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { prepareMnist, startMirror, SUBSET } from './support/mnist-data';
import { TrainTab } from './support/train-predict-pages';
import { ROOT, startHost, stopHost } from './support/web-host';

const test = base.extend<{}, { url: string }>({
  url: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-runs-e2e-'));
      const mirror = await startMirror();
      await prepareMnist(ROOT, dataDir, mirror);
      const host = await startHost(dataDir, { LAYERLAB_MIRRORS: `mnist=${mirror.url}` }, { nice: 10 });
      try {
        await use(host.url);
      } finally {
        await stopHost(host);
        await mirror.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test('the run table compares 3 runs, highlights what differs from the reference, and overlays their curves, in English and Korean', async ({ page, url }, info) => {
  test.setTimeout(400_000);
  // The runs-compare requests the page sends over the browser host's socket, with the runs each names (null: all).
  const compares: (string[] | null)[] = [];
  page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => {
    const frame = JSON.parse(String(payload)) as { kind?: string; message?: { type?: string; runIds?: string[] } };
    if (frame.kind === 'engine' && frame.message?.type === 'runs-compare') compares.push(frame.message.runIds ?? null);
  }));
  await page.goto(`${url}&lang=en`);
  // On a loaded machine the engine host can miss its first hello deadline and be restarted: wait for it.
  await expect(page.getByRole('status', { name: 'Engine status' })).toContainText('Ready', { timeout: 120_000 });
  const train = new TrainTab(page);

  const runOnce = async (settings: Record<string, string>, batchSize?: number) => {
    if (batchSize) {
      await page.getByRole('tab', { name: 'Build' }).click();
      const field = page.getByRole('textbox', { name: 'batch_size', exact: true });
      await field.fill(String(batchSize));
      await field.press('Enter');
      await train.open();
    }
    for (const [name, value] of Object.entries(settings)) await train.setting(name, value);
    await train.train.click();
    await train.expectState('Completed');
  };

  const panel = page.getByRole('tabpanel', { name: 'Runs' });
  const table = panel.getByRole('table', { name: 'Runs' });
  const rows = table.locator('tbody tr');

  await test.step('two short runs, the reference and one with 2 epochs: the hidden Runs tab asks the engine nothing', async () => {
    await train.choose('MLP', SUBSET, 1, 455);
    await runOnce({ epochs: '1', seed: '0' });
    await runOnce({ epochs: '2', seed: '0' });
    expect(compares).toEqual([]);
  });

  let shownOnce = 0;
  await test.step('shown, the Runs tab asks once for every run', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect(rows).toHaveCount(2);
    // The run list can read a run's run.json a moment before its last write lands: the table then asks again for
    // that run alone, until both read Completed.
    for (const row of await rows.all()) await expect(row.locator('td').last()).toHaveText('Completed');
    expect(compares[0]).toBeNull();
    expect(compares.slice(1).every((ids) => ids?.length === 1)).toBe(true);
    shownOnce = compares.length;
  });

  await test.step('a third run, with another seed and batch size, while the tab is hidden: shown again, it asks for that run alone', async () => {
    await train.open();
    await runOnce({ epochs: '1', seed: '5' }, 128);
    expect(compares).toHaveLength(shownOnce);
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0).locator('td').last()).toHaveText('Completed');
    const third = (await rows.nth(0).getAttribute('data-run'))!;
    expect(compares.slice(shownOnce).length).toBeGreaterThan(0);
    expect(compares.slice(shownOnce)).toEqual(compares.slice(shownOnce).map(() => [third]));
    console.log(`runs-compare requests, in order (null: every run): ${JSON.stringify(compares)}`);
  });

  await test.step('the table holds the three runs, newest first, with their final figures', async () => {
    await expect(rows).toHaveCount(3);
    for (const row of await rows.all()) {
      await expect(row.getByRole('cell', { name: /^\d+\.\d%$/ }).first()).toBeVisible(); // accuracies
    }
  });

  await test.step('with the oldest run as the reference, only what differs from it is highlighted', async () => {
    await rows.nth(2).getByRole('radio').check();
    const differing = (i: number) => rows.nth(i).locator('td[data-differs="true"]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-key')));
    await expect.poll(() => differing(2)).toEqual([]);
    await expect.poll(() => differing(1)).toEqual(['epochs']);
    await expect.poll(() => differing(0)).toEqual(['batch_size', 'seed']);
    await expect(rows.nth(0).locator('td[data-key="batch_size"]')).toHaveText('128');
    await expect(rows.nth(0).locator('td[data-key="seed"]')).toHaveText('5');
  });

  await test.step('ticking the three runs overlays their three curves', async () => {
    for (const row of await rows.all()) await row.getByRole('checkbox').check();
    const chart = panel.getByRole('img', { name: 'Curves of 3 runs' });
    await expect(chart).toHaveAttribute('data-datasets', '3');
    await panel.getByRole('combobox', { name: 'Curve' }).selectOption('trainAcc');
    await expect(chart).toHaveAttribute('data-datasets', '3');
    await panel.screenshot({ path: info.outputPath('compare-runs.png') });
    await rows.nth(1).getByRole('checkbox').uncheck();
    await expect(panel.getByRole('img', { name: 'Curves of 2 runs' })).toHaveAttribute('data-datasets', '2');
  });

  await test.step('in Korean (the same three runs, no training again): the table, the highlights and the overlay', async () => {
    await page.goto(`${url}&lang=ko`);
    await page.getByRole('tab', { name: '실행 비교' }).click();
    const koPanel = page.getByRole('tabpanel', { name: '실행 비교' });
    const koRows = koPanel.getByRole('table', { name: '실행 목록' }).locator('tbody tr');
    await expect(koRows).toHaveCount(3, { timeout: 60_000 });
    await expect(koPanel.getByRole('columnheader', { name: '테스트 정확도' })).toBeVisible();
    await koRows.nth(2).getByRole('radio', { name: /을\(를\) 기준으로 비교$/ }).check();
    await expect.poll(() => koRows.nth(0).locator('td[data-differs="true"]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-key'))))
      .toEqual(['batch_size', 'seed']);
    for (const row of await koRows.all()) await row.getByRole('checkbox', { name: /의 곡선 겹쳐 보기$/ }).check();
    const chart = koPanel.getByRole('img', { name: '실행 3개의 곡선' });
    await expect(chart).toHaveAttribute('data-datasets', '3');
    await koPanel.getByRole('combobox', { name: '곡선' }).selectOption('trainAcc');
    await expect(chart).toHaveAttribute('data-datasets', '3');
    await koPanel.screenshot({ path: info.outputPath('compare-runs-ko.png') });
  });
});
