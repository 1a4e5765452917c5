/**
 * #18's new losses and optimizers as a learner meets them on the Build tab, in the browser host: KLDivLoss chosen
 * for the MLP preset says what it needs on MNIST (LogSoftmax at the end, 'batchmean' over torch's 'mean', and no
 * log_target with one-hot labels) and stops saying it once done; NAdam shows torch's defaults; the twin writes both.
 */
import { BuilderPage } from './support/builder-page';
import { expect, test } from './support/web-host';

test.use({ viewport: { width: 1440, height: 1100 } });

test('KLDivLoss and NAdam on the MLP preset: lint and validation say what MNIST needs, the twin writes them', async ({ app }, testInfo) => {
  const builder = new BuilderPage(app.page);
  const page = app.page;
  await app.open();
  const warnings = page.getByRole('list', { name: 'Warnings' });

  await test.step('MLP with KLDivLoss: two warnings, each naming the fix', async () => {
    await page.getByRole('combobox', { name: 'Presets' }).selectOption('MLP');
    await builder.expectParams('109,386');
    await page.getByRole('combobox', { name: 'Loss', exact: true }).selectOption('KLDivLoss');
    await expect(warnings.getByRole('listitem')).toHaveText([
      'KLDivLoss compares log-probabilities with the one-hot label rows, but the model ends with fc3 (Linear); add LogSoftmax(dim=1) at the end.',
      "KLDivLoss with reduction 'mean' also divides by the 10 classes, so it reports a tenth of the KL divergence per image (torch warns about it); set reduction to 'batchmean'.",
    ]);
    await builder.summary.screenshot({ path: testInfo.outputPath('kldiv-warnings.png') });
  });

  await test.step('LogSoftmax at the end and reduction batchmean: no warnings left', async () => {
    await builder.dragToCanvas('LogSoftmax');
    await expect(builder.node('LogSoftmax')).toBeVisible();
    await expect(warnings.getByRole('listitem')).toHaveCount(1);
    await page.getByRole('combobox', { name: 'reduction', exact: true }).selectOption('batchmean');
    await expect(warnings).toBeHidden();
  });

  await test.step('log_target on is an error that says why, and Train is disabled; off again, Train is back', async () => {
    const logTarget = page.getByRole('checkbox', { name: 'log_target' });
    await logTarget.check();
    await expect(builder.summary.getByText(/log_target=True needs log-probability targets, but MNIST labels become one-hot rows/)).toBeVisible();
    await expect(builder.train).toBeDisabled();
    await logTarget.uncheck();
    await expect(builder.train).toBeEnabled();
  });

  await test.step('NAdam with torch 1.13 defaults; the twin writes the loss and the optimizer as torch names them', async () => {
    await page.getByRole('combobox', { name: 'Optimizer', exact: true }).selectOption('NAdam');
    await expect(builder.field('lr')).toHaveValue('0.002');
    await expect(builder.field('momentum_decay')).toHaveValue('0.004');
    await builder.setField('momentum_decay', '0.01');
    await expect(builder.twin).toContainText("loss_func = nn.KLDivLoss(reduction='batchmean')");
    await expect(builder.twin).toContainText('opt = optim.NAdam(model.parameters(), lr=0.002, momentum_decay=0.01)');
    await page.screenshot({ path: testInfo.outputPath('kldiv-nadam.png'), fullPage: true });
  });
});
