/**
 * A Korean learner on a machine without the datasets meets the host's errors, and reads each in Korean, by real
 * clicks against the browser host: a download with no mirror to reach and a picked file that is no IDX file (main's
 * datasets service, on the Data tab's cards), a model whose Input does not fit an imported dataset's images (the
 * engine host, on the Train tab), and Predict asking the run that failed for weights it never saved. Screenshots
 * (korean-data-errors.png, korean-train-error.png, korean-predict-error.png) go to the test's output for a person.
 * Last, main's projects service refuses a save whose file another project holds (korean-project-error.png).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { writeIdx } from '../common/idx';
import { deadUrl } from './support/dead-url';
import { PredictTab, verticalStroke } from './support/train-predict-pages';
import { startHost, stopHost } from './support/web-host';
import { wordsIn } from './support/words';

const test = base.extend<{}, { hosted: { url: string } }>({
  hosted: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-korean-errors-e2e-'));
      // Nothing listens at either dataset's mirror: this machine is offline.
      const host = await startHost(dataDir, { LAYERLAB_MIRRORS: `mnist=${await deadUrl()},fashion-mnist=${await deadUrl()}` });
      try {
        await use({ url: host.url });
      } finally {
        await stopHost(host);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

const ko = wordsIn('ko');
/** No English sentence left around the words that come as they are (file names, IDX's own message). */
const ENGLISH = /Could not|mirror|Pick the|images are|Input takes|has no checkpoint|The engine/;

test("in Korean, the datasets service's and the engine's errors read in Korean", async ({ page, hosted }, info) => {
  test.setTimeout(180_000);
  await page.goto(`${hosted.url}&lang=ko`);
  await expect(page.locator('header p[data-state]')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.getByRole('tab', { name: ko.t('tab.data') }).click();
  const mnist = page.getByRole('region', { name: 'MNIST', exact: true });
  const fashion = page.getByRole('region', { name: 'Fashion-MNIST', exact: true });

  await test.step('a custom dataset of 4×4 images is imported, to train on later', async () => {
    const images = writeIdx({ shape: [30, 4, 4], data: Uint8Array.from({ length: 30 * 16 }, (_, i) => (i * 37) % 256) });
    const labels = writeIdx({ shape: [30], data: Uint8Array.from({ length: 30 }, (_, i) => i % 3) });
    const chooser = page.waitForEvent('filechooser');
    await mnist.getByRole('button', { name: ko.t('data.action.import'), exact: true }).click();
    await (await chooser).setFiles([
      { name: 'shapes-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from(images) },
      { name: 'shapes-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from(labels) },
    ]);
    await expect(page.getByRole('region', { name: 'custom', exact: true })).toBeVisible({ timeout: 45_000 });
  });

  await test.step('a download with no mirror to reach, and a picked file that is no IDX file: both in Korean', async () => {
    await fashion.getByRole('button', { name: ko.t('data.action.download'), exact: true }).click();
    const files = 'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz';
    await expect(fashion.getByRole('alert').locator(':scope > p')).toHaveText(
      'Fashion-MNIST 옷 이미지을(를) 내려받지 못했습니다: 미러 1곳에 연결하지 못했습니다. '
        + `이 컴퓨터가 오프라인이라면 가져오기로 디스크에서 IDX 파일 네 개(${files})를 불러오세요.`,
      { timeout: 60_000 },
    );

    const chooser = page.waitForEvent('filechooser');
    await mnist.getByRole('button', { name: ko.t('data.action.import'), exact: true }).click();
    await (await chooser).setFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, these are my notes') }]);
    // IDX's own words (the file, its first bytes) come as they are, inside the Korean sentence.
    await expect(mnist.getByRole('alert')).toHaveText(
      'IDX notes.txt: bad magic: first two bytes must be 0x00 0x00, got 0x68 0x65. IDX 파일을 고르세요(예: train-images-idx3-ubyte.gz).',
      { timeout: 45_000 },
    );
    // The mirror's own answer waits behind Details, as it came.
    await fashion.getByText(ko.t('data.error.details')).click();
    await expect(fashion.locator('.detail')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/gone\/: ECONNREFUSED$/);
    await expect(fashion.getByRole('alert').locator(':scope > p')).not.toContainText(ENGLISH);
    await page.getByRole('tabpanel', { name: ko.t('tab.data') }).screenshot({ path: info.outputPath('korean-data-errors.png') });
  });

  const train = page.getByRole('tabpanel', { name: ko.t('tab.train') });
  await test.step("a model whose Input does not fit the imported images is refused by the engine, in Korean", async () => {
    await page.getByRole('tab', { name: ko.t('tab.train') }).click();
    await train.getByRole('combobox', { name: ko.t('train.model') }).selectOption('Mnist_Logistic');
    await train.getByRole('combobox', { name: ko.t('train.dataset') }).selectOption('custom');
    await train.getByRole('button', { name: ko.t('train.start'), exact: true }).click();
    const error = train.locator('p.error[role=alert]');
    await expect(error).toHaveText(/^custom 이미지는 4×4\(16개 값\)인데 모델의 Input은 \[784\]을\(를\) 받습니다\. Input 모양을 바꾸세요$/, { timeout: 60_000 });
    // The failed run's reason, read back from its run.json's codes, says the same.
    await expect(train.locator('p.reason')).toHaveText(await error.innerText());
    await train.locator('.training').first().screenshot({ path: info.outputPath('korean-train-error.png') });
  });

  await test.step('Predict, asked for the failed run that saved no weights, says so in Korean', async () => {
    const predict = new PredictTab(page, 'ko');
    await predict.open();
    const picker = predict.panel.getByLabel(ko.t('predict.run'));
    const failed = picker.getByRole('option').filter({ hasText: 'Mnist_Logistic' });
    await expect(failed).toHaveCount(1);
    await picker.selectOption({ label: (await failed.innerText()).trim() });
    await predict.draw(verticalStroke());
    const error = predict.panel.getByRole('alert');
    await expect(error).toHaveText(/^실행 \S+에는 최신 가중치의 체크포인트가 없습니다$/, { timeout: 45_000 });
    await predict.panel.locator('section.answer').screenshot({ path: info.outputPath('korean-predict-error.png') });
  });

  await test.step("a project saved under a name whose file another project holds is refused by main, in Korean", async () => {
    await page.getByRole('tab', { name: ko.t('tab.build') }).click();
    const bar = page.locator('.bar').filter({ has: page.getByRole('button', { name: ko.t('builder.project.save'), exact: true }) });
    const name = bar.getByRole('textbox', { name: ko.t('builder.project.name'), exact: true });
    const save = bar.getByRole('button', { name: ko.t('builder.project.save'), exact: true });
    await name.fill('a/b');
    await name.press('Enter');
    await save.click();
    await expect(bar.getByRole('status')).toContainText('a/b');
    await name.fill('a?b'); // the same file name, a_b.layerlab.json
    await name.press('Enter');
    await save.click();
    await expect(bar.getByRole('alert')).toHaveText(
      '저장하지 못했습니다: "a?b"은(는) a_b.layerlab.json(으)로 저장되는데, 그 파일에는 프로젝트 "a/b"이(가) 있습니다. 다른 이름을 고르거나 "a/b"을(를) 열어 저장하세요.',
    );
    await bar.screenshot({ path: info.outputPath('korean-project-error.png') });
  });
});
