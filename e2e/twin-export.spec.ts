/**
 * Build's Export .py and `npm run export` write the same file (#18): load the LeNet-5 preset in the browser host,
 * click Export .py, and compare the download byte for byte with what the command line writes for that preset.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuilderPage } from './support/builder-page';
import { expect, ROOT, test } from './support/web-host';

test.use({ viewport: { width: 1440, height: 1100 } });

test('Export .py of the LeNet-5 preset is byte for byte what npm run export -- --preset LeNet-5 writes', async ({ app }) => {
  const builder = new BuilderPage(app.page);
  await app.open();
  await app.page.getByRole('combobox', { name: 'Presets' }).selectOption('LeNet-5');
  await builder.expectParams('61,706');

  const twin = app.page.getByRole('region', { name: 'PyTorch twin' });
  await expect(twin).toContainText('torchrun --nproc_per_node 2 --redirects 1 --tee 2 --log_dir logs lenet_5.py');
  await twin.screenshot({ path: test.info().outputPath('lenet-5-twin.png') });

  const downloaded = await builder.exportPython();
  const cli = test.info().outputPath('lenet_5-cli.py');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/export-twin.ts', '--preset', 'LeNet-5', '--out', cli], { cwd: ROOT });
  const exported = readFileSync(downloaded);
  expect(exported.length).toBeGreaterThan(5000);
  expect(exported.equals(readFileSync(cli)), 'the app\'s Export .py and npm run export differ').toBe(true);
});
