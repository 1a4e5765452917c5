/**
 * The Build tab's canvas as a learner meets it (#15.3): a piece dragged from the palette with the real mouse lands
 * under the pointer, also after zooming and panning; nodes can't be dragged, panned or resized out of reach, and
 * walking the graph with the arrows pans the canvas, never the page; Fit on the 8-node residual preset keeps every
 * node's text at 11 screen px or more; and two nodes are wired, unwired and refused from the keyboard alone, with the
 * canvas's status line saying what happened. Screenshots go to test-results/.
 */
import { BuilderPage } from './support/builder-page';
import { expect, test } from './support/web-host';

// The whole builder in view, as in builder.spec.ts, so drags never scroll mid-gesture.
test.use({ viewport: { width: 1440, height: 1100 } });

/** Within a few px: the drop maths is exact, the rest is sub-pixel rounding of the SVG. */
const NEAR = 3;

test('a piece dropped from the palette lands under the pointer, also zoomed and panned; nodes stay reachable', async ({ app }) => {
  const builder = new BuilderPage(app.page);
  await app.open();
  await expect(builder.node('Input')).toBeVisible();

  await test.step('drop Flatten on empty canvas at (520, 260): its centre is there, wired after the Input', async () => {
    await builder.dropAt('Flatten', 520, 260);
    const box = await builder.nodeBox(builder.node('Flatten'));
    expect(Math.abs(box.x + box.width / 2 - 520)).toBeLessThanOrEqual(NEAR);
    expect(Math.abs(box.y + box.height / 2 - 260)).toBeLessThanOrEqual(NEAR);
    await expect(builder.edge('input', 'flatten1')).toBeVisible();
    await expect(builder.node('Input')).toHaveAttribute('transform', 'translate(40 60)');
  });

  await test.step('zoom in twice and pan, then drop Linear at (300, 330): it lands there at that zoom', async () => {
    await app.page.getByRole('button', { name: 'Zoom in' }).click();
    await app.page.getByRole('button', { name: 'Zoom in' }).click();
    const canvas = (await builder.canvas.boundingBox())!;
    await app.page.mouse.move(canvas.x + 700, canvas.y + 380);
    await app.page.mouse.down();
    await app.page.mouse.move(canvas.x + 620, canvas.y + 330, { steps: 5 });
    await app.page.mouse.up();
    await builder.dropAt('Linear', 300, 330);
    const box = await builder.nodeBox(builder.node('Linear'));
    expect(box.width / 148).toBeCloseTo(1.44, 1); // zoomed 1.2 × 1.2 (the selection outline adds a px or two)
    expect(Math.abs(box.x + box.width / 2 - 300)).toBeLessThanOrEqual(NEAR);
    expect(Math.abs(box.y + box.height / 2 - 330)).toBeLessThanOrEqual(NEAR);
    await expect(builder.edge('flatten1', 'fc1')).toContainText('[N,784] → [N,10]');
    await app.page.screenshot({ path: test.info().outputPath('dropped-where-dropped.png') });
  });

  await test.step('a node dragged far past the top left edge stops at the canvas edge, still on screen', async () => {
    await app.page.getByRole('button', { name: 'Fit', exact: true }).click();
    const canvas = (await builder.canvas.boundingBox())!;
    const box = (await builder.node('Linear').boundingBox())!;
    await builder.moveNode(builder.node('Linear'), canvas.x - 150 - box.x, canvas.y - 120 - box.y);
    const transform = await builder.node('Linear').getAttribute('transform');
    const [x, y] = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(transform!)!.slice(1).map(Number);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    await expect(builder.node('Linear')).toBeInViewport();
  });

  await test.step('panning the background far away leaves part of the graph on the canvas', async () => {
    const canvas = (await builder.canvas.boundingBox())!;
    for (let i = 0; i < 3; i++) {
      await app.page.mouse.move(canvas.x + 40, canvas.y + canvas.height - 40);
      await app.page.mouse.down();
      await app.page.mouse.move(canvas.x + canvas.width - 10, canvas.y + canvas.height - 10, { steps: 4 });
      await app.page.mouse.up();
    }
    const boxes = await builder.canvas.locator('[data-node-id] > rect').evaluateAll((rects) =>
      rects.map((r) => r.getBoundingClientRect()).map(({ left, right, top, bottom }) => ({ left, right, top, bottom })));
    const visible = boxes.filter((b) => b.right > canvas.x && b.left < canvas.x + canvas.width && b.bottom > canvas.y && b.top < canvas.y + canvas.height);
    expect(visible.length).toBeGreaterThan(0);
    await app.page.screenshot({ path: test.info().outputPath('panned-far.png') });
  });
});

for (const preset of ['Residual-MLP', 'LeNet-5']) test(`Fit on the ${preset} preset: every node on the canvas, its text at 11 screen px or more`, async ({ app }) => {
  const builder = new BuilderPage(app.page);
  await app.open();
  await app.page.getByRole('combobox', { name: 'Presets' }).selectOption(preset);
  await app.page.getByRole('button', { name: 'Fit', exact: true }).click();

  const nodes = builder.canvas.locator('[data-node-id]');
  await expect(nodes).toHaveCount(preset === 'LeNet-5' ? 13 : 8);
  const canvas = (await builder.canvas.boundingBox())!;
  expect(await builder.offCanvas()).toEqual({ nodes: [], scrolled: [] });
  const sizes = await builder.nodeTextScreenPx();
  console.log(`${preset} at Fit: node text ${Math.min(...sizes).toFixed(2)}–${Math.max(...sizes).toFixed(2)} screen px, canvas ${canvas.width}×${canvas.height}`);
  expect(sizes.length).toBeGreaterThanOrEqual(8 * 3);
  await expect(builder.node('Input')).toBeInViewport();
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10.95);
  await app.page.screenshot({ path: test.info().outputPath(`${preset}-fit.png`) });
});

test('a resize never pans the graph away, and arrows walking off the edge pan the canvas, not the page', async ({ app }) => {
  const builder = new BuilderPage(app.page);
  const page = app.page;
  await app.open();
  await page.getByRole('combobox', { name: 'Presets' }).selectOption('LeNet-5');
  await builder.expectParams('61,706');

  await test.step('pool1 selected, the window shrunk to 600×450 and back: the graph is where it was, every node on the canvas', async () => {
    await builder.node('MaxPool2d').first().click();
    const before = await builder.viewTransform();
    expect(await builder.offCanvas()).toEqual({ nodes: [], scrolled: [] });
    // What a learner narrowing the window does, and what a full-page screenshot does for a moment.
    await page.setViewportSize({ width: 600, height: 450 });
    await page.setViewportSize({ width: 1440, height: 1100 });
    await expect(builder.node('MaxPool2d').first()).toBeInViewport();
    expect(await builder.viewTransform()).toBe(before);
    expect(await builder.offCanvas()).toEqual({ nodes: [], scrolled: [] });
  });

  await test.step('zoomed in, ↓ walks from the Input to fc3: each is panned onto the canvas, and the page stays put', async () => {
    for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await builder.node('Input').focus();
    const pageScroll = () => page.evaluate<number[]>('[scrollX, scrollY]'); // a script string: no DOM library here
    const scrollBefore = await pageScroll();
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
    const fc3 = builder.node('Linear, 10 features');
    await expect(fc3).toBeFocused();
    const canvas = (await builder.canvas.boundingBox())!;
    const box = await builder.nodeBox(fc3);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(canvas.width);
    expect(box.y + box.height).toBeLessThanOrEqual(canvas.height);
    expect(await pageScroll()).toEqual(scrollBefore);
    expect((await builder.offCanvas()).scrolled).toEqual([]);
    await page.screenshot({ path: test.info().outputPath('walked-zoomed.png') });
  });
});

test('wiring two nodes with the keyboard alone: connect, remove, refuse a loop, cancel, each said in the status line', async ({ app }) => {
  const builder = new BuilderPage(app.page);
  const keys = app.page.keyboard;
  await app.open();
  await builder.node('Input').focus();
  await builder.command('flatten');
  await builder.command('linear');
  await expect(builder.edge('flatten1', 'fc1')).toBeVisible();
  await expect(builder.train).toBeEnabled();

  await test.step('C on Flatten, ↓ to Linear, Enter: the existing edge is removed', async () => {
    await keys.press('ArrowUp');
    await expect(builder.node('Flatten')).toBeFocused();
    await keys.press('c');
    await expect(builder.canvasStatus).toHaveText(/^Connecting from flatten1: move to a node/);
    await keys.press('ArrowDown');
    await expect(builder.node('Linear')).toBeFocused();
    await keys.press('Enter');
    await expect(builder.canvasStatus).toHaveText('Removed the edge flatten1 → fc1.');
    await expect(builder.edge('flatten1', 'fc1')).toHaveCount(0);
    await expect(builder.train).toBeDisabled();
  });

  await test.step('C on Flatten, ↓, Enter again: connected, and the shapes flow', async () => {
    await keys.press('ArrowUp');
    await keys.press('c');
    await keys.press('ArrowDown');
    await builder.canvas.screenshot({ path: test.info().outputPath('keyboard-wire-pending.png') });
    await keys.press('Enter');
    await expect(builder.canvasStatus).toHaveText('Connected flatten1 → fc1.');
    await expect(builder.edge('flatten1', 'fc1')).toContainText('[N,784] → [N,10]');
    await expect(builder.train).toBeEnabled();
  });

  await test.step('a loop is refused with the reason; Escape cancels', async () => {
    await keys.press('c');
    await keys.press('ArrowUp');
    await keys.press('Enter');
    await expect(builder.canvasStatus).toHaveText('Cannot connect fc1 → flatten1: it would make a loop or feed the Input.');
    await expect(builder.edge('fc1', 'flatten1')).toHaveCount(0);
    await keys.press('c');
    await keys.press('Escape');
    await expect(builder.canvasStatus).toHaveText('Connection cancelled.');
    await expect(builder.canvas).toHaveAccessibleDescription('Connection cancelled.');
  });
});
