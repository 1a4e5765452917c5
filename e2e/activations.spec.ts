/**
 * The activations added with the registry (#18), as a learner meets them in the builder: offered in the palette
 * with the catalogue's help, PReLU's learned slopes counted as parameters, its num_parameters misfit explained with
 * its fix, all in Korean with lang=ko.
 */
import { expect, test } from './support/web-host';

test.use({ viewport: { width: 1440, height: 1100 } });

test('in Korean: PReLU from the palette counts its slopes, and a num_parameters misfit says how to fix it', async ({ app }) => {
  await app.page.goto(`${app.host.url}&lang=ko`);
  const palette = app.page.getByRole('navigation', { name: '팔레트' });
  const canvas = app.page.getByRole('application', { name: '모델 그래프' });
  await expect(canvas.getByRole('button', { name: 'Input, 출력 1×28×28' })).toBeVisible();

  await test.step('the palette offers every new activation, with its Korean help', async () => {
    for (const name of ['ReLU6', 'Hardtanh', 'Hardswish', 'Hardsigmoid', 'Mish', 'SELU', 'CELU', 'Softsign', 'LogSigmoid', 'Softmin', 'PReLU']) {
      await expect(palette.getByRole('button', { name, exact: true })).toBeVisible();
    }
    await expect(palette.getByRole('button', { name: 'PReLU', exact: true })).toHaveAttribute('title', /기울기 a를 학습합니다/);
  });

  await test.step('PReLU after the Input: one learned slope, then num_parameters 3 on one channel is a misfit', async () => {
    await palette.getByRole('button', { name: 'PReLU', exact: true }).click();
    await canvas.getByRole('button', { name: /^PReLU, / }).click();
    const panel = app.page.getByRole('region', { name: '속성' });
    await expect(panel).toContainText('학습할 기울기 수');
    await expect(panel).toContainText(/매개변수\s*1(?!\d)/); // its one slope
    const field = app.page.getByRole('textbox', { name: 'num_parameters', exact: true });
    await field.fill('3');
    await field.press('Enter');
    const alert = app.page.getByRole('region', { name: '모델 요약' }).getByRole('alert');
    await expect(alert).toContainText('prelu1 (PReLU)의 num_parameters는 3인데 입력 [N, 1, 28, 28]의 채널은 1개입니다');
    await expect(alert).toContainText('해결: prelu1의 num_parameters를 1(으)로 설정하세요');
    await app.page.screenshot({ path: test.info().outputPath('prelu-korean.png') });
  });
});
