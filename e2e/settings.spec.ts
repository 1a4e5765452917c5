/**
 * Settings mean what they say, the way a learner meets them in the browser host with real MNIST served from
 * loopback: validation_size and the seed are what the run holds out (on screen and in run.json); a field holding
 * invalid text disables Train with the reason, on both tabs, and New drops it; early stopping and gradient
 * clipping are set on the Train tab and reach run.json and the PyTorch twin; OneCycleLR steps every batch, and the
 * Train tab's lr chart draws it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { testWithMnistHost } from './support/mnist-host';
import { EngineHeader } from './support/engine-header';
import { SUBSET } from './support/mnist-data';
import { TrainTab } from './support/train-predict-pages';
import { OneCycleLR } from '../engine/optim/lr-scheduler';

const test = testWithMnistHost('settings', { nice: 10 });

test.describe.configure({ mode: 'serial' });

/** The run.json of the run the Train tab shows (the newest folder under runs/). */
function newestRunJson(dataDir: string): Record<string, unknown> & { options: Record<string, unknown>; split?: unknown } {
  const runs = join(dataDir, 'runs');
  const newest = readdirSync(runs).sort().at(-1)!;
  return JSON.parse(readFileSync(join(runs, newest, 'run.json'), 'utf8'));
}

/** The Train tab's lr chart (CurveChart's figure: data-epoch-points, data-last-value, data-y-scale). */
const lrChartOf = (page: Page) => page.getByRole('tabpanel', { name: 'Train' }).getByRole('img', { name: 'Learning rate (lr)', exact: true });

/**
 * Reloads the page, so the Train tab adopts the finished run from its stored history (no batches, only epochs), and
 * checks that the lr chart still draws each epoch's lr, ending at `lastLr`.
 */
async function expectReopenedLr(page: Page, train: TrainTab, epochs: number, lastLr: number, screenshot: string): Promise<Locator> {
  await page.reload();
  await new EngineHeader(page).expectState('Ready');
  await train.open();
  await train.expectState('Completed');
  const lrChart = lrChartOf(page);
  await expect(lrChart).toHaveAttribute('data-epoch-points', String(epochs));
  await expect(lrChart).toHaveAttribute('data-batch-points', '0');
  expect(Number(await lrChart.getAttribute('data-last-value'))).toBeCloseTo(lastLr, 12);
  await lrChart.scrollIntoViewIfNeeded();
  await lrChart.screenshot({ path: screenshot });
  return lrChart;
}

async function open(page: Page, url: string): Promise<TrainTab> {
  await page.goto(`${url}&lang=en`);
  await new EngineHeader(page).expectState('Ready');
  return new TrainTab(page);
}

test('validation_size and the seed are what the run holds out, on screen and in run.json', async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const train = await open(page, hosted.url);
  await train.choose('Mnist_Logistic', SUBSET, 1, 1000);
  await train.setting('seed', '7');
  await train.train.click();
  await train.expectState('Completed');
  const split = page.getByRole('tabpanel', { name: 'Train' }).getByLabel('Split', { exact: true });
  await expect(split).toHaveText('1,000 held out, 4,455 to train · seed 7');
  await expect(page.getByText('Batch 70 of 70', { exact: true })).toBeVisible(); // 4,455 images in batches of 64
  await page.screenshot({ path: info.outputPath('validation-size-honoured.png'), fullPage: true });
  const meta = newestRunJson(hosted.dataDir);
  expect(meta.split).toEqual({ seed: 7, train: 4455, validation: 1000 });
  expect(meta.options).toMatchObject({ epochs: 1, seed: 7 });
});

test('an invalid field disables Train on both tabs with the reason, and New drops it', async ({ page, hosted }, info) => {
  // Every run-start the page sends, in order: a blocked Train (or Alt+T) must send none.
  const starts: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => {
    if (typeof payload === 'string' && payload.includes('"run-start"')) starts.push(payload);
  }));
  const train = await open(page, hosted.url);
  const build = page.getByRole('tabpanel', { name: 'Build' });
  const buildTrain = build.getByRole('button', { name: 'Train', exact: true });
  await page.getByRole('combobox', { name: 'Presets' }).selectOption('MLP');
  await expect(buildTrain).toBeEnabled();

  const batchSize = build.getByRole('textbox', { name: 'batch_size', exact: true });
  await test.step('batch_size 0 stays red, and Train says why instead of training with 64', async () => {
    await batchSize.fill('0');
    await batchSize.press('Enter');
    await expect(batchSize).toHaveAttribute('aria-invalid', 'true');
    const reason = 'Can\'t train: batch_size is "0", which must be an integer ≥ 1 and ≤ 60000.';
    await expect(buildTrain).toBeDisabled();
    await expect(buildTrain).toHaveAccessibleDescription(reason);
    await train.open();
    await expect(train.train).toBeDisabled();
    await expect(train.train).toHaveAccessibleDescription(reason);
    await page.screenshot({ path: info.outputPath('invalid-batch-size.png'), fullPage: true });
    // Alt+T, the shortcut, is refused as well. Then the field is fixed and Alt+T starts a run, the first and only
    // run-start sent (frames leave in order): MLP holds out 10,000 images, more than mnist-5k has, said plainly.
    await page.getByRole('tabpanel', { name: 'Train' }).getByLabel('Dataset', { exact: true }).selectOption(SUBSET);
    await page.keyboard.press('Alt+KeyT');
    await page.getByRole('tab', { name: 'Build' }).click();
    await batchSize.fill('64');
    await batchSize.press('Enter');
    await train.open();
    await expect(train.train).toBeEnabled();
    await page.keyboard.press('Alt+KeyT');
    await expect(page.getByRole('tabpanel', { name: 'Train' }).getByRole('alert')).toHaveText(
      'validation_size is 10000, but the mnist-5k training file has 5,455 images; set it to a whole number from 0 to 5,454, so that some images are left to train on');
    expect(starts).toHaveLength(1);
    expect(JSON.parse(starts[0]).message.spec.data.batchSize).toBe(64);
    await train.expectState('Failed');
    await page.getByRole('tab', { name: 'Build' }).click();
    await batchSize.fill('0');
    await batchSize.press('Enter');
    await train.open();
  });

  await test.step('a Train tab field blocks any model, even a preset the builder field does not touch', async () => {
    await train.setting('epochs', 'abc');
    await page.getByRole('tabpanel', { name: 'Train' }).getByLabel('Model', { exact: true }).selectOption({ label: 'Preset: LeNet-5' });
    await expect(train.train).toHaveAccessibleDescription('Can\'t train: epochs is "abc", which must be an integer ≥ 1 and ≤ 10000.');
    await train.setting('epochs', '3');
    await expect(train.train).toBeEnabled();
    await page.getByRole('tabpanel', { name: 'Train' }).getByLabel('Model', { exact: true }).selectOption('builder');
    await expect(train.train).toBeDisabled();
  });

  await test.step('New: an empty model, the defaults back, no stale text', async () => {
    await page.getByRole('tab', { name: 'Build' }).click();
    await build.getByRole('button', { name: 'New', exact: true }).click();
    await expect(batchSize).toHaveValue('64');
    await expect(batchSize).toHaveAttribute('aria-invalid', 'false');
    await expect(buildTrain).toHaveAccessibleDescription("Can't train yet: add layers after the Input.");
    await train.open();
    await expect(page.getByRole('tabpanel', { name: 'Train' }).getByRole('textbox', { name: 'epochs', exact: true })).toHaveValue('2');
  });
});

test('early stopping and gradient clipping, set on the Train tab, reach run.json and the twin', async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const train = await open(page, hosted.url);
  await train.choose('Mnist_Logistic', SUBSET, 2, 455);
  const panel = page.getByRole('tabpanel', { name: 'Train' });

  await test.step('early stopping watches the validation loss: with none held out, Train says so', async () => {
    await panel.getByRole('checkbox', { name: 'Early stopping' }).check();
    await expect(panel.getByRole('textbox', { name: 'patience', exact: true })).toHaveValue('3');
    await expect(panel.getByRole('textbox', { name: 'min_delta', exact: true })).toHaveValue('0');
    await page.getByRole('tab', { name: 'Build' }).click();
    await page.getByRole('textbox', { name: 'validation_size', exact: true }).fill('0');
    await page.getByRole('textbox', { name: 'validation_size', exact: true }).press('Enter');
    await train.open();
    await expect(train.train).toHaveAccessibleDescription(/^Can't train: early stopping watches the validation loss, but validation_size is 0/);
    await page.getByRole('tab', { name: 'Build' }).click();
    await page.getByRole('textbox', { name: 'validation_size', exact: true }).fill('455');
    await page.getByRole('textbox', { name: 'validation_size', exact: true }).press('Enter');
    await train.open();
  });

  await train.setting('patience', '2');
  await train.setting('min_delta', '0.01');
  await panel.getByRole('checkbox', { name: 'Clip gradients (clip_grad_norm_)' }).check();
  await expect(panel.getByRole('textbox', { name: 'max_norm', exact: true })).toHaveValue('1');
  await train.setting('max_norm', '0.5');
  await train.setting('seed', '11');
  await page.screenshot({ path: info.outputPath('early-stopping-clipping.png'), fullPage: true });
  await train.train.click();
  await train.expectState('Completed');
  const meta = newestRunJson(hosted.dataDir);
  expect(meta.options).toMatchObject({ epochs: 2, seed: 11, earlyStopping: { patience: 2, minDelta: 0.01 }, clipGradNorm: 0.5 });

  await page.getByRole('tab', { name: 'Build' }).click();
  const twin = page.getByLabel('PyTorch code');
  await expect(twin).toContainText('PATIENCE = 2');
  await expect(twin).toContainText('MIN_DELTA = 0.01');
  await expect(twin).toContainText('MAX_NORM = 0.5');
  await expect(twin).toContainText('nn.utils.clip_grad_norm_(model.parameters(), max_norm=MAX_NORM)');
  await expect(twin).toContainText('parser.add_argument("--seed", type=int, default=11,');
  await expect(twin).toContainText('parser.add_argument("--val-size", type=int, default=455,');
});

test('OneCycleLR set in Build steps every batch of the run, over epochs × batches, in the app and the twin (#18)', async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const train = await open(page, hosted.url);
  await train.choose('Mnist_Logistic', SUBSET, 1, 1000); // 4,455 images to train: 70 batches of 64
  const build = page.getByRole('tabpanel', { name: 'Build' });

  await test.step('the scheduler and its max_lr, chosen in Build; total_steps is left to the run', async () => {
    await page.getByRole('tab', { name: 'Build' }).click();
    await build.getByRole('combobox', { name: 'LR scheduler' }).selectOption('OneCycleLR');
    const maxLr = build.getByRole('textbox', { name: 'max_lr', exact: true });
    await expect(maxLr).toHaveAttribute('aria-invalid', 'true'); // required, as torch's max_lr
    await maxLr.fill('0.5');
    await maxLr.press('Enter');
    await expect(maxLr).toHaveAttribute('aria-invalid', 'false');
    await expect(build.getByRole('textbox', { name: 'total_steps', exact: true })).toHaveValue('');
    await expect(build.getByRole('combobox', { name: 'anneal_strategy' })).toHaveValue('cos');
    await expect(page.getByLabel('PyTorch code')).toContainText(
      'scheduler = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=max(1, args.epochs * len(train_dl)))');
    await page.screenshot({ path: info.outputPath('onecycle-settings.png'), fullPage: true });
  });

  await test.step('what torch would refuse is refused in Build, saying why: epochs alone, cycle_momentum on Adagrad', async () => {
    const buildTrain = build.getByRole('button', { name: 'Train', exact: true });
    const epochs = build.getByRole('textbox', { name: 'epochs', exact: true });
    await epochs.fill('3');
    await epochs.press('Enter');
    const halfLength = "scheduler OneCycleLR: epochs is set but steps_per_epoch is not; give total_steps, or both epochs and steps_per_epoch, or leave all three empty for the run's epochs × batches per epoch.";
    await expect(build.getByText(halfLength, { exact: true })).toBeVisible();
    await expect(buildTrain).toBeDisabled();
    await expect(buildTrain).toHaveAccessibleDescription(`Can't train: ${halfLength}`);
    await page.screenshot({ path: info.outputPath('onecycle-half-length.png'), fullPage: true });
    await epochs.fill('');
    await epochs.press('Enter');
    await expect(buildTrain).toBeEnabled();

    const optimizer = build.getByRole('combobox', { name: 'Optimizer', exact: true });
    await optimizer.selectOption('Adagrad');
    await expect(build.getByText(/^scheduler OneCycleLR: cycle_momentum needs an optimizer with momentum or betas, and Adagrad has neither/)).toBeVisible();
    await expect(buildTrain).toBeDisabled();
    await optimizer.selectOption('SGD');
    await build.getByRole('textbox', { name: 'lr', exact: true }).fill('0.5');
    await build.getByRole('textbox', { name: 'lr', exact: true }).press('Enter');
    await expect(buildTrain).toBeEnabled();
  });

  await test.step('the run ends at the bottom of the cycle: stepped 70 times in its one epoch, not once', async () => {
    await train.open();
    await train.train.click();
    await train.expectState('Completed');
    // OneCycleLR(max_lr 0.5, total_steps 70) after 70 steps: optim's class, held to torch 1.13 by its fixtures.
    const groups = { paramGroups: [{ lr: 0.5, momentum: 0 }] };
    const cycle = new OneCycleLR(groups, 0.5, { totalSteps: 70 });
    for (let i = 0; i < 70; i++) cycle.step();
    const expected = groups.paramGroups[0].lr;
    const shown = page.getByRole('tabpanel', { name: 'Train' }).getByLabel('Learning rate', { exact: true });
    await expect(shown).toHaveText(String(Number(expected.toPrecision(4))));
    expect(Number(await shown.getAttribute('data-lr'))).toBeCloseTo(expected, 12);
    // One step an epoch would have left it near the start, 0.5 / 25.
    expect(expected).toBeLessThan(0.5 / 25 / 10);
    await page.screenshot({ path: info.outputPath('onecycle-run.png'), fullPage: true });

    // The schedule drawn, not only its last number: the lr chart ends at the same lr, on a log axis (the cycle spans
    // 0.02 up to 0.5 and down to 2e-6), with the epoch's lr from the run's history as its epoch point.
    const lrChart = lrChartOf(page);
    await expect(lrChart).toHaveAttribute('data-epoch-points', '1');
    await expect(lrChart).toHaveAttribute('data-batch-points', '70');
    await expect(lrChart).toHaveAttribute('data-y-scale', 'logarithmic');
    expect(Number(await lrChart.getAttribute('data-last-value'))).toBeCloseTo(expected, 12);
    await lrChart.scrollIntoViewIfNeeded();
    await lrChart.screenshot({ path: info.outputPath('onecycle-lr-chart.png') });
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await expect(lrChart).toHaveAttribute('data-legend-color', 'rgb(230, 232, 240)');
    await lrChart.screenshot({ path: info.outputPath('onecycle-lr-chart-dark.png') });
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');

    // Opened again from disk: no batches are kept, the epoch's lr is.
    await expectReopenedLr(page, train, 1, expected, info.outputPath('onecycle-lr-chart-reloaded.png'));
    const meta = newestRunJson(hosted.dataDir);
    expect(meta.lr).toBeCloseTo(expected, 12);
  });
});

test("StepLR's schedule on the Train tab's lr chart: a step per epoch on a log axis, kept when the run is opened again (#15 polish)", async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const train = await open(page, hosted.url);
  await train.choose('Mnist_Logistic', SUBSET, 3, 1000);
  const build = page.getByRole('tabpanel', { name: 'Build' });
  await page.getByRole('tab', { name: 'Build' }).click();
  await build.getByRole('combobox', { name: 'LR scheduler' }).selectOption('StepLR');
  for (const [name, value] of [['step_size', '1'], ['gamma', '0.1'], ['lr', '0.1']]) {
    const field = build.getByRole('textbox', { name, exact: true });
    await field.fill(value);
    await field.press('Enter');
  }
  await train.open();
  await train.train.click();
  await train.expectState('Completed');
  const lrChart = lrChartOf(page);
  // 0.1, 0.01, 0.001: three decades, drawn on a log axis; the last epoch trained with 0.1 × 0.1².
  await expect(lrChart).toHaveAttribute('data-epoch-points', '3');
  await expect(lrChart).toHaveAttribute('data-y-scale', 'logarithmic');
  await lrChart.scrollIntoViewIfNeeded();
  await lrChart.screenshot({ path: info.outputPath('steplr-lr-chart.png') });

  // Opened again from disk: the epochs' lrs are in the run's history, so the steps are still drawn.
  const reopened = await expectReopenedLr(page, train, 3, 0.001, info.outputPath('steplr-lr-chart-reloaded.png'));
  await expect(reopened).toHaveAttribute('data-y-scale', 'logarithmic');
});
