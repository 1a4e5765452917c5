/**
 * The Data tab end to end, against the built browser host with a fresh data folder: MNIST downloads from a loopback
 * mirror (the real files from ../shared/data, throttled so the progress bar shows), a cancelled download resumes,
 * and the samples and class histogram appear once it is ready; offline, the error points to Import, and importing
 * the same files works.
 */
import { join } from 'node:path';
import { DataPanel } from './support/data-panel';
import { SHARED_DATA, startDatasetMirror, type DatasetMirror } from './support/dataset-mirror';
import { deadUrl } from './support/dead-url';
import { expect, test as base } from './support/web-host';

const MNIST_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

const test = base.extend<{ mirror: DatasetMirror; mirrorsEnv: string; data: DataPanel }>({
  // 1 MB/s at first: slow enough to see progress and to cancel; a step speeds it up.
  mirror: async ({}, use) => {
    const mirror = await startDatasetMirror(1_000_000);
    await use(mirror);
    await mirror.close();
  },
  mirrorsEnv: async ({ mirror }, use) => use(`mnist=${mirror.url}/mnist/`),
  hostEnv: async ({ mirrorsEnv }, use) => use({ LAYERLAB_MIRRORS: mirrorsEnv }),
  data: async ({ page }, use) => use(new DataPanel(page)),
});

test('download MNIST with visible progress, cancel and resume, then browse samples', async ({ app, data, mirror }) => {
  const mnist = data.card('MNIST');

  await test.step('open the Data tab', async () => {
    await app.open();
    await data.open();
    await expect(mnist.root).toContainText('Not downloaded');
    await expect(data.card('Fashion-MNIST').root).toBeVisible();
  });

  await test.step('Download shows a progress bar with a value', async () => {
    await mnist.button('Download').click();
    await expect(mnist.progress).toBeVisible();
    await expect(mnist.progress).toHaveAttribute('aria-valuenow', /^\d+$/);
    await expect(mnist.root).toContainText(/Downloading \d+%/);
    // The bar moves: some bytes of the first file have arrived.
    await expect(mnist.root).toContainText(/train-images-idx3-ubyte\.gz: [\d.]+ [kM]B of 9\.9 MB/);
    await expect(mnist.root).toContainText(/\/s/);
  });

  await test.step('Cancel stops it without an error', async () => {
    await mnist.button('Cancel').click();
    await expect(mnist.progress).toBeHidden();
    await expect(mnist.button('Download')).toBeVisible();
    await expect(mnist.alert).toHaveCount(0);
  });

  await test.step('Download again resumes and ends Ready', async () => {
    mirror.rate = 8_000_000;
    await mnist.button('Download').click();
    await expect(mnist.progress).toBeVisible();
    await expect(mnist.root).toContainText('Ready', { timeout: 45_000 });
    await expect(mnist.progress).toBeHidden();
    await expect(mnist.button('Verify')).toBeVisible();
    await expect(mnist.button('Delete')).toBeVisible();
    await expect(mnist.button('Download')).toHaveCount(0);
    expect(mirror.requests.some((r) => r.path.endsWith('train-images-idx3-ubyte.gz') && r.range?.startsWith('bytes='))).toBe(true);
  });

  await test.step('the sample grid shows images with labels, and the class histogram its counts', async () => {
    const items = data.samples.getByRole('listitem');
    await expect(items).toHaveCount(48);
    await expect(items.first().getByRole('img')).toHaveAttribute('alt', /labelled \d/);
    await expect(items.first()).toHaveText(/^\s*\d\s*$/);
    await expect(items.first().getByRole('img')).toHaveJSProperty('complete', true);
    expect(await items.first().getByRole('img').evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBe(28);
    await expect(data.histogram.getByRole('listitem')).toHaveCount(10);
    // MNIST's training labels: 5,923 zeros and 6,742 ones.
    await expect(data.histogram.getByRole('listitem', { name: '0: 5,923' })).toBeVisible();
    await expect(data.histogram.getByRole('listitem', { name: '1: 6,742' })).toBeVisible();
  });

  await test.step('Verify finds every file intact', async () => {
    await mnist.button('Verify').click();
    await expect(mnist.root.getByRole('status')).toHaveText('All files checked: they match their checksums.');
  });

  await test.step('Delete brings the card back to Not downloaded and empties the samples', async () => {
    await mnist.button('Delete').click();
    await expect(mnist.root).toContainText('Not downloaded');
    await expect(mnist.button('Download')).toBeVisible();
    await expect(data.samples).toHaveCount(0);
  });
});

test.describe('offline', () => {
  test.use({ mirrorsEnv: async ({}, use) => use(`mnist=${await deadUrl()}`) });

  test('the error points to Import, and importing the IDX files makes MNIST ready', async ({ app, data, page }) => {
    const mnist = data.card('MNIST');

    await test.step('Download fails in plain words', async () => {
      await app.open();
      await data.open();
      await mnist.button('Download').click();
      await expect(mnist.alert).toContainText('use Import', { timeout: 45_000 });
      await expect(mnist.button('Download')).toBeEnabled();
    });

    await test.step('Import the four files from disk', async () => {
      const chooser = page.waitForEvent('filechooser');
      await mnist.button('Import').click();
      await (await chooser).setFiles(MNIST_FILES.map((f) => join(SHARED_DATA, 'mnist', f)));
      await expect(mnist.root.getByRole('status')).toHaveText('Imported 4 file(s) into MNIST.', { timeout: 45_000 });
      await expect(mnist.root).toContainText('Ready');
      await expect(mnist.alert).toHaveCount(0);
      await expect(data.samples.getByRole('listitem')).toHaveCount(48);
    });
  });
});
