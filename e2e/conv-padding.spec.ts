/**
 * The #18 follow-up's options as a learner meets them in the Build tab's inspector, in the browser host: Conv2d's
 * padding takes torch's word 'same' (and refuses it on a strided conv, saying why, with Train disabled), its
 * padding_mode offers the four modes and refuses a reflect padding larger than the image, and MultiMarginLoss takes
 * ten class weights; the twin writes each as torch spells it.
 */
import { BuilderPage } from './support/builder-page';
import { expect, test } from './support/web-host';

test.use({ viewport: { width: 1440, height: 1100 } });

test("Conv2d padding 'same' and padding_mode, and MultiMarginLoss class weights, in the inspector and the twin", async ({ app }, testInfo) => {
  test.setTimeout(120_000); // five steps on a shared machine
  const builder = new BuilderPage(app.page);
  const page = app.page;
  await app.open();
  const alert = builder.summary.getByRole('alert');

  await test.step("LeNet-5's conv1: padding 'same' with reflect keeps 28×28, and the twin writes both", async () => {
    await page.getByRole('combobox', { name: 'Presets' }).selectOption('LeNet-5');
    await builder.expectParams('61,706');
    await builder.node('Conv2d').first().click();
    await expect(builder.field('padding')).toHaveValue('2');
    await builder.setField('padding', 'same');
    const mode = page.getByRole('combobox', { name: 'padding_mode', exact: true });
    await expect(mode).toHaveValue('zeros');
    await mode.selectOption('reflect');
    await expect(builder.node('Conv2d, 6 filters, output 6×28×28')).toBeVisible();
    await expect(builder.twin).toContainText("nn.Conv2d(1, 6, 5, padding='same', padding_mode='reflect'),  # conv1");
    await expect(builder.train).toBeEnabled();
    await page.screenshot({ path: testInfo.outputPath('conv-padding-same-reflect.png'), fullPage: true });
    // The full-page screenshot shrinks the window for a moment; the graph must not be panned away by it (#15.3).
    expect(await builder.offCanvas()).toEqual({ nodes: [], scrolled: [] });
  });

  await test.step("stride 2 with 'same' is refused with torch's reason, and Train waits; stride 1 again, it is back", async () => {
    await builder.setField('stride', '2');
    await expect(builder.summary).toContainText("padding='same' needs stride 1 (torch refuses it for strided convolutions)");
    await expect(builder.train).toBeDisabled();
    await builder.setField('stride', '1');
    await expect(builder.train).toBeEnabled();
  });

  await test.step('a reflect padding of 28 on a 28×28 image: the misfit and its fix', async () => {
    await builder.setField('padding', '28');
    await expect(alert).toContainText("conv1 (Conv2d): padding_mode 'reflect' mirrors at most 27 values of a dim of size 28, but padding is 28");
    await expect(alert).toContainText("reduce padding of conv1, or use padding_mode 'zeros' or 'replicate'");
    // replicate copies the edge however far: conv1 fits (its 80×80 output misfits fc1 further on instead).
    await page.getByRole('combobox', { name: 'padding_mode', exact: true }).selectOption('replicate');
    await expect(alert).toContainText('fc1 (Linear) expects in_features 400');
    await builder.setField('padding', 'same');
    await expect(alert).toBeHidden();
  });

  await test.step('MultiMarginLoss with class weights: nine are refused inline, ten reach the twin as a tensor', async () => {
    await page.getByRole('combobox', { name: 'Loss', exact: true }).selectOption('MultiMarginLoss');
    const weight = builder.field('weight');
    await expect(weight).toHaveValue('');
    await weight.fill('1, 2, 1, 1, 1, 1, 1, 1, 1');
    await expect(page.getByText('weight must be a list of 10 numbers ≥ 0')).toBeVisible();
    await expect(builder.train).toBeDisabled();
    await builder.setField('weight', '1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5');
    await expect(builder.twin).toContainText('loss_func = nn.MultiMarginLoss(weight=torch.tensor([1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]))');
    await expect(builder.train).toBeEnabled();
    await page.screenshot({ path: testInfo.outputPath('multimargin-weight.png'), fullPage: true });
  });

  await test.step('in Korean: the inline problems and the help say the same', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ko');
    await builder.field('weight').fill('1, 2');
    await expect(page.getByText('weight ≥ 0인 숫자 10개의 목록이어야 합니다')).toBeVisible();
    await builder.field('padding').fill('full'); // conv1 is still the selected node
    await expect(page.getByText("padding ≥ 0인 정수 하나 또는 정수 두 개여야 합니다 (또는 'same', 'valid' 중 하나)")).toBeVisible();
    // The long Korean reason beside Train wraps; the button's 학습 stays on one line (it was a syllable per line).
    const trainLines = await page.getByRole('button', { name: '학습', exact: true }).evaluate((button) => {
      // The label's line boxes: one top per line (no DOM types on this side of the spec).
      type Lines = { createRange(): { selectNodeContents(n: unknown): void; getClientRects(): ArrayLike<{ top: number }> } };
      const text = (button as unknown as { ownerDocument: Lines }).ownerDocument.createRange();
      text.selectNodeContents(button);
      return new Set(Array.from(text.getClientRects(), (line) => Math.round(line.top))).size;
    });
    expect(trainLines).toBe(1);
    await page.screenshot({ path: testInfo.outputPath('korean-problems.png'), fullPage: true });
  });
});
