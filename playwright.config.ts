import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Chromium: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own download. */
const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  // Each spec starts its own host and engine process; the machines running this are small.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    trace: 'retain-on-failure',
    // A click or a box on an element that never comes fails within a minute, not at a long test's own limit (an
    // English-named pad looked for in a Korean page once waited out the autoencoder spec's 15 minutes).
    actionTimeout: 60_000,
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
