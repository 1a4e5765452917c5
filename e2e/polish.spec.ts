/**
 * The polish a learner notices (#15.3), through the built browser host: the header says the device in plain words
 * with the backends behind Details; the theme picker's choice survives a reload and re-colours the live charts;
 * Korean renders in the bundled Noto Sans KR (loaded, not merely declared); the twin shows the model first with the
 * rest folded; and Fashion-MNIST's evaluation names its classes, with each misclassified image's true class on
 * screen. Screenshots (light, dark, Korean, twin, gallery) go to test-results/ for a person to look at.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { writeIdx } from '../common/idx';
import { BUNDLED_FAMILY, chartFontFamily } from '../src-renderer/src/lib/fonts/chart-font';
import { EngineHeader } from './support/engine-header';
import { LearnTab } from './support/learn-page';
import { prepareFashionMnist, startMirror } from './support/mnist-data';
import { TrainTab } from './support/train-predict-pages';
import { ROOT, startHost, stopHost } from './support/web-host';
import { wordsIn } from './support/words';

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

interface Hosted {
  url: string;
}

const test = base.extend<{}, { hosted: Hosted }>({
  hosted: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-polish-e2e-'));
      const mirror = await startMirror();
      await prepareFashionMnist(ROOT, dataDir, mirror);
      const host = await startHost(dataDir, {}, { nice: 10 });
      try {
        await use({ url: host.url });
      } finally {
        await stopHost(host);
        await mirror.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test.describe.configure({ mode: 'serial' });

async function open(page: Page, url: string, lang = 'en'): Promise<EngineHeader> {
  await page.goto(`${url}&lang=${lang}`);
  const header = new EngineHeader(page);
  // The badge's state, whatever the language says it in.
  await expect(page.locator('header p[data-state]')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  return header;
}

/** The page's globals, narrowly typed: this tsconfig has no DOM lib. */
interface PageGlobals {
  document: {
    documentElement: object;
    body: object;
    fonts: Iterable<{ family: string; status: string }> & { ready: Promise<unknown>; check(font: string, text: string): boolean };
  };
  getComputedStyle(el: object): { backgroundColor: string; fontFamily: string };
}

/** The page's background as the browser computed it. */
const background = (page: Page) => page.evaluate(() => {
  const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
  return getComputedStyle(document.documentElement).backgroundColor;
});

test('header, theme and twin: the device in plain words, a dark choice that survives a reload, the model first', async ({ page, hosted }, info) => {
  test.setTimeout(120_000);
  const header = await open(page, hosted.url);
  const theme = page.getByRole('combobox', { name: 'Theme' });

  await test.step('the header names the device; the backends wait behind Details', async () => {
    await expect(header.device).toHaveText(/^your CPU, (1 thread|\d+ threads) \(WebAssembly SIMD\)/);
    await expect(header.backends.first()).toBeHidden();
    await theme.selectOption('light');
    await page.screenshot({ path: info.outputPath('light.png') });
    await header.showDetails();
    await expect(header.backends.filter({ hasText: /^\s*webasm: ok/ })).toHaveCount(1);
  });

  await test.step('Dark, chosen once, holds across a reload', async () => {
    const light = await background(page);
    await theme.selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const dark = await background(page);
    expect(dark).not.toBe(light);
    await page.reload();
    await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
    expect(await background(page)).toBe(dark);
    await page.getByRole('combobox', { name: 'Presets' }).selectOption('LeNet-5');
    await page.screenshot({ path: info.outputPath('dark.png'), fullPage: true });
    await page.getByRole('tab', { name: 'Predict' }).click();
    await page.screenshot({ path: info.outputPath('dark-predict.png'), fullPage: true });
    await page.getByRole('tab', { name: 'Build' }).click();
  });

  await test.step('the twin shows the model first, the rest folded, the whole script still its text', async () => {
    await theme.selectOption('light');
    const code = page.getByRole('region', { name: 'PyTorch twin' }).getByLabel('PyTorch code');
    const model = code.locator('pre.model');
    await expect(model).toHaveText(/^model = nn\.Sequential\(\n {4}nn\.Conv2d\(1, 6, 5, padding=2\),/);
    const before = code.locator('details.before');
    await expect(before.locator('pre')).toBeHidden();
    // On screen the model comes first, above both folds.
    const [modelBox, beforeBox] = [await model.boundingBox(), await before.boundingBox()];
    expect(modelBox!.y).toBeLessThan(beforeBox!.y);
    expect(await code.textContent()).toMatch(/^"""LeNet-5: generated by LayerLab[\s\S]*\nmodel = nn\.Sequential\([\s\S]*\ndef fit\(/);
    // Byte for byte the script Export .py gives: the folds cut nothing and add nothing.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('region', { name: 'PyTorch twin' }).getByRole('button', { name: 'Export .py' }).click(),
    ]);
    expect(await code.textContent()).toBe(readFileSync((await download.path())!, 'utf8'));
    // Wide enough for the script's lines: the model's longest line is not cut off.
    expect(await model.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await code.scrollIntoViewIfNeeded();
    await page.screenshot({ path: info.outputPath('twin.png'), fullPage: true });
    await before.locator('summary').click();
    await expect(before.locator('pre')).toBeVisible();
    await expect(before.locator('pre')).toContainText('import torch');
  });
});

test('Korean renders in the bundled Noto Sans KR, loaded from the app itself', async ({ page, hosted }, info) => {
  await open(page, hosted.url, 'ko');
  await expect(page.getByRole('tab', { name: '학습' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  const fonts = await page.evaluate(async () => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
    await document.fonts.ready;
    const faces = [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Noto Sans KR Variable');
    return {
      declared: faces.length,
      loaded: faces.filter((f) => f.status === 'loaded').length,
      bodyFont: getComputedStyle(document.body).fontFamily,
      // The face that draws Hangul syllables must be among the loaded ones: check() is true only once it is.
      hangul: document.fonts.check('16px "Noto Sans KR Variable"', '학습 준비됨'),
    };
  });
  expect(fonts.declared).toBeGreaterThan(100);
  expect(fonts.loaded).toBeGreaterThan(0);
  expect(fonts.hangul).toBe(true);
  expect(fonts.bodyFont).toMatch(/^"?Noto Sans KR Variable/);
  // The font files came from this server, not from anywhere else.
  const fontFiles = await page.evaluate(() => (performance.getEntriesByType('resource') as unknown as { name: string; encodedBodySize: number }[])
    .filter((e) => e.name.endsWith('.woff2')).map((e) => ({ url: e.name, bytes: e.encodedBodySize })));
  expect(fontFiles.length).toBeGreaterThan(0);
  for (const { url } of fontFiles) expect(new URL(url).origin).toBe(new URL(hosted.url).origin);
  // A figure, not a check: the unicode-range slices this page needed, of the 124 the app ships.
  const kib = fontFiles.reduce((sum, f) => sum + f.bytes, 0) / 1024;
  console.log(`Korean page: ${fonts.loaded} Noto Sans KR faces loaded, ${fontFiles.length} font files, ${kib.toFixed(0)} KiB`);
  await page.screenshot({ path: info.outputPath('korean.png'), fullPage: true });

  await test.step('why the engine restarts is said in Korean, from the supervisor\'s codes', async () => {
    const header = new EngineHeader(page, 'ko');
    const pid = await header.shownPid();
    // The restarting state lasts a backoff of a few hundred ms: watched on every frame from before the kill.
    const saw = await header.watchForState('엔진 호스트가 SIGKILL(으)로 강제 종료되었습니다; ' as never);
    process.kill(pid, 'SIGKILL');
    await saw();
    await expect(page.locator('header p[data-state]')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  });
});

test("Fashion-MNIST's evaluation names its classes and shows each mistake's true class", async ({ page, hosted }, info) => {
  test.setTimeout(300_000);
  await open(page, hosted.url);
  const train = new TrainTab(page);
  await train.choose('Mnist_Logistic', 'fashion-mnist', 1, 1000);
  await train.train.click();
  await train.expectState('Completed');
  const panel = page.getByRole('tabpanel', { name: 'Train' });

  await test.step('the charts re-colour live when the theme changes', async () => {
    const chart = panel.getByRole('img', { name: 'Loss', exact: true });
    const theme = page.getByRole('combobox', { name: 'Theme' });
    await theme.selectOption('light');
    await expect(chart).toHaveAttribute('data-legend-color', 'rgb(27, 31, 46)');
    await theme.selectOption('dark');
    await expect(chart).toHaveAttribute('data-legend-color', 'rgb(230, 232, 240)');
    await page.screenshot({ path: info.outputPath('dark-charts.png'), fullPage: true });
    await theme.selectOption('light');
    // English keeps chart.js's Latin faces; the bundled one is there only for Hangul (a run's name, say).
    await expect(chart).toHaveAttribute('data-font-family', chartFontFamily('en'));
    await expect(chart).toHaveAttribute('data-title-font-apart', 'false');
  });

  await test.step('the confusion matrix names the classes', async () => {
    await panel.getByRole('button', { name: 'Evaluate on the test set' }).click();
    await expect(train.summary).toHaveAttribute('data-split', 'test', { timeout: 60_000 });
    await expect(train.matrix.getByRole('columnheader')).toContainText(['true \\ said', ...FASHION]);
    await expect(train.matrix.getByRole('rowheader')).toHaveText(FASHION);
    await expect(train.cell(7, 7)).toHaveAttribute('aria-label', /^True Sneaker, predicted Sneaker: \d+$/);
  });

  await test.step("each misclassified image shows its true class on screen", async () => {
    await panel.getByRole('button', { name: 'Show misclassified examples' }).click();
    const gallery = panel.getByRole('region', { name: 'Misclassified, most confident first' });
    const items = gallery.getByRole('listitem').filter({ has: page.getByRole('img') });
    await expect(items.first()).toBeVisible({ timeout: 60_000 });
    for (const item of (await items.all()).slice(0, 8)) {
      const truth = item.locator('figcaption');
      await expect(truth).toBeVisible();
      const label = Number(await truth.getAttribute('data-label'));
      await expect(truth).toHaveText(`true: ${FASHION[label]}`);
      const name = await item.getByRole('img').getAttribute('aria-label');
      const [, said] = / predicted (.+)$/.exec(name ?? '') ?? [];
      expect(FASHION).toContain(said);
      expect(said).not.toBe(FASHION[label]);
    }
    await gallery.scrollIntoViewIfNeeded();
    await page.screenshot({ path: info.outputPath('gallery.png'), fullPage: true });
  });

  await test.step("why the engine stopped a run is said in Korean too, and re-said on a switch", async () => {
    await train.setting('epochs', '50');
    await train.train.click();
    await train.expectState('Training');
    // Two resumes a few batches apart: their markers' labels must not print over each other (looked at in the
    // screenshot; the placement rule is marker-labels.test.ts's).
    for (let i = 0; i < 2; i++) {
      await train.pause.click();
      await train.expectState('Paused');
      await train.resume.click();
      await train.expectState('Training');
    }
    await train.stop.click();
    await train.expectState('Stopped');
    await panel.getByRole('img', { name: 'Loss', exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: info.outputPath('markers.png') });
    await expect(panel.getByText('stopped by the user', { exact: true })).toBeVisible();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ko');
    await expect(page.getByRole('tabpanel', { name: '학습' }).getByText('사용자가 멈췄습니다', { exact: true })).toBeVisible();
  });

  await test.step('in Korean the charts draw their Hangul in the bundled Noto Sans KR, in the worker and on the page', async () => {
    const ko = wordsIn('ko');
    const koPanel = page.getByRole('tabpanel', { name: ko.t('tab.train') });
    // The curve charts draw in a worker, whose own FontFaceSet must hold the bundled faces, loaded: check() there
    // is true for the chart's Hangul only once the faces that draw it are (data-font-ready), and data-bundled-faces
    // counts the loaded ones (check() alone would be true of a set with no such face at all).
    for (const name of [ko.t('train.chart.loss'), ko.t('train.chart.accuracy'), ko.t('train.chart.lr')]) {
      const chart = koPanel.getByRole('img', { name, exact: true });
      await expect(chart).toHaveAttribute('data-font-family', chartFontFamily('ko'));
      await expect(chart).toHaveAttribute('data-font-ready', 'true');
      expect(Number(await chart.getAttribute('data-bundled-faces'))).toBeGreaterThan(0);
      // What the canvas really resolved: '에포크' measures otherwise than in chart.js's own stack (boxes there).
      await expect(chart).toHaveAttribute('data-title-font-apart', 'true');
    }
    const loss = koPanel.getByRole('img', { name: ko.t('train.chart.loss'), exact: true });
    await loss.scrollIntoViewIfNeeded();
    await loss.screenshot({ path: info.outputPath('korean-loss-chart.png') });
    await koPanel.getByRole('img', { name: ko.t('train.chart.lr'), exact: true }).screenshot({ path: info.outputPath('korean-lr-chart.png') });

    // The Runs tab's overlay draws on the page's own canvas, with the page's FontFaceSet.
    await page.getByRole('tab', { name: ko.t('tab.runs') }).click();
    const runsPanel = page.getByRole('tabpanel', { name: ko.t('tab.runs') });
    const boxes = runsPanel.getByRole('checkbox', { name: ko.pattern('runs.overlayOf') });
    await expect(boxes).toHaveCount(2, { timeout: 60_000 });
    for (const box of await boxes.all()) await box.check();
    const overlay = runsPanel.getByRole('img', { name: ko.t('runs.curvesOf', { n: 2 }) });
    await expect(overlay).toHaveAttribute('data-datasets', '2');
    await expect(overlay).toHaveAttribute('data-font-family', chartFontFamily('ko'));
    await expect(overlay).toHaveAttribute('data-font-ready', 'true');
    const hangul = await page.evaluate(([family, word]) => {
      const { document } = globalThis as unknown as PageGlobals;
      return document.fonts.check(`12px "${family}"`, word);
    }, [BUNDLED_FAMILY, ko.t('runs.epoch')]);
    expect(hangul).toBe(true);
    await overlay.screenshot({ path: info.outputPath('korean-runs-overlay.png') });
  });
});

test("in Korean, the host's own sentences read in Korean: the header's backend details, a custom dataset's note, a lesson's refusal, a run without its dataset", async ({ page, hosted }, info) => {
  test.setTimeout(120_000);
  await open(page, hosted.url, 'ko');
  const header = new EngineHeader(page, 'ko');

  await test.step('the detected backends, probed by the engine host, are worded from its codes', async () => {
    await header.showDetails();
    await expect(header.backends.filter({ hasText: /^\s*webasm: 사용 가능 \(\d+ms\)\s*$/ })).toHaveCount(1);
    await expect(header.backends.filter({ hasText: /^\s*wasm: 사용 가능 \(엔진 백엔드\)\s*$/ })).toHaveCount(1);
    await expect(header.backends.filter({ hasText: /^\s*webgl2: 사용 불가 \(Node에는 WebGL이 없습니다\)\s*$/ })).toHaveCount(1);
    // No line keeps the English words around its figure (an exception's own message, inside, may stay as it came).
    await expect(header.backends.filter({ hasText: /: (ok|unavailable) \(/ })).toHaveCount(0);
    await page.getByRole('banner').screenshot({ path: info.outputPath('korean-header-details.png') });
  });

  await test.step("a custom import's note, built by main's datasets service, reads in Korean, also after a reload", async () => {
    const images = writeIdx({ shape: [30, 4, 4], data: Uint8Array.from({ length: 30 * 16 }, (_, i) => (i * 37) % 256) });
    const labels = writeIdx({ shape: [30], data: Uint8Array.from({ length: 30 }, (_, i) => i % 3) });
    const note = '사용자 데이터셋: 알려진 MNIST/Fashion-MNIST 파일이 아니어서 IDX 헤더와 개수만 확인했습니다: '
      + '학습 이미지 30개 4×4, 테스트 세트 없음, 클래스 3개 (0–2).';
    await page.getByRole('tab', { name: '데이터' }).click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('region', { name: 'MNIST', exact: true }).getByRole('button', { name: '가져오기', exact: true }).click();
    await (await chooser).setFiles([
      { name: 'shapes-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from(images) },
      { name: 'shapes-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from(labels) },
    ]);
    const custom = page.getByRole('region', { name: 'custom', exact: true });
    await expect(custom.locator('p.note')).toHaveText(note, { timeout: 45_000 });
    await custom.screenshot({ path: info.outputPath('korean-custom-dataset.png') });
    // Read back from the dataset's manifest, the way a later session meets it.
    await page.reload();
    await page.getByRole('tab', { name: '데이터' }).click();
    await expect(page.getByRole('region', { name: 'custom', exact: true }).locator('p.note')).toHaveText(note);
  });

  await test.step("a lesson step without MNIST on disk says so in Korean, main's reason and its missing files included", async () => {
    const learn = new LearnTab(page, 'ko');
    await learn.open();
    await learn.select(1);
    await learn.button('run').click();
    const failed = learn.panel.getByRole('alert');
    // The engine host's refusal (lesson.noMnist) nests main's datasets service's reason (dataset.notReady), whose
    // files' states came as data: every word of it Korean, the file names as they are on disk.
    const missing = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
      .map((file) => `${file} 없음`).join(', ');
    await expect(failed).toHaveText(
      '단계가 실패했습니다: 레슨 단계 data: 레슨은 MNIST로 실행하는데 MNIST를 불러오지 못했습니다('
        + `mnist 데이터셋이 준비되지 않았습니다(${missing}). 내려받거나 IDX 파일을 가져오세요.). 데이터 탭에서 내려받으세요`,
      { timeout: 45_000 },
    );
    await expect(failed).not.toContainText(/missing|not ready|Download it|import the/);
    await failed.screenshot({ path: info.outputPath('korean-lesson-no-mnist.png') });
  });

  await test.step('a run started without MNIST on disk fails with the same reason in Korean, as its error and its state', async () => {
    const ko = wordsIn('ko');
    await page.getByRole('tab', { name: ko.t('tab.train') }).click();
    const panel = page.getByRole('tabpanel', { name: ko.t('tab.train') });
    await panel.getByRole('combobox', { name: ko.t('train.model') }).selectOption('Mnist_Logistic'); // trains on its spec's MNIST
    await panel.getByRole('button', { name: ko.t('train.start'), exact: true }).click();
    const missing = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
      .map((file) => `${file} 없음`).join(', ');
    const reason = `mnist 데이터셋이 준비되지 않았습니다(${missing}). 내려받거나 IDX 파일을 가져오세요.`;
    // The engine's answer to run-start (the error line) and the failed run's reason (from run.json's reasonText).
    await expect(panel.locator('p.error[role=alert]')).toHaveText(reason, { timeout: 45_000 });
    await expect(panel.locator('p.reason')).toHaveText(reason);
    await panel.locator('.training').first().screenshot({ path: info.outputPath('korean-run-no-mnist.png') });
  });
});
