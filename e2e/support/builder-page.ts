/**
 * Page object for the Build tab, by role and accessible name (English): the palette (navigation "Palette"), the
 * canvas (application "Model graph") whose nodes are buttons named like "Linear, 10 features, output 10" and whose
 * edges are images named "input → flatten1: [N,1,28,28] → [N,784]", the properties fields named by their torch
 * names, the summary region, the Train button and the project bar.
 */
import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

export interface SavedProject {
  format: string;
  version: number;
  spec: { nodes: { id: string; op: string; params: Record<string, unknown> }[]; edges: unknown[]; [key: string]: unknown };
  run: unknown;
}

export class BuilderPage {
  readonly palette: Locator;
  readonly canvas: Locator;
  readonly summary: Locator;
  readonly train: Locator;
  readonly flow: Locator;
  readonly twin: Locator;
  readonly commandInput: Locator;

  constructor(readonly page: Page) {
    this.palette = page.getByRole('navigation', { name: 'Palette' });
    this.canvas = page.getByRole('application', { name: 'Model graph' });
    this.summary = page.getByRole('region', { name: 'Model summary' });
    this.train = page.getByRole('button', { name: 'Train', exact: true });
    this.flow = page.getByLabel('Shapes through the model');
    this.twin = page.getByLabel('PyTorch code');
    this.commandInput = page.getByRole('combobox', { name: 'Command' });
  }

  paletteItem(name: string): Locator {
    return this.palette.getByRole('button', { name, exact: true });
  }

  /** A node by the start of its accessible name, e.g. 'Linear, 10 features'. */
  node(nameStart: string): Locator {
    return this.canvas.getByRole('button', { name: new RegExp(`^${escape(nameStart)}`) });
  }

  edge(from: string, to: string): Locator {
    return this.canvas.getByRole('img', { name: new RegExp(`^${escape(from)} → ${escape(to)}:`) });
  }

  /** A text field of the properties panel by its torch name (in_features, lr, …). */
  field(torchName: string): Locator {
    return this.page.getByRole('textbox', { name: torchName, exact: true });
  }

  /**
   * Drags a palette item onto empty canvas, just right of the rightmost node (or bottom left when that is off the
   * canvas): it is appended to the chain and lands there.
   */
  async dragToCanvas(name: string): Promise<void> {
    const box = (await this.canvas.boundingBox())!;
    const nodes = await this.canvas.locator('[data-node-id] > rect').evaluateAll((rects) =>
      rects.map((r) => r.getBoundingClientRect()).map((r) => ({ right: r.right, y: r.top + r.height / 2 })));
    const last = nodes.reduce((a, b) => (b.right > a.right ? b : a), { right: box.x, y: box.y + 60 });
    const x = last.right - box.x + 130;
    const targetPosition = x < box.width - 90 ? { x, y: last.y - box.y } : { x: 90, y: box.height - 50 };
    await this.paletteItem(name).dragTo(this.canvas, { targetPosition });
  }

  /**
   * Drags a palette item with the real mouse (press, move in steps, release) and drops it at (x, y) pixels from the
   * canvas's top left corner.
   */
  async dropAt(name: string, x: number, y: number): Promise<void> {
    const from = (await this.paletteItem(name).boundingBox())!;
    const canvas = (await this.canvas.boundingBox())!;
    await this.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(canvas.x + x, canvas.y + y, { steps: 12 });
    await this.page.mouse.up();
  }

  /** A node's box on screen (its rectangle, without the ports), relative to the canvas's top left corner. */
  async nodeBox(node: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
    const box = (await node.locator('rect').first().boundingBox())!;
    const canvas = (await this.canvas.boundingBox())!;
    return { x: box.x - canvas.x, y: box.y - canvas.y, width: box.width, height: box.height };
  }

  /**
   * What is out of the learner's reach: the ids of the nodes whose box is not wholly on the canvas, and the elements
   * between the graph and its tab panel that have scrolled (the canvas's view pans the graph; nothing around it may
   * scroll it away). Both empty when every node is on screen.
   */
  async offCanvas(): Promise<{ nodes: string[]; scrolled: string[] }> {
    return this.canvas.evaluate((svg) => {
      const frame = svg.getBoundingClientRect();
      const nodes = [...svg.querySelectorAll('[data-node-id]')].filter((node) => {
        const box = node.querySelector('rect')!.getBoundingClientRect();
        return box.left < frame.left - 1 || box.top < frame.top - 1 || box.right > frame.right + 1 || box.bottom > frame.bottom + 1;
      });
      const scrolled: string[] = [];
      for (let el = svg.parentElement; el && el.getAttribute('role') !== 'tabpanel'; el = el.parentElement) {
        if (el.scrollLeft || el.scrollTop) scrolled.push(`${el.tagName} "${el.className}" at (${el.scrollLeft}, ${el.scrollTop})`);
      }
      return { nodes: nodes.map((node) => node.getAttribute('data-node-id')!), scrolled };
    });
  }

  /** The canvas's pan and zoom, as the transform of the group that holds the graph. */
  viewTransform(): Promise<string | null> {
    return this.canvas.locator('g[transform]').first().getAttribute('transform');
  }

  /** The font size in screen pixels of every text on the canvas's nodes (CSS size × the SVG's zoom). */
  async nodeTextScreenPx(): Promise<number[]> {
    // A script string: the e2e wing compiles without the DOM library.
    return this.page.evaluate<number[]>(`[...document.querySelectorAll('svg[role=application] [data-node-id] text')]
      .filter((t) => t.textContent !== '')
      .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)`);
  }

  /** The canvas's status line, where keyboard wiring says what it did. */
  get canvasStatus(): Locator {
    return this.page.locator('#builder-canvas-status');
  }

  /** Drags a palette item onto the middle of the edge from → to: it is inserted there. */
  async dragOntoEdge(name: string, from: string, to: string): Promise<void> {
    const wire = (await this.edge(from, to).locator('path.wire').boundingBox())!;
    const canvas = (await this.canvas.boundingBox())!;
    const targetPosition = { x: wire.x + wire.width / 2 - canvas.x, y: wire.y + wire.height / 2 - canvas.y };
    await this.paletteItem(name).dragTo(this.canvas, { targetPosition });
  }

  /** Drags with the mouse from one node's output port onto another node. */
  async connect(fromNode: Locator, toNode: Locator): Promise<void> {
    const port = (await fromNode.locator('circle.out').boundingBox())!;
    const target = (await toNode.boundingBox())!;
    await this.page.mouse.move(port.x + port.width / 2, port.y + port.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Drags a node's body by (dx, dy) screen pixels. */
  async moveNode(node: Locator, dx: number, dy: number): Promise<void> {
    const box = (await node.boundingBox())!;
    await this.page.mouse.move(box.x + 20, box.y + 10);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + 20 + dx, box.y + 10 + dy, { steps: 5 });
    await this.page.mouse.up();
  }

  async setField(torchName: string, value: string): Promise<void> {
    await this.field(torchName).fill(value);
    await this.field(torchName).press('Enter');
  }

  /** Clicks empty canvas so keyboard shortcuts are not taken by a text field. */
  async focusCanvasBackground(): Promise<void> {
    const box = (await this.canvas.boundingBox())!;
    await this.canvas.click({ position: { x: box.width - 20, y: box.height - 60 } });
  }

  async command(text: string): Promise<void> {
    await this.page.keyboard.press('Control+k');
    await expect(this.commandInput).toBeFocused();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
    await expect(this.commandInput).toBeHidden();
  }

  async expectParams(count: string): Promise<void> {
    await expect(this.summary.getByRole('definition').first()).toHaveText(count);
  }

  /** Downloads the project file and returns it parsed, with the path it was saved to. */
  async download(): Promise<{ project: SavedProject; path: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    const path = await download.path();
    return { project: JSON.parse(readFileSync(path, 'utf8')) as SavedProject, path };
  }

  async upload(name: string, text: string): Promise<void> {
    const [chooser] = await Promise.all([
      this.page.waitForEvent('filechooser'),
      this.page.getByRole('button', { name: 'Upload', exact: true }).click(),
    ]);
    await chooser.setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }

  async exportPython(): Promise<string> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Export .py' }).click(),
    ]);
    return download.path();
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
