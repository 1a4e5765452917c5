/**
 * Inside the network, as a learner meets it on the Predict tab of the browser host: LeNet-5 trains an epoch on real
 * MNIST, a digit is drawn, and every layer's output for it appears (one image per conv channel, bars for the dense
 * layers, the softmax at the end). The page's values are checked against the engine's own forward pass run here,
 * in Node, layer by layer, from the run's checkpoint on disk and the very pixels the page sent: each channel's mean,
 * and conv1's canvases read back pixel for pixel. Clicking conv1 shows its 6 filters (checked against the
 * checkpoint), a test image can be picked instead of the drawing (a thumbnail, or any test image by its number), an
 * image of the Evaluate tab's misclassified gallery opens here with "Look inside", and a logistic regression's
 * weights for one digit appear as a 28×28 map. The page then opens again in Korean on the same run, and the drawn
 * digit's layer view and filters are checked the same way: the page objects take their names from the app's i18n
 * catalogue (support/words.ts), so one set of steps serves both languages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { ModelSpec } from '../common/model-spec/types';
import { noGrad } from '../engine/autograd';
import { pixelsToFloat32 } from '../engine/data/transforms';
import { readSafetensors } from '../engine/io/safetensors';
import { buildModel, prepareInput } from '../engine/model-spec/build';
import { Tensor } from '../engine/tensor';
import { colour, scaleOf } from '../src-renderer/src/features/inside/inside-logic';
import { SUBSET, TEST_IMAGES } from './support/mnist-data';
import { testWithMnistHost } from './support/mnist-host';
import { PredictTab, TrainTab, verticalStroke } from './support/train-predict-pages';
import { wordsIn, type Words } from './support/words';

const test = testWithMnistHost('inside', { nice: 10 });

/** The run's model from its checkpoint on disk, as the engine builds it. */
function loadRun(dataDir: string, runId: string) {
  const dir = join(dataDir, 'runs', runId);
  const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as ModelSpec;
  const weights = readSafetensors(readFileSync(join(dir, 'weights.safetensors'))).tensors;
  const model = buildModel(spec);
  model.loadStateDict(weights);
  model.eval();
  return { spec, model, weights };
}

/** Each layer's output for these pixels, running the model's layers one by one in the engine. */
function engineLayers(dataDir: string, runId: string, pixels: number[]): Float32Array[] {
  const { spec, model } = loadRun(dataDir, runId);
  const normalize = { none: 'none', scale: 'scale', standardize: 'mnist' } as const;
  let h = prepareInput(spec, new Tensor(pixelsToFloat32(pixels, normalize[spec.data.normalize]), [1, 1, 28, 28]));
  const outputs: Float32Array[] = [];
  noGrad(() => {
    for (const layer of model.children()) outputs.push(Float32Array.from((h = layer.forward(h) as Tensor).data));
  });
  return outputs;
}

function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** The bits of a canvas the readback needs (the node-side tsconfig has no DOM types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

/** On a loaded machine the engine host can miss its first hello deadline and be restarted: wait for it. */
async function engineReady(page: Page, words: Words): Promise<void> {
  await expect(page.getByRole('status', { name: words.t('engine.status.label') })).toContainText(words.t('engine.state.ready'), { timeout: 120_000 });
}

/** The layer view, found by its names in the page's language (the app's own catalogue: e2e/support/words.ts). */
class InsideView {
  readonly region: Locator;
  readonly layers: Locator;
  constructor(readonly page: Page, readonly words: Words) {
    this.region = page.getByRole('region', { name: words.t('inside.title') });
    this.layers = this.region.getByRole('group', { name: words.pattern('inside.layer') });
  }
  layer(name: string, op: string): Locator {
    return this.region.getByRole('group', { name: this.words.t('inside.layer', { name, op }) });
  }
  /** The images of one channel each of layer `name`. */
  channels(name: string, op: string): Locator {
    return this.layer(name, op).getByRole('img', { name: this.words.pattern('inside.channel', { layer: name }) });
  }
  async pixels(): Promise<number[]> {
    return (await this.region.getAttribute('data-pixels'))!.split(',').map(Number);
  }
  /** fc3's values as the page shows them. */
  async logits(): Promise<number[]> {
    return (await this.layer('fc3', 'Linear').getByRole('img').getAttribute('data-values'))!.split(' ').map(Number);
  }
  /** The grey levels (red channel) of every canvas inside `images`, in order. */
  async canvasLevels(images: Locator): Promise<number[][]> {
    return images.locator('canvas').evaluateAll((canvases) => canvases.map((c) => {
      const canvas = c as unknown as CanvasLike;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      return Array.from({ length: data.length / 4 }, (_, i) => data[i * 4]);
    }));
  }
}
/** fc3's values on the page are the engine's for the pixels the page sent. */
async function expectEngineOutput(inside: InsideView, dataDir: string, runId: string): Promise<void> {
  // Retried as a whole: right after a switch of image the new pixels can show a frame before their logits do (one
  // run under load read the last image's logits beside the new pixels), and each try reads both afresh.
  await expect(async () => {
    const expected = engineLayers(dataDir, runId, await inside.pixels());
    const shown = await inside.logits();
    expect(shown).toHaveLength(10);
    shown.forEach((v, j) => expect(Math.abs(v - expected.at(-1)![j])).toBeLessThan(1e-4 * (1 + Math.abs(v))));
  }).toPass({ timeout: 15_000 });
}

/** Trains `preset` for an epoch on the subset, from the builder, as a learner would. */
async function trainEpoch(page: Page, preset: string): Promise<void> {
  const train = new TrainTab(page);
  await train.choose(preset, SUBSET, 1, 455);
  await train.train.click();
  await train.expectState('Completed');
}

/** Draws a 1 on the Predict pad; the id of the run that answered. */
async function drawDigit(page: Page, words: Words): Promise<string> {
  const predict = new PredictTab(page, words.locale);
  await predict.open();
  await predict.draw(verticalStroke());
  await expect(predict.prediction).toHaveText(/\d/);
  return (await predict.prediction.getAttribute('data-run'))!;
}

/**
 * What #16 asks of the layer view, in the page's language: for the digit drawn, one image per conv channel, every
 * value the engine's forward pass for the pixels the page sent, and conv1's filters on click. `runId` is the
 * LeNet-5 run the pad answered with. Screenshots inside-lenet[-ko].png and inside-lenet-filters[-ko].png.
 */
async function expectLayerView(page: Page, w: Words, dataDir: string, runId: string, info: TestInfo): Promise<void> {
  const suffix = w.locale === 'en' ? '' : `-${w.locale}`;
  const predict = new PredictTab(page, w.locale);
  const inside = new InsideView(page, w);

  await test.step(`[${w.locale}] every layer is shown: one image per channel for conv and pool layers, bars for dense ones`, async () => {
    await expect(inside.layers).toHaveCount(12);
    await expect(inside.channels('conv1', 'Conv2d')).toHaveCount(6);
    await expect(inside.channels('pool1', 'MaxPool2d')).toHaveCount(6);
    await expect(inside.channels('conv2', 'Conv2d')).toHaveCount(16);
    await expect(inside.channels('pool2', 'MaxPool2d')).toHaveCount(16);
    await expect(inside.layer('fc1', 'Linear').getByRole('img', { name: w.t('inside.units', { layer: 'fc1', n: 120 }) })).toBeVisible();
    await expect(inside.region.getByRole('group', { name: w.t('inside.softmax') }).getByRole('listitem')).toHaveCount(10);
    await expect(inside.region).toHaveAttribute('data-predicted', (await predict.prediction.textContent())!);
  });

  await test.step(`[${w.locale}] the values shown are the engine's forward pass for the pixels the page sent`, async () => {
    const pixels = await inside.pixels();
    expect(pixels).toHaveLength(784);
    const expected = engineLayers(dataDir, runId, pixels);
    const groups = await inside.layers.all();
    expect(groups).toHaveLength(expected.length);
    for (const [i, group] of groups.entries()) {
      const kind = await group.getAttribute('data-kind');
      if (kind === 'maps') {
        const means = (await group.getByRole('img').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-mean')))));
        const size = expected[i].length / means.length;
        means.forEach((m, c) => expect(Math.abs(m - meanOf(expected[i].subarray(c * size, (c + 1) * size)))).toBeLessThan(1e-4));
      } else {
        const shown = (await group.getByRole('img').getAttribute('data-values'))!.split(' ').map(Number);
        expect(shown).toHaveLength(Math.min(128, expected[i].length));
        shown.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(1e-4 * (1 + Math.abs(v))));
      }
    }
    // conv1's six canvases, read back: every pixel is the engine's value on the layer's colour scale (±1 level).
    const levels = await inside.canvasLevels(inside.layer('conv1', 'Conv2d'));
    const scale = scaleOf(expected[0]);
    let off = 0;
    levels.forEach((plane, c) => plane.forEach((level, j) => {
      if (Math.abs(level - colour(expected[0][c * 784 + j], scale)[0]) > 1) off++;
    }));
    expect(levels.map((p) => p.length)).toEqual([784, 784, 784, 784, 784, 784]);
    expect(off).toBe(0);
    await predict.panel.screenshot({ path: info.outputPath(`inside-lenet${suffix}.png`) });
  });

  await test.step(`[${w.locale}] clicking conv1 shows its 6 filters, the checkpoint's weights`, async () => {
    await inside.layer('conv1', 'Conv2d').getByRole('button', { name: /conv1/ }).click();
    const weights = inside.region.getByRole('region', { name: w.t('inside.weightsOf', { layer: 'conv1' }) });
    const filters = weights.getByRole('img', { name: w.pattern('inside.filter', { layer: 'conv1' }) });
    await expect(filters).toHaveCount(6);
    const { weights: saved } = loadRun(dataDir, runId);
    const weight = saved['0.weight'].data;
    const means = await filters.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-mean'))));
    means.forEach((m, o) => expect(m).toBeCloseTo(meanOf(weight.subarray(o * 25, (o + 1) * 25)), 6));
    await weights.screenshot({ path: info.outputPath(`inside-lenet-filters${suffix}.png`) });
    // Closed again, so a later look starts from the layers alone.
    await inside.layer('conv1', 'Conv2d').getByRole('button', { name: /conv1/ }).click();
    await expect(weights).toHaveCount(0);
  });
}

test('inside LeNet-5 for a drawn digit: one image per conv channel, values the engine computes, filters on click, in English and Korean', async ({ page, hosted }, info) => {
  test.setTimeout(600_000);
  const en = wordsIn('en');
  await page.goto(`${hosted.url}&lang=en`);
  await engineReady(page, en);
  const train = new TrainTab(page);
  const predict = new PredictTab(page);
  const inside = new InsideView(page, en);

  await test.step('train LeNet-5 for an epoch', () => trainEpoch(page, 'LeNet-5'));
  const runId = await drawDigit(page, en);
  await expectLayerView(page, en, hosted.dataDir, runId, info);

  await test.step('a test image can be looked inside instead of the drawing', async () => {
    const drawn = await inside.pixels();
    const picks = inside.region.getByRole('radio', { name: en.pattern('inside.testImage') });
    await expect(picks).toHaveCount(12);
    await picks.nth(2).click();
    await expect.poll(async () => (await inside.pixels()).join(',')).not.toBe(drawn.join(','));
    await expectEngineOutput(inside, hosted.dataDir, runId);
  });

  await test.step('any test image can be looked inside by its number', async () => {
    const before = (await inside.pixels()).join(',');
    const number = inside.region.getByRole('spinbutton', { name: en.t('inside.pickIndex') });
    // The run's dataset's own test split: the subset holds 2,000 test images, not MNIST's 10,000.
    await expect(number).toHaveAttribute('max', String(TEST_IMAGES - 1));
    await expect(inside.region.getByText(en.t('inside.pickRange', { max: TEST_IMAGES - 1 }), { exact: true })).toBeVisible();
    await number.fill('1234');
    await inside.region.getByRole('button', { name: en.t('inside.pickShow'), exact: true }).click();
    await expect(inside.region).toHaveAttribute('data-image', 'test:1234');
    await expect(inside.region.getByText(en.pattern('inside.showingTest', { index: 1234 }))).toBeVisible();
    await expect.poll(async () => (await inside.pixels()).join(',')).not.toBe(before);
    await expectEngineOutput(inside, hosted.dataDir, runId);
  });

  const trainPanel = page.getByRole('tabpanel', { name: 'Train' });
  let lookedAt = '';
  await test.step('"Look inside" on a misclassified test image opens it in the layer view', async () => {
    await train.open();
    await trainPanel.getByRole('button', { name: 'Evaluate on the test set' }).click();
    await expect(trainPanel.getByLabel('Evaluation summary')).toHaveAttribute('data-split', 'test', { timeout: 60_000 });
    await trainPanel.getByRole('button', { name: 'Show misclassified examples' }).click();
    const gallery = trainPanel.getByRole('region', { name: 'Misclassified, most confident first' });
    const look = gallery.getByRole('button', { name: /^Look inside the network with image \d+$/ });
    await expect(look.first()).toBeVisible({ timeout: 60_000 });
    await gallery.screenshot({ path: info.outputPath('inside-gallery.png') });
    const samples = Number(await trainPanel.getByLabel('Evaluation summary').getAttribute('data-samples'));
    lookedAt = (await look.nth(1).getAttribute('data-index'))!;
    await look.nth(1).click();
    await expect(page.getByRole('tab', { name: 'Predict' })).toHaveAttribute('aria-selected', 'true');
    await expect(inside.region).toHaveAttribute('data-image', `test:${lookedAt}`);
    await expect(inside.region.getByText(en.pattern('inside.showingTest', { index: lookedAt }))).toBeVisible();
    await expectEngineOutput(inside, hosted.dataDir, runId);
    expect(Number(lookedAt)).toBeLessThan(samples);
    await predict.panel.screenshot({ path: info.outputPath('inside-from-gallery.png') });
  });

  await test.step('the same layer view in Korean, for the same run from disk (no training again)', async () => {
    const ko = wordsIn('ko');
    await page.goto(`${hosted.url}&lang=ko`);
    await engineReady(page, ko);
    expect(await drawDigit(page, ko)).toBe(runId);
    await expectLayerView(page, ko, hosted.dataDir, runId, info);
  });
});

test("a logistic regression's weights for one digit are a 28×28 map", async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  const en = wordsIn('en');
  await page.goto(`${hosted.url}&lang=en`);
  await engineReady(page, en);
  const predict = new PredictTab(page);
  const inside = new InsideView(page, en);
  await trainEpoch(page, 'Mnist_Logistic');
  const runId = await drawDigit(page, en);
  await expect(inside.layers).toHaveCount(1);
  await inside.layer('fc1', 'Linear').getByRole('button', { name: /fc1/ }).click();
  const weights = inside.region.getByRole('region', { name: en.t('inside.weightsOf', { layer: 'fc1' }) });
  await weights.getByRole('combobox', { name: 'Output' }).selectOption('3');
  const map = weights.getByRole('img', { name: 'fc1 weights for output 3' });
  await expect(map).toBeVisible();
  const levels = await inside.canvasLevels(map);
  expect(levels[0]).toHaveLength(784);
  const w = loadRun(hosted.dataDir, runId).weights['0.weight'].data;
  expect(Number(await map.getAttribute('data-mean'))).toBeCloseTo(meanOf(w.subarray(3 * 784, 4 * 784)), 6);
  await predict.panel.screenshot({ path: info.outputPath('inside-logistic.png') });
});
