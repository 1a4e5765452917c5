/**
 * The test set is for the end, and weights leave and enter the UI, the way a learner meets them in the browser host
 * with real MNIST served from loopback:
 * - a paused run's test set is locked (the button, and a note that says why); once the run is stopped it opens, and
 *   every look is counted on screen and in run.json, surviving a reload; the explanation reads in Korean too;
 * - the run's weights download as .safetensors with the PyTorch twin beside them, and loaded into a fresh builder
 *   model they predict a drawn digit with exactly the same probabilities;
 * - a file that does not fit the model gets the engine's PyTorch-worded message, and a file that is not safetensors
 *   is refused by main; neither changes anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { testWithMnistHost } from './support/mnist-host';
import { EngineHeader } from './support/engine-header';
import { SUBSET } from './support/mnist-data';
import { PredictTab, TrainTab, verticalStroke } from './support/train-predict-pages';
import { wordsIn } from './support/words';

const test = testWithMnistHost('weights', { nice: 10 });

test.describe.configure({ mode: 'serial' });

async function open(page: Page, url: string, lang = 'en'): Promise<TrainTab> {
  await page.goto(`${url}&lang=${lang}`);
  if (lang === 'en') await new EngineHeader(page).expectState('Ready');
  return new TrainTab(page);
}

/** The Predict tab's ten probabilities for the drawn digit, at full precision (data-p). */
async function probabilities(page: Page): Promise<number[]> {
  const bars = page.getByRole('tabpanel', { name: 'Predict' }).getByRole('list', { name: 'Probability of each digit' }).first();
  await expect(bars.getByRole('listitem')).toHaveCount(10);
  return bars.getByRole('listitem').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-p'))));
}

/** The tensors a safetensors file holds: name → [dtype, shape], read from its header as PyTorch's reader would. */
function header(bytes: Buffer): Record<string, [string, number[]]> {
  const size = Number(bytes.readBigUInt64LE(0));
  const json = JSON.parse(bytes.subarray(8, 8 + size).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
  return Object.fromEntries(Object.entries(json).filter(([k]) => k !== '__metadata__').map(([k, v]) => [k, [v.dtype, v.shape]]));
}

test('the test set stays locked until the run ends, and each look is counted', async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const train = await open(page, hosted.url);
  const panel = page.getByRole('tabpanel', { name: 'Train' });
  const evaluate = panel.getByRole('button', { name: 'Evaluate on the test set' });
  const looks = panel.getByLabel('Test set looks');

  await test.step('paused: locked, and why', async () => {
    await train.choose('MLP', SUBSET, 50, 455);
    await train.setting('seed', '3');
    await train.train.click();
    await expect.poll(() => train.batchPoints(), { timeout: 120_000 }).toBeGreaterThan(0);
    await train.pause.click();
    await train.expectState('Paused');
    await expect(evaluate).toBeDisabled();
    await expect(panel.getByRole('note').filter({ hasText: 'test set is locked' })).toHaveText('The test set is locked until the run ends: stop it or let it finish.');
    await expect(panel.getByText('Seed 3 split the training file: 5,000 images to train on, 455 to validate on.', { exact: false })).toBeVisible();
    await expect(panel.getByText(/peek at the test accuracy while tuning/)).toBeVisible();
    await expect(looks).toHaveText('This run\'s test set has not been looked at yet.');
    await panel.getByRole('region', { name: 'Evaluation' }).screenshot({ path: info.outputPath('test-set-locked.png') });
  });

  await test.step('stopped: open, and every look counted', async () => {
    await train.stop.click();
    await train.expectState('Stopped');
    await expect(evaluate).toBeEnabled();
    await expect(panel.getByRole('note').filter({ hasText: 'test set is locked' })).toHaveCount(0);
    await evaluate.click();
    await expect(train.summary).toHaveAttribute('data-split', 'test', { timeout: 60_000 });
    await expect(looks).toHaveText('This run\'s test set has been looked at once.');
    await evaluate.click();
    await expect(looks).toHaveAttribute('data-looks', '2');
    await expect(looks).toContainText('looked at 2 times. Each look after the first makes its score a little less trustworthy.');
    const runs = join(hosted.dataDir, 'runs');
    const newest = readdirSync(runs).filter((d) => !d.startsWith('.')).sort().at(-1)!;
    expect(JSON.parse(readFileSync(join(runs, newest, 'run.json'), 'utf8')).testEvaluations).toBe(2);
  });

  await test.step('the count survives a reload, and the reason reads in Korean', async () => {
    await page.reload();
    await new EngineHeader(page).expectState('Ready');
    await train.open();
    await expect(looks).toHaveAttribute('data-looks', '2');
    await open(page, hosted.url, 'ko');
    await page.getByRole('tab', { name: '학습' }).click();
    const ko = page.getByRole('tabpanel', { name: '학습' });
    await expect(ko.getByLabel(wordsIn('ko').t('eval.looks.label'))).toHaveText(/테스트 세트를 2번 보았습니다/);
    await ko.getByText('테스트 세트는 왜 잠겨 있나요?').click();
    await expect(ko.getByText(/시드 3가 학습 파일을 나눴습니다: 학습용 5,000개, 검증용 455개/)).toBeVisible();
    await ko.getByRole('region', { name: '평가' }).screenshot({ path: info.outputPath('test-set-ko.png') });
  });
});

test('weights download with their twin, load into a fresh builder model, and predict identically', async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const train = await open(page, hosted.url);
  const predict = new PredictTab(page);
  const build = page.getByRole('tabpanel', { name: 'Build' });
  const weightsInput = build.getByLabel('Weights file (.safetensors)');
  let weightsPath = '';
  let weightsName = '';

  await test.step('train the MLP for an epoch and draw a 1 with it', async () => {
    await train.choose('MLP', SUBSET, 1, 455);
    await train.train.click();
    await train.expectState('Completed');
  });

  await test.step('download the weights and the twin beside them', async () => {
    await train.open();
    const downloads: Promise<import('@playwright/test').Download>[] = [
      page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.safetensors')),
      page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.py')),
    ];
    await page.getByRole('button', { name: 'Download weights (.safetensors)' }).click();
    const [weights, twin] = await Promise.all(downloads);
    weightsName = weights.suggestedFilename();
    expect(weightsName).toMatch(/^MLP-[\w.-]+-last\.safetensors$/);
    weightsPath = info.outputPath(weightsName);
    await weights.saveAs(weightsPath);
    const twinPath = info.outputPath(twin.suggestedFilename());
    await twin.saveAs(twinPath);
    expect(header(readFileSync(weightsPath))).toEqual({
      '1.weight': ['F32', [128, 784]], '1.bias': ['F32', [128]], '3.weight': ['F32', [64, 128]], '3.bias': ['F32', [64]],
      '5.weight': ['F32', [10, 64]], '5.bias': ['F32', [10]],
    });
    const code = readFileSync(twinPath, 'utf8');
    expect(code).toContain(`parser.add_argument("--init", default='${weightsName}'`);
    expect(code).toContain('model.load_state_dict(load_safetensors(args.init))');
    await expect(page.getByRole('status').filter({ hasText: `Saved ${weightsName} and its PyTorch twin` })).toBeVisible();
    await page.getByRole('tabpanel', { name: 'Train' }).getByRole('region', { name: 'Weights' }).screenshot({ path: info.outputPath('weights-downloaded.png') });

    // The best validation epoch's checkpoint: one epoch trained, so it is epoch 1, the same weights as the latest.
    await page.getByRole('tabpanel', { name: 'Train' }).getByRole('region', { name: 'Weights' }).getByLabel('Checkpoint').selectOption('best');
    const best = [
      page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.safetensors')),
      page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.py')),
    ];
    await page.getByRole('button', { name: 'Download weights (.safetensors)' }).click();
    const [bestWeights] = await Promise.all(best);
    expect(bestWeights.suggestedFilename()).toBe(weightsName.replace(/-last\.safetensors$/, '-best-epoch-1.safetensors'));
    const bestPath = info.outputPath(bestWeights.suggestedFilename());
    await bestWeights.saveAs(bestPath);
    expect(readFileSync(bestPath).equals(readFileSync(weightsPath))).toBe(true);
  });

  await test.step('a file for another model, and one that is not safetensors: refused, nothing changes', async () => {
    await page.getByRole('tab', { name: 'Build' }).click();
    await page.getByRole('combobox', { name: 'Presets' }).selectOption('Mnist_Logistic');
    await weightsInput.setInputFiles(weightsPath);
    const alert = build.getByRole('alert');
    await expect(alert).toContainText(`Not loaded: ${weightsName} does not fit Mnist_Logistic:`);
    await expect(alert).toContainText('loadStateDict: missing keys: 0.weight, 0.bias; unexpected keys: 1.weight, 1.bias, 3.weight, 3.bias, 5.weight, 5.bias');
    await build.getByRole('region', { name: 'Weights' }).screenshot({ path: info.outputPath('weights-mismatch.png') });
    await weightsInput.setInputFiles({ name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('these are my notes, not weights') });
    await expect(alert).toContainText('Not loaded: notes.safetensors cannot be loaded: its first 8 bytes say the header is');
    expect(readdirSync(join(hosted.dataDir, 'runs', '.imports'))).toEqual([]);
  });

  await test.step('loaded into a fresh MLP, the weights predict the drawn 1 exactly as the run did', async () => {
    await page.getByRole('combobox', { name: 'Presets' }).selectOption('MLP');
    await weightsInput.setInputFiles(weightsPath);
    const loaded = build.getByRole('status').filter({ hasText: `Loaded ${weightsName} into MLP` });
    await expect(loaded).toContainText(`as the run "MLP from ${weightsName}". Pick it under "Weights of" on the Predict tab.`);
    await build.getByRole('region', { name: 'Weights' }).screenshot({ path: info.outputPath('weights-loaded.png') });
    // One drawing, two runs' weights: the picker asks again for the same pad image (data-run says who answered).
    await predict.open();
    const picker = page.getByRole('combobox', { name: /^Weights of/ });
    await picker.selectOption({ label: `MLP from ${weightsName} (stopped)` });
    const loadedRun = await picker.inputValue();
    await predict.draw(verticalStroke());
    await expect(predict.prediction).toHaveAttribute('data-run', loadedRun);
    const fromFile = await probabilities(page);
    await page.screenshot({ path: info.outputPath('predict-from-file.png'), fullPage: true });
    const trainedRun = await picker.locator('option').filter({ hasText: /^MLP [\d-]+ [\d:]+ \(completed\)$/ }).evaluate((o) => (o as unknown as { value: string }).value);
    await picker.selectOption(trainedRun);
    expect(trainedRun).not.toBe(loadedRun);
    await expect(predict.prediction).toHaveAttribute('data-run', trainedRun);
    expect(await probabilities(page)).toEqual(fromFile);
    expect(Math.max(...fromFile)).toBeGreaterThan(0.5); // a trained model's answer, not the same uniform guess twice
    await page.screenshot({ path: info.outputPath('predict-loaded-weights.png'), fullPage: true });
    // The refusals were the Build tab's to say: the Train tab's run shows no error for them.
    await train.open();
    await expect(page.getByRole('tabpanel', { name: 'Train' }).getByText(/does not fit|cannot be loaded/)).toHaveCount(0);
  });
});
