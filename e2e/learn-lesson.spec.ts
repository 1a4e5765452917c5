/**
 * The Learn tab's lesson, "What is torch.nn really?", end to end in English and Korean through the built browser
 * host, its engine host and real MNIST served from loopback: every step from the data to the CNN runs in the
 * engine; step 2's loss before training reads 2.3 ± 0.1 (ln 10) and its accuracy 10 ± 3%; step 4's F.cross_entropy
 * loss is step 3's; every step's "Open in builder" gives a model the Train button accepts. The page asks for 20
 * batches an epoch (?lessonBatches=20, a test setting) to keep the run short; the last test runs the tutorial's
 * whole epoch and stops it half-way. Screenshots go to test-results/learn-*.png.
 */
import { expect } from '@playwright/test';
import { testWithMnistHost } from './support/mnist-host';
import { LearnTab, type LessonLocale } from './support/learn-page';

const test = testWithMnistHost('learn');

test.describe.configure({ mode: 'serial' });

for (const locale of ['en', 'ko'] as LessonLocale[]) {
  test(`the lesson runs from the data to the CNN, in ${locale}`, async ({ page, hosted }) => {
    test.setTimeout(900_000);
    await page.setViewportSize({ width: 1500, height: 1000 });
    const learn = new LearnTab(page, locale);

    await test.step('open the Learn tab', async () => {
      await page.goto(`${hosted.url}&lang=${locale}&lessonBatches=20`);
      await learn.open();
    });

    await test.step('1. the data: 50,000 images of 784 pixels, labels 0 to 9, a few shown', async () => {
      await learn.select(1);
      await learn.run();
      expect(await learn.text('x-train-shape')).toBe('torch.Size([50000, 784])');
      expect(await learn.text('y-train-range')).toBe('tensor(0) tensor(9)');
      await expect(learn.panel.locator('canvas')).toHaveCount(8);
      await learn.expectTrainableInBuilder('LogSoftmax');
    });

    await test.step('2. from scratch: loss ≈ ln 10 and accuracy ≈ 10% before training', async () => {
      await learn.select(2);
      await learn.run();
      const loss = await learn.value('loss-before');
      const accuracy = await learn.value('accuracy-before');
      expect(Math.abs(loss - 2.3)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(accuracy * 100 - 10)).toBeLessThanOrEqual(3);
      expect(await learn.value('ln-10')).toBeCloseTo(Math.log(10), 4);
      await page.screenshot({ path: `test-results/learn-step2-${locale}.png`, fullPage: true });
      await learn.expectTrainableInBuilder('LogSoftmax');
    });

    let step3Loss = '';
    await test.step('3. the training loop by hand lowers the loss', async () => {
      await learn.select(3);
      await learn.run();
      step3Loss = await learn.text('loss-after');
      expect(await learn.value('loss-after')).toBeLessThan(1.5);
      await learn.expectTrainableInBuilder('LogSoftmax');
    });

    await test.step("4. F.cross_entropy gives step 3's loss on step 3's weights", async () => {
      await learn.select(4);
      await learn.run();
      expect(await learn.text('loss-after')).toBe(step3Loss);
      expect(await learn.text('loss-by-hand')).toBe(step3Loss);
      await learn.expectTrainableInBuilder('Linear');
    });

    for (const [n, prints] of [[5, ['parameter-loss-after', 'linear-loss-after']], [6, ['loss-after']], [7, ['logistic-valid-1']]] as const) {
      await test.step(`${n}. trains and prints its losses`, async () => {
        await learn.select(n);
        await learn.run();
        for (const id of prints) expect(await learn.value(id)).toBeLessThan(2.3);
        await learn.expectTrainableInBuilder('Linear');
      });
    }

    await test.step('8. Mnist_CNN and nn.Sequential: the loop part running is highlighted, then the same numbers', async () => {
      await learn.select(8);
      await learn.button('run').click();
      await expect(learn.progress).toBeVisible();
      await expect(learn.currentPhase).toHaveCount(1);
      await page.screenshot({ path: `test-results/learn-cnn-running-${locale}.png`, fullPage: true });
      await expect(learn.button('again')).toBeVisible({ timeout: 600_000 });
      expect(await learn.text('sequential-valid-1')).toBe(await learn.text('cnn-valid-1'));
      await page.screenshot({ path: `test-results/learn-cnn-${locale}.png`, fullPage: true });
      await learn.expectTrainableInBuilder('Conv2d');
    });
  });
}

test("the tutorial's whole epoch shows its progress and stops when asked", async ({ page, hosted }) => {
  test.setTimeout(300_000);
  const learn = new LearnTab(page, 'en');
  await page.goto(`${hosted.url}&lang=en`);
  await learn.open();
  await learn.select(3);
  await learn.button('run').click();
  // Step 3 needs step 2's weights: the engine runs it first, then the loop over 782 batches an epoch.
  await expect(learn.progress).toContainText('of 782');
  await expect(learn.currentPhase).toHaveCount(1);
  await learn.button('stop').click();
  await expect(learn.panel.getByRole('status').filter({ hasText: learn.words.stopped })).toBeVisible({ timeout: 60_000 });
  await expect(learn.button('again')).toBeEnabled();
});
