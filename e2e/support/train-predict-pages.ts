/**
 * Page objects for the Train and Predict tabs, by their accessible names (buttons Train, Pause, Resume, Stop,
 * Clear; the canvas "Drawing pad"; the live region "Prediction"; the select "Weights of"; the table "Confusion
 * matrix") and the data attributes the charts expose (how many batch and epoch points the chart really holds).
 * PredictTab takes the page's language.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { wordsIn, type Locale } from './words';

export class TrainTab {
  readonly tab: Locator;
  readonly train: Locator;
  readonly pause: Locator;
  readonly resume: Locator;
  readonly stop: Locator;
  readonly stepBatch: Locator;
  readonly state: Locator;
  readonly lossChart: Locator;
  readonly matrix: Locator;
  readonly summary: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Train' });
    const panel = page.getByRole('tabpanel', { name: 'Train' });
    this.train = panel.getByRole('button', { name: 'Train', exact: true });
    this.pause = panel.getByRole('button', { name: 'Pause', exact: true });
    this.resume = panel.getByRole('button', { name: 'Resume', exact: true });
    this.stop = panel.getByRole('button', { name: 'Stop', exact: true });
    this.stepBatch = panel.getByRole('button', { name: 'Step batch', exact: true });
    this.state = panel.getByLabel('Run state');
    this.lossChart = panel.getByRole('img', { name: 'Loss', exact: true });
    this.matrix = panel.getByRole('table', { name: 'Confusion matrix' });
    this.summary = panel.getByLabel('Evaluation summary');
  }

  async open(): Promise<void> {
    await this.tab.click();
  }

  /**
   * Loads `preset` in the builder with `validationSize` images held out (the presets hold out 10,000, more than a
   * small custom dataset has), then trains the builder's model on `dataset` for `epochs`: what a learner does.
   */
  async choose(preset: string, dataset: string, epochs: number, validationSize: number): Promise<void> {
    await this.page.getByRole('tab', { name: 'Build' }).click();
    await this.page.getByRole('combobox', { name: 'Presets' }).selectOption(preset);
    await this.page.getByRole('textbox', { name: 'validation_size', exact: true }).fill(String(validationSize));
    await this.page.getByRole('textbox', { name: 'validation_size', exact: true }).press('Enter');
    await this.tab.click();
    const panel = this.page.getByRole('tabpanel', { name: 'Train' });
    await panel.getByLabel('Model', { exact: true }).selectOption({ label: `From the builder: ${preset}` });
    await expect(panel.getByLabel('Dataset', { exact: true }).getByRole('option', { name: dataset, exact: true })).toBeAttached();
    await panel.getByLabel('Dataset', { exact: true }).selectOption(dataset);
    await this.setting('epochs', String(epochs));
  }

  /** A run setting of the Train tab by its torch name (epochs, seed, patience, min_delta, max_norm), committed. */
  async setting(name: string, value: string): Promise<void> {
    const field = this.page.getByRole('tabpanel', { name: 'Train' }).getByRole('textbox', { name, exact: true });
    await field.fill(value);
    await field.press('Enter');
  }

  /** The run's global batch count as the engine last reported it. */
  async step(): Promise<number> {
    return Number(await this.state.getAttribute('data-step'));
  }

  async batchPoints(): Promise<number> {
    return Number(await this.lossChart.getAttribute('data-batch-points'));
  }

  async epochPoints(): Promise<number> {
    return Number(await this.lossChart.getAttribute('data-epoch-points'));
  }

  async expectState(word: string): Promise<void> {
    await expect(this.state).toHaveText(word, { timeout: 120_000 });
  }

  /** The confusion-matrix cell (a button) and the count it shows. */
  cell(label: number, predicted: number): Locator {
    return this.matrix.locator(`button[data-label="${label}"][data-predicted="${predicted}"]`);
  }

  async cellCount(label: number, predicted: number): Promise<number> {
    return Number(await this.cell(label, predicted).textContent());
  }

  /** Σ of the matrix diagonal. */
  async diagonal(): Promise<number> {
    const cells = this.matrix.locator('button[data-label]');
    const values = await cells.evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-label'), el.getAttribute('data-predicted'), Number(el.textContent)] as const));
    return values.filter(([l, p]) => l === p).reduce((sum, [, , n]) => sum + n, 0);
  }
}

export class PredictTab {
  readonly tab: Locator;
  readonly pad: Locator;
  readonly prediction: Locator;
  readonly clear: Locator;
  readonly panel: Locator;
  /** The select of the run whose weights answer (its first option: the current run). */
  readonly weightsOf: Locator;

  /** `locale`: the page's language; the tab, the pad, the prediction and Clear are found by their names in it. */
  constructor(readonly page: Page, locale: Locale = 'en') {
    const { t } = wordsIn(locale);
    this.tab = page.getByRole('tab', { name: t('tab.predict') });
    this.panel = page.getByRole('tabpanel', { name: t('tab.predict') });
    this.pad = page.getByLabel(t('predict.pad.label'), { exact: true });
    this.prediction = page.getByRole('status', { name: t('predict.prediction'), exact: true });
    this.clear = page.getByRole('button', { name: t('predict.clear'), exact: true });
    this.weightsOf = this.panel.getByRole('combobox', { name: t('predict.run'), exact: true });
  }

  async open(): Promise<void> {
    await this.tab.click();
  }

  /** Draws a polyline with the mouse; points are in pad pixels (the pad is 280×280). */
  async draw(points: { x: number; y: number }[]): Promise<void> {
    const box = (await this.pad.boundingBox())!;
    const at = (p: { x: number; y: number }) => [box.x + (p.x * box.width) / 280, box.y + (p.y * box.height) / 280] as const;
    await this.page.mouse.move(...at(points[0]));
    await this.page.mouse.down();
    for (const p of points.slice(1)) await this.page.mouse.move(...at(p), { steps: 2 });
    await this.page.mouse.up();
  }
}

export const verticalStroke = (): { x: number; y: number }[] =>
  Array.from({ length: 12 }, (_, i) => ({ x: 140 + i * 0.8, y: 40 + i * 18 }));

export const oval = (): { x: number; y: number }[] =>
  Array.from({ length: 41 }, (_, i) => {
    const a = (i / 40) * 2 * Math.PI - Math.PI / 2;
    return { x: 140 + 62 * Math.cos(a), y: 140 + 95 * Math.sin(a) };
  });
