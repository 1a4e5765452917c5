/**
 * Page object for the Data tab, by role and accessible name: a region per dataset named after it ("MNIST"), its
 * buttons (Download, Cancel, Verify, Delete, Import), its progress bar, and the lists "Sample images" and
 * "Class histogram".
 */
import { expect, type Locator, type Page } from '@playwright/test';

export class DataPanel {
  readonly tab: Locator;
  readonly samples: Locator;
  readonly histogram: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Data' });
    this.samples = page.getByRole('list', { name: 'Sample images' });
    this.histogram = page.getByRole('list', { name: 'Class histogram' });
  }

  async open(): Promise<void> {
    await this.tab.click();
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  /** The card of one dataset; exact, so "MNIST" is not "Fashion-MNIST". */
  card(name: string): DatasetCard {
    return new DatasetCard(this.page.getByRole('region', { name, exact: true }));
  }
}

export class DatasetCard {
  readonly progress: Locator;
  readonly alert: Locator;

  constructor(readonly root: Locator) {
    this.progress = root.getByRole('progressbar');
    this.alert = root.getByRole('alert');
  }

  button(name: 'Download' | 'Cancel' | 'Verify' | 'Delete' | 'Import'): Locator {
    return this.root.getByRole('button', { name, exact: true });
  }
}
