/**
 * Inside the network, over training (#16.3), as a learner meets it in the browser host with the real engine host
 * and real MNIST (a 5,000-image subset served from loopback):
 * - LeNet-5 trains an epoch, and the Train tab shows a small multiple per layer (norm sparklines, histograms of
 *   weights, gradients and outputs); a reload shows them again, from the run's stored samples;
 * - a deliberately bad model, six Linear + Sigmoid layers at lr 1e-6 (opened from a project file, as a learner
 *   would open one they saved), is flagged as vanishing gradients with what to try, in English and in Korean (the
 *   sign found by its catalogue wording in each language, support/words.ts).
 * Screenshots go to test-results/layer-stats-*.png.
 */
import { expect, type Page } from '@playwright/test';
import { DEFAULT_RUN, makeProject } from '../common/project';
import { chainSpec } from '../common/model-spec/presets';
import type { OpName, Params } from '../common/model-spec/types';
import { testWithMnistHost } from './support/mnist-host';
import { BuilderPage } from './support/builder-page';
import { EngineHeader } from './support/engine-header';
import { SUBSET } from './support/mnist-data';
import { TrainTab } from './support/train-predict-pages';
import { wordsIn, type Words } from './support/words';

const test = testWithMnistHost('layer-stats', { nice: 10 });

/** The Train tab's layer statistics, by their name in the page's language. */
const statsRegion = (page: Page, words: Words) =>
  page.getByRole('tabpanel', { name: words.t('tab.train') }).getByRole('region', { name: words.t('layers.heading') });

/** The warning sign that sigmoid ×6's gradients vanish between its first and last Linear, in the page's language. */
const vanishing = (page: Page, words: Words) => statsRegion(page, words).getByRole('list', { name: words.t('layers.signs') })
  .getByText(words.pattern('layers.flag.vanishing', { layer: '1 (Linear)', other: '13 (Linear)' }));

test.describe.configure({ mode: 'serial' });

/** Six hidden Linear(·, 64) + Sigmoid layers and Linear(64, 10), SGD at lr 1e-6: gradients vanish on the way back. */
function sigmoidSix() {
  const hidden: [OpName, Params][] = [];
  for (let i = 0; i < 6; i++) hidden.push(['Linear', { inFeatures: i === 0 ? 784 : 64, outFeatures: 64 }], ['Sigmoid', {}]);
  return chainSpec({
    name: 'Sigmoid-6', description: 'Six sigmoid layers at a tiny learning rate', inputShape: [1, 28, 28],
    layers: [['Flatten'], ...hidden, ['Linear', { inFeatures: 64, outFeatures: 10 }]],
    optimizer: { type: 'SGD', params: { lr: 1e-6 } },
    data: { validationSize: 500 },
  });
}

test('LeNet-5 shows its layers over training; sigmoid ×6 at a tiny learning rate is flagged as vanishing gradients', async ({ page, hosted }) => {
  test.setTimeout(600_000);
  const header = new EngineHeader(page);
  const train = new TrainTab(page);
  const en = wordsIn('en');
  const panel = page.getByRole('tabpanel', { name: en.t('tab.train') });
  const inside = statsRegion(page, en);

  await test.step('train LeNet-5 an epoch: every layer gets its norms and histograms', async () => {
    await page.goto(`${hosted.url}&lang=en`);
    await header.expectState('Ready');
    await train.choose('LeNet-5', SUBSET, 1, 500);
    await train.train.click();
    // The first batch is sampled: the picture at initialisation comes at once.
    const conv1 = inside.getByRole('article', { name: '0 (Conv2d)' });
    await expect(conv1).toBeVisible({ timeout: 120_000 });
    await expect(conv1.getByRole('img', { name: /^weights: / })).toBeVisible();
    await expect(conv1.getByRole('img', { name: /^gradients: / })).toBeVisible();
    await expect(conv1.getByRole('img', { name: /^outputs: / })).toBeVisible();
    await expect(conv1.getByRole('img', { name: /^gradient norm: \d/ })).toBeVisible();
    await expect(inside.getByRole('article', { name: '1 (ReLU)' }).getByText(/% of units dead$/)).toBeVisible();
    await expect(inside.getByRole('article')).toHaveCount(12); // conv, relu, pool ×2, flatten, fc, relu, fc, relu, fc
    await train.expectState('Completed');
    // More than one sample by the end: the sparklines are lines, and the latest sample is past the first batch.
    await expect(conv1.locator('polyline')).toHaveCount(3);
    await expect(inside.getByText(/Latest sample: step \d+, epoch 1\./)).not.toHaveText(/step 1,/);
    await expect(inside.getByText('Vanishing gradients', { exact: false })).toHaveCount(0);
    await inside.screenshot({ path: 'test-results/layer-stats-lenet.png' });
  });

  await test.step('a reload shows the run\'s layers again, from its stored samples', async () => {
    const latest = await inside.getByText(/Latest sample: step \d+/).textContent();
    await page.reload();
    await header.expectState('Ready');
    await train.open();
    await expect(inside.getByText(latest!, { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(inside.getByRole('article', { name: '0 (Conv2d)' }).locator('polyline')).toHaveCount(3);
  });

  await test.step('open the sigmoid ×6 project and train it: vanishing gradients, in plain words, with a fix', async () => {
    const builder = new BuilderPage(page);
    await page.getByRole('tab', { name: 'Build' }).click();
    await builder.upload('sigmoid-6.layerlab.json', JSON.stringify(makeProject(sigmoidSix(), { ...DEFAULT_RUN, epochs: 1 })));
    await train.open();
    await panel.getByLabel('Model', { exact: true }).selectOption({ label: 'From the builder: Sigmoid-6' });
    await panel.getByLabel('Dataset', { exact: true }).selectOption(SUBSET);
    await train.train.click();
    await expect(vanishing(page, en)).toBeVisible({ timeout: 120_000 });
    const signs = inside.getByRole('list', { name: en.t('layers.signs') });
    await expect(signs.getByText(/^Try: ReLU instead of sigmoid or tanh, Kaiming \(He\) initialisation, BatchNorm/).first()).toBeVisible();
    await expect(signs.getByText(/^Tiny steps: /)).toBeVisible();
    await train.expectState('Completed');
    await inside.screenshot({ path: 'test-results/layer-stats-sigmoid6.png' });
  });

  await test.step('the same signs in Korean', async () => {
    const ko = wordsIn('ko');
    await page.goto(`${hosted.url}&lang=ko`);
    await page.getByRole('tab', { name: ko.t('tab.train') }).click();
    await expect(vanishing(page, ko)).toBeVisible({ timeout: 30_000 });
    await statsRegion(page, ko).screenshot({ path: 'test-results/layer-stats-sigmoid6-ko.png' });
  });
});
