/**
 * Training-time augmentation as a learner meets it (#15.2), in the browser host with real MNIST from loopback: the
 * Data settings' RandomAffine is ticked, a live preview shows real training images turned and shifted, a bad value
 * disables Train with the reason, more rotation changes the preview, ElasticTransform on top changes it again, and
 * the run trains with both: run.json records them and the PyTorch twin applies them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { testWithMnistHost } from './support/mnist-host';
import { EngineHeader } from './support/engine-header';
import { SUBSET } from './support/mnist-data';
import { TrainTab } from './support/train-predict-pages';

const test = testWithMnistHost('augment', { nice: 10 });

test('rotation and elastic distortion set in the Data settings change the preview of real images, and the run and the twin use them', async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  await page.goto(`${hosted.url}&lang=en`);
  await new EngineHeader(page).expectState('Ready');
  const build = page.getByRole('tabpanel', { name: 'Build' });
  const buildTrain = build.getByRole('button', { name: 'Train', exact: true });
  await page.getByRole('combobox', { name: 'Presets' }).selectOption('Mnist_Logistic');
  await build.getByRole('textbox', { name: 'validation_size', exact: true }).fill('455');
  await build.getByRole('textbox', { name: 'validation_size', exact: true }).press('Enter');

  const preview = build.getByRole('region', { name: 'Preview on real training images' });
  await expect(preview).toHaveCount(0); // off by default
  await build.getByRole('checkbox', { name: 'RandomAffine' }).check();
  const degrees = build.getByRole('textbox', { name: 'degrees', exact: true });
  await expect(degrees).toHaveValue('10');
  await expect(build.getByRole('textbox', { name: 'translate', exact: true })).toHaveValue('0.1, 0.1');
  await expect(build.getByRole('textbox', { name: 'scale', exact: true })).toHaveValue('0.9, 1.1');

  // Four real training images of MNIST, each as it is and in four draws.
  const originals = preview.getByRole('img', { name: /as it is$/ });
  const firstDraw = preview.getByRole('img', { name: /augmented, draw 1$/ }).first();
  await expect(originals).toHaveCount(4);
  await expect(preview.getByRole('img', { name: /augmented, draw \d$/ })).toHaveCount(16);
  const original = await originals.first().getAttribute('src');
  const at10 = await firstDraw.getAttribute('src');
  expect(at10).not.toBe(original);

  await test.step('a negative rotation is refused, and Train says why', async () => {
    await degrees.fill('-5');
    await degrees.press('Enter');
    await expect(degrees).toHaveAttribute('aria-invalid', 'true');
    await expect(buildTrain).toBeDisabled();
    await expect(buildTrain).toHaveAccessibleDescription('Can\'t train: degrees is "-5", which must be a number ≥ 0 and ≤ 180.');
  });

  await test.step('45 degrees: the preview redraws with the new rotation, the originals stay', async () => {
    await degrees.fill('45');
    await degrees.press('Enter');
    await expect(buildTrain).toBeEnabled();
    await expect.poll(() => firstDraw.getAttribute('src')).not.toBe(at10);
    expect(await originals.first().getAttribute('src')).toBe(original);
  });

  await test.step('ElasticTransform on top: its fields, and the preview redraws again', async () => {
    const at45 = await firstDraw.getAttribute('src');
    await build.getByRole('checkbox', { name: 'ElasticTransform' }).check();
    await expect(build.getByRole('textbox', { name: 'alpha', exact: true })).toHaveValue('34');
    await expect(build.getByRole('textbox', { name: 'sigma', exact: true })).toHaveValue('4');
    await expect.poll(() => firstDraw.getAttribute('src')).not.toBe(at45);
    await preview.scrollIntoViewIfNeeded();
    await page.screenshot({ path: info.outputPath('augment-preview.png'), fullPage: true });
    await preview.screenshot({ path: info.outputPath('augment-preview-close.png') });
  });

  const train = new TrainTab(page);
  await train.open();
  const panel = page.getByRole('tabpanel', { name: 'Train' });
  await panel.getByLabel('Model', { exact: true }).selectOption({ label: 'From the builder: Mnist_Logistic' });
  await panel.getByLabel('Dataset', { exact: true }).selectOption(SUBSET);
  await train.setting('epochs', '1');
  await train.setting('seed', '3');
  await train.train.click();
  await train.expectState('Completed');

  const runs = join(hosted.dataDir, 'runs');
  const meta = JSON.parse(readFileSync(join(runs, readdirSync(runs).sort().at(-1)!, 'run.json'), 'utf8'));
  expect(meta.augment).toEqual({ affine: { degrees: 45, translate: [0.1, 0.1], scale: [0.9, 1.1] }, elastic: { alpha: 34, sigma: 4 } });
  expect(meta.options).toMatchObject({ epochs: 1, seed: 3 });

  await page.getByRole('tab', { name: 'Build' }).click();
  const twin = build; // the twin panel sits in the Build tab (folded or not, its text is there)
  await expect(twin).toContainText('DEGREES = 45.0  # RandomAffine(degrees=...)');
  await expect(twin).toContainText('TRANSLATE = (0.1, 0.1)');
  await expect(twin).toContainText('SCALE = (0.9, 1.1)');
  await expect(twin).toContainText('ELASTIC = (34.0, 4.0)  # ElasticTransform(alpha, sigma)');
  await expect(twin).toContainText('xb = augment(xb, args.seed, epoch * len(train_dl) + batch - 1)');
});
