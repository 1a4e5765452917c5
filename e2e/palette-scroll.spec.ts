/**
 * The command palette hands focus back without moving the page: a learner who scrolled the Build tab down, opened
 * the palette and closed it finds the page where they left it, with focus back where it was. Real clicks, wheel and
 * keys in Chromium. (The palette is a modal <dialog>; its close runs the browser's own focus restore, which the HTML
 * spec says should not scroll the viewport. These steps hold Chromium, and any later restore of ours, to that.)
 */
import type { Page } from '@playwright/test';
import { BuilderPage } from './support/builder-page';
import { expect, test } from './support/web-host';

// Short enough that the Build tab (canvas, summary, then the twin) is a long page.
test.use({ viewport: { width: 1280, height: 600 } });

const scrollY = (page: Page) => page.evaluate<number>('window.scrollY');

/** Two frames: any scroll the close caused has been applied and painted by then. */
const twoFrames = (page: Page) =>
  page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');

/** Scrolls the page by the wheel over the header's empty middle (the piece list and the canvas would take it). */
async function wheel(page: Page, dy: number): Promise<void> {
  await page.mouse.move(700, 40);
  await page.mouse.wheel(0, dy);
}

test('closing the command palette leaves the page where the learner scrolled it', async ({ app }, info) => {
  await app.open();
  const { page } = app;
  const builder = new BuilderPage(page);
  const commands = page.getByRole('button', { name: 'Commands', exact: true });
  await expect(builder.node('Input')).toBeVisible();

  await test.step('a node clicked, the page wheeled down past it, Ctrl+K, Escape: the page stays, focus on the node', async () => {
    await builder.node('Input').click();
    await expect(builder.node('Input')).toBeFocused();
    await wheel(page, 600);
    await expect.poll(() => scrollY(page)).toBeGreaterThan(300);
    const before = await scrollY(page);
    await page.keyboard.press('Control+K');
    await expect(builder.commandInput).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(builder.commandInput).toBeHidden();
    await twoFrames(page);
    expect(await scrollY(page)).toBe(before);
    await expect(builder.node('Input')).toBeFocused();
  });

  await test.step('Commands clicked at the top, the page wheeled down while the palette is open, Escape', async () => {
    await wheel(page, -3000);
    await expect.poll(() => scrollY(page)).toBe(0);
    await commands.click();
    await expect(builder.commandInput).toBeFocused();
    await wheel(page, 600);
    await expect.poll(() => scrollY(page)).toBeGreaterThan(300);
    const before = await scrollY(page);
    await page.keyboard.press('Escape');
    await expect(builder.commandInput).toBeHidden();
    await twoFrames(page);
    expect(await scrollY(page)).toBe(before);
    // Focus went back to the selected node, now far above the viewport, and the page did not follow it.
    await expect(builder.node('Input')).toBeFocused();
    await page.screenshot({ path: info.outputPath('after-escape.png') });
  });

  await test.step('the same, closed by clicking a command (Auto-layout, which changes no height on the page)', async () => {
    await wheel(page, -3000);
    await expect.poll(() => scrollY(page)).toBe(0);
    await commands.click();
    await wheel(page, 600);
    await expect.poll(() => scrollY(page)).toBeGreaterThan(300);
    const before = await scrollY(page);
    await builder.commandInput.fill('layout');
    await page.getByRole('option', { name: 'Auto-layout the graph' }).click();
    await expect(builder.commandInput).toBeHidden();
    await twoFrames(page);
    expect(await scrollY(page)).toBe(before);
    // Focus on the selected node, as after Escape, not on what lay under the pointer once the dialog closed.
    await expect(builder.node('Input')).toBeFocused();
    await page.screenshot({ path: info.outputPath('after-command.png') });
  });
});
