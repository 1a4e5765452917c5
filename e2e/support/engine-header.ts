/**
 * Page object for the engine part of the header, by the DOM contract with the renderer (src-renderer/README.md):
 * role="status" "Engine status" (Starting / Ready / Restarting / Failed), the plain-words "Training device", and behind
 * the "Details" disclosure "Engine process id", "Backend in use" and the list "Detected backends": each by its name
 * in the page's language (`locale`).
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { wordsIn, type Locale } from './words';

export type EngineStateWord = 'Starting' | 'Ready' | 'Restarting' | 'Failed';

export class EngineHeader {
  readonly status: Locator;
  readonly pid: Locator;
  readonly backend: Locator;
  readonly backends: Locator;
  readonly device: Locator;
  readonly details: Locator;
  private readonly statusName: string;

  constructor(readonly page: Page, locale: Locale = 'en') {
    const { t } = wordsIn(locale);
    this.statusName = t('engine.status.label');
    this.status = page.getByRole('status', { name: this.statusName });
    this.pid = page.getByLabel(t('engine.pid.label'));
    this.backend = page.getByLabel(t('engine.backendInUse.label'));
    this.backends = page.getByRole('list', { name: t('engine.backends') }).getByRole('listitem');
    this.device = page.getByLabel(t('engine.device.label'));
    this.details = page.locator('header details');
  }

  /** Opens the engine details disclosure, as a learner curious about the backends would. */
  async showDetails(): Promise<void> {
    if (!(await this.details.evaluate((el) => (el as unknown as { open: boolean }).open))) {
      await this.details.locator('summary').click();
    }
    await expect(this.pid).toBeVisible();
  }

  async expectState(word: EngineStateWord): Promise<void> {
    await expect(this.status).toContainText(word);
  }

  /** The pid the header shows, once it shows a number. */
  async shownPid(): Promise<number> {
    await expect(this.pid).toHaveText(/^\s*\d+\s*$/);
    return Number((await this.pid.textContent())!.trim());
  }

  /**
   * Resolves when the status has shown `word`, even if only briefly: the page checks on every animation frame, so a
   * state that lasts a few hundred milliseconds cannot slip between two polls. Start it before causing the change.
   */
  async watchForState(word: EngineStateWord): Promise<() => Promise<void>> {
    const seen = this.page.waitForFunction(
      ([expected, name]: string[]) => {
        // Runs in the page; this tsconfig has no DOM lib, hence the narrow cast.
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
        const el = doc.querySelector(`[role="status"][aria-label="${name}"]`);
        return el?.textContent?.includes(expected) ?? false;
      },
      [word, this.statusName],
      { polling: 'raf', timeout: 30_000 },
    );
    return async () => void (await seen);
  }
}
