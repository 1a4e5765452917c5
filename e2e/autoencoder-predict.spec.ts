/**
 * The Autoencoder preset as a learner meets it in the browser host (#18): trained an epoch on real MNIST, its Train
 * tab shows the loss alone (no accuracy chart), the test evaluation its loss, and the Predict tab the network's
 * redrawing of the learner's digit beside the 28×28 input, no class bars; then the same in Korean.
 */
import { expect, type Locator } from '@playwright/test';
import { testWithMnistHost } from './support/mnist-host';
import { EngineHeader } from './support/engine-header';
import { SUBSET } from './support/mnist-data';
import { oval, PredictTab, TrainTab } from './support/train-predict-pages';

const test = testWithMnistHost('autoenc', { nice: 10 });

/** The bit of a canvas this test reads (the node-side tsconfig has no DOM types). */
interface CanvasLike { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }

/** A 28×28 image on the page (PixelImage's canvas) as 784 grey values 0…255. */
const greys = (image: Locator): Promise<number[]> =>
  image.locator('canvas').evaluate((canvas) =>
    Array.from((canvas as unknown as CanvasLike).getContext('2d').getImageData(0, 0, 28, 28).data).filter((_, i) => i % 4 === 0));

/** Pearson correlation: how much the redrawn image follows the input, pixel for pixel. */
function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0, aa = 0, bb = 0;
  a.forEach((x, i) => { ab += (x - ma) * (b[i] - mb); aa += (x - ma) ** 2; bb += (b[i] - mb) ** 2; });
  return ab / Math.sqrt(aa * bb);
}

test('the Autoencoder trains with its loss alone, and Predict shows its redrawing of the drawn digit, in English and Korean', async ({ page, hosted: { url } }, info) => {
  test.setTimeout(900_000);
  await page.goto(`${url}&lang=en`);
  // A loaded machine may make the engine host's first hello late (the supervisor then restarts it): wait it out.
  await expect(new EngineHeader(page).status).toContainText('Ready', { timeout: 180_000 });
  const train = new TrainTab(page);
  const predict = new PredictTab(page);
  const panel = page.getByRole('tabpanel', { name: 'Train' });

  await test.step('train the Autoencoder for an epoch: a loss chart, no accuracy chart', async () => {
    await train.choose('Autoencoder', SUBSET, 1, 455);
    await train.train.click();
    await expect(train.state).toHaveText('Completed', { timeout: 600_000 });
    await expect(train.lossChart).toBeVisible();
    await expect(panel.getByRole('img', { name: 'Accuracy', exact: true })).toHaveCount(0);
    await expect(panel.getByRole('button', { name: 'Accuracy PNG' })).toHaveCount(0);
  });

  await test.step('the test evaluation reports the loss, and no accuracy or confusion matrix', async () => {
    await panel.getByRole('button', { name: 'Evaluate on the test set' }).click();
    await expect(train.summary).toHaveText(/^Test loss 0\.0\d+ on 2000 images: how far the redrawn images are from the originals/);
    await expect(panel.getByRole('button', { name: 'Show the confusion matrix' })).toHaveCount(0);
  });

  const answer = page.getByRole('region', { name: 'The network redraws your drawing' });
  await test.step('draw a 0: the redrawn image stands beside the input, and follows it', async () => {
    await predict.open();
    await predict.draw(oval());
    await expect(answer).toBeVisible();
    await expect(predict.prediction).toHaveCount(0);
    await expect(page.getByLabel('Probability of each digit')).toHaveCount(0);
    const input = answer.getByRole('img', { name: 'The input the network was given' });
    const output = answer.getByRole('img', { name: 'The image the network drew back' });
    const [a, b] = [await greys(input), await greys(output)];
    const r = correlation(a, b);
    const mse = Number(await answer.getByLabel('Reconstruction error').getAttribute('data-mse'));
    console.log(`autoencoder after one epoch on ${SUBSET}: the drawn 0 redrawn with correlation ${r.toFixed(3)}, MSE ${mse.toFixed(4)}`);
    expect(r).toBeGreaterThan(0.5);
    expect(mse).toBeLessThan(0.1);
    await page.screenshot({ path: info.outputPath('autoencoder-predict-en.png'), fullPage: false });
  });

  await test.step('the same in Korean', async () => {
    await page.goto(`${url}&lang=ko`);
    const koreanPad = new PredictTab(page, 'ko'); // the pad's accessible name is Korean too
    await koreanPad.open();
    await koreanPad.draw(oval());
    const korean = page.getByRole('region', { name: '신경망이 그림을 다시 그립니다' });
    await expect(korean).toBeVisible();
    await expect(korean.getByRole('img', { name: '신경망이 다시 그린 이미지' })).toBeVisible();
    await expect(korean.getByLabel('재구성 오차')).toHaveText(/^평균 제곱 차이: 0\.\d{4}/);
    await page.screenshot({ path: info.outputPath('autoencoder-predict-ko.png'), fullPage: false });
  });
});
