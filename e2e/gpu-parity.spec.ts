/**
 * gpu.js parity in Chromium (SwiftShader: no GPU needed): the engine's PyTorch fixture suite on the gpujs-webgl2
 * backend, and on gpujs-webgpu, whose engine runs in a Worker with gpu.js in another (WebGPU only reads back
 * asynchronously: engine/backend/gpujs/remote.ts); before each, every kernel plan against the CPU reference. The page (e2e/gpu-parity/) is
 * built with vite at test time and served from 127.0.0.1 with COOP/COEP. A mode this Chromium lacks is skipped
 * with the reason printed. The page also measures matmul GFLOP/s, printed for engine/backend/gpujs/README.md.
 */
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { buildPage, servePage, type PageServer } from './gpu-parity/serve';
import type { ParityReport } from './gpu-parity/main';

const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

test.use({
  // The page reports everything the spec needs; a trace of a minute of kernel launches only costs disk.
  trace: 'off',
  launchOptions: {
    executablePath,
    // Unlike the app's specs, the GPU stays on: SwiftShader renders WebGL2 and, with unsafe WebGPU, WebGPU.
    args: ['--no-sandbox', '--disable-background-networking', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu'],
  },
});

let server: PageServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await servePage(buildPage());
});

test.afterAll(async () => {
  await server?.close();
});

for (const mode of ['webgl2', 'webgpu'] as const) {
  test(`gpu.js ${mode} matches PyTorch and the CPU reference`, async ({ page }) => {
    // SwiftShader runs shaders on the CPU: the fixture suite takes about a minute on webgl2.
    test.setTimeout(600_000);
    const report = await test.step('run the page', async () => {
      await page.goto(`${server.url}?mode=${mode}`);
      const report = () => (globalThis as unknown as { gpuParity?: ParityReport }).gpuParity;
      await page.waitForFunction(() => (globalThis as unknown as { gpuParity?: ParityReport }).gpuParity?.done, undefined, {
        timeout: 570_000,
        polling: 500,
      });
      return (await page.evaluate(report)) as ParityReport;
    });
    if (!report.available) {
      console.log(`gpu.js ${mode}: skipped (${report.reason})`);
      test.skip(true, report.reason);
      return;
    }
    const count = (s: string) => report.results.filter((r) => r.status === s).length;
    console.log(
      `gpu.js ${mode}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped, ${report.launches} gpu.js launches`,
    );
    for (const f of report.figures) console.log(`  matmul ${f.label}: ${f.gflops.toFixed(3)} GFLOP/s (${f.ms.toFixed(1)} ms incl. upload + readback)`);
    // A skip is the fixture file's own skipIf holding in the page: today only the real-MNIST test, whose IDX files
    // (../shared/data) are read from disk in Node and are not served to this page.
    for (const r of report.results.filter((r) => r.status === 'skip')) console.log(`  skipped: ${r.name}: ${r.reason}`);
    const worst = report.results.filter((r) => r.detail).map((r) => `${r.name}: ${r.detail}`);
    for (const line of worst) console.log(`  ${line}`);
    expect(report.error).toBeUndefined();
    expect(report.results.filter((r) => r.status === 'fail')).toEqual([]);
    // webgpu: the kernel checks, then the engine in a worker (training steps and the fixture suite).
    expect(count('pass')).toBeGreaterThan(800);
    expect(report.fallbacks).toEqual([]);
  });
}
