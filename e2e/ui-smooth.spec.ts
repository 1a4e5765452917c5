/**
 * The UI stays responsive while a model trains (#15.4): LeNet-5 trains on 5,000 MNIST images in the browser host
 * while the learner clicks through every tab, and the page's longest task stays under 250 ms. The guard is
 * generous on purpose: the figures worth reading (longest task, frame gaps, each tab switch from click to painted
 * frame) are printed here and by `npm run bench:ui`, whose targets are far tighter; this test only fails when the
 * renderer's own work per batch or per switch has grown, e.g. by redrawing the whole history each batch.
 *
 * On a machine so loaded that the page waits for a core mid-task (load average over twice the cores), wall time
 * measures the neighbours; the page's own CPU time in its longest task (from a Chromium trace) is held to the same
 * 250 ms instead, and the wall figure is printed.
 */
import { cpus, loadavg } from 'node:os';
import { expect } from '@playwright/test';
import { installPageProbe, START, STOP, summarise, SWITCHES, type PageFigures } from '../scripts/bench-ui-page';
import { testWithMnistHost } from './support/mnist-host';
import { EngineHeader } from './support/engine-header';
import { longestMainThreadTask } from './support/main-thread-trace';
import { SUBSET } from './support/mnist-data';
import { TrainTab } from './support/train-predict-pages';

const GUARD_MS = 250;
const TABS = ['Build', 'Predict', 'Data', 'Train'] as const;
const ROUNDS = 3;

// The host as a learner runs it: the engine host lowers its own priority (src-main/engine-host/priority.ts).
const test = testWithMnistHost('smooth');

test('while LeNet-5 trains, switching tabs and streaming batches never block the page for 250 ms', async ({ page, hosted }) => {
  test.setTimeout(300_000);
  const train = new TrainTab(page);
  await page.addInitScript(installPageProbe);

  await test.step('open the app and start LeNet-5 on 5,000 images', async () => {
    await page.goto(`${hosted.url}&lang=en`);
    await new EngineHeader(page).expectState('Ready');
    await train.open();
    await train.choose('LeNet-5', SUBSET, 50, 455);
    await train.train.click();
    await expect.poll(() => train.batchPoints(), { timeout: 120_000 }).toBeGreaterThan(0);
  });

  const browser = page.context().browser()!;
  let figures: PageFigures | null = null;
  let trainedDuring = 0;
  await test.step(`click through every tab ${ROUNDS} times while it trains`, async () => {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const before = await train.batchPoints();
    await page.evaluate(START);
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of TABS) {
        await page.getByRole('tab', { name, exact: true }).click();
        // The clicked tab's panel is the one shown, and the page measured the switch to its painted frame.
        await expect(page.getByRole('tabpanel', { name, exact: true })).toBeVisible();
        await expect.poll(() => page.evaluate<number>(SWITCHES)).toBe(round * TABS.length + TABS.indexOf(name) + 1);
        await page.waitForTimeout(500);
      }
    }
    figures = await page.evaluate<PageFigures>(STOP);
    trainedDuring = (await train.batchPoints()) - before;
  });
  const trace = longestMainThreadTask(await browser.stopTracing());

  await test.step('the Train tab, back on screen, shows the run going on', async () => {
    await expect(page.getByRole('tabpanel', { name: 'Train' }).getByLabel('Run state')).toHaveText('Training');
    await page.screenshot({ path: test.info().outputPath('train-tab-while-training.png'), fullPage: true });
  });

  await test.step('stop the run', async () => {
    await train.stop.click();
    await train.expectState('Stopped');
  });

  const s = summarise(figures!);
  const load = loadavg()[0];
  const overloaded = load > 2 * cpus().length;
  console.log(
    `ui-smooth: longest task ${s.longTasks ? `${s.longestTaskMs.toFixed(1)} ms (${s.longTasks} ≥ 50 ms)` : 'none ≥ 50 ms'};`
    + ` trace: longest ${trace.wallMs.toFixed(1)} ms wall / ${trace.cpuMs.toFixed(1)} ms CPU, most CPU in one task ${trace.maxCpuMs.toFixed(1)} ms;`
    + ` frame gaps p95 ${s.frameGapP95Ms.toFixed(1)} ms, max ${s.frameGapMaxMs.toFixed(1)} ms over ${s.frames} frames;`
    + ` tab switches median ${s.switchMedianMs.toFixed(1)} ms, max ${s.switchMaxMs.toFixed(1)} ms (${JSON.stringify(s.switchesByTab)});`
    + ` ${trainedDuring} batches trained meanwhile; load ${load.toFixed(1)} on ${cpus().length} cores`,
  );

  // What was measured is what the test is about: batches streamed in, and every switch reached a painted frame.
  expect(trainedDuring).toBeGreaterThan(0);
  expect(s.frames).toBeGreaterThan(0);
  expect(Object.keys(s.switchesByTab).sort()).toEqual([...TABS].sort());
  expect(figures!.switches).toHaveLength(TABS.length * ROUNDS);
  expect(trace.maxCpuMs).toBeLessThan(GUARD_MS);
  if (!overloaded) {
    expect(s.longestTaskMs).toBeLessThan(GUARD_MS);
    expect(trace.wallMs).toBeLessThan(GUARD_MS);
  }
});
