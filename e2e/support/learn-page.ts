/**
 * Page object for the Learn tab in English or Korean: the step list (navigation "Lesson steps"), the open step's
 * Run / Stop / Open in builder buttons, its training-loop list, and the values it printed (`[data-print=id]`,
 * whose `<output data-value>` is the figure with PyTorch's 4 decimals).
 */
import { expect, type Locator, type Page } from '@playwright/test';

const WORDS = {
  en: {
    tab: 'Learn', build: 'Build', steps: 'Lesson steps', run: 'Run', again: 'Run again', stop: 'Stop',
    open: 'Open in builder', loop: 'The training loop', train: 'Train', stopped: 'Stopped by you',
  },
  ko: {
    tab: '배우기', build: '만들기', steps: '레슨 단계', run: '실행', again: '다시 실행', stop: '멈추기',
    open: '빌더에서 열기', loop: '학습 루프', train: '학습', stopped: '직접 멈췄습니다',
  },
} as const;

export type LessonLocale = keyof typeof WORDS;

export class LearnTab {
  readonly words: (typeof WORDS)[LessonLocale];
  readonly panel: Locator;
  readonly steps: Locator;

  constructor(readonly page: Page, locale: LessonLocale) {
    this.words = WORDS[locale];
    this.panel = page.locator('#panel-learn');
    this.steps = this.panel.getByRole('navigation', { name: this.words.steps });
  }

  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: this.words.tab }).click();
    await expect(this.steps).toBeVisible();
  }

  /** Opens step `n` (1-based) from the list. */
  async select(n: number): Promise<void> {
    await this.steps.getByRole('button').nth(n - 1).click();
    await expect(this.steps.getByRole('button').nth(n - 1)).toHaveAttribute('aria-current', 'step');
  }

  button(name: 'run' | 'again' | 'stop' | 'open'): Locator {
    return this.panel.getByRole('button', { name: this.words[name], exact: true });
  }

  /** The part of the training loop highlighted now. */
  get currentPhase(): Locator {
    return this.panel.getByRole('region', { name: this.words.loop }).locator('li[aria-current="step"]');
  }

  get progress(): Locator {
    return this.panel.getByRole('status').filter({ has: this.page.locator('progress') });
  }

  /** Runs the open step and waits for its prints (a step of the CNN's size takes a while on a loaded machine). */
  async run(timeout = 240_000): Promise<void> {
    await this.button('run').or(this.button('again')).click();
    await expect(this.button('again')).toBeVisible({ timeout });
  }

  /** The printed figure `id` of the open step, as a number. */
  async value(id: string): Promise<number> {
    const output = this.panel.locator(`[data-print="${id}"] output`);
    await expect(output).toBeVisible();
    return Number(await output.getAttribute('data-value'));
  }

  async text(id: string): Promise<string> {
    return (await this.panel.locator(`[data-print="${id}"] output`).textContent()) ?? '';
  }

  /**
   * Open in builder: the Build tab opens with the step's model (its canvas holds a `layer` node, named like
   * "Linear, 10 features, …" in every language), and the model must be ready to train.
   */
  async expectTrainableInBuilder(layer: string): Promise<void> {
    await this.button('open').click();
    const build = this.page.locator('#panel-build');
    await expect(this.page.getByRole('tab', { name: this.words.build })).toHaveAttribute('aria-selected', 'true');
    await expect(build.getByRole('button', { name: new RegExp(`^${layer}, `) }).first()).toBeVisible();
    await expect(build.getByRole('button', { name: this.words.train, exact: true })).toBeEnabled();
    await expect(build.locator('#builder-train-reason')).toHaveCount(0);
    await this.page.getByRole('tab', { name: this.words.tab }).click();
  }
}
