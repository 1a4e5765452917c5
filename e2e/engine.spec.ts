/**
 * The browser host end to end: the header shows the engine as the engine-host process itself reported it, and a
 * killed engine host is restarted with a new process id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, isAlive, test } from './support/web-host';

/** On Linux, proves a pid belongs to the engine host (and not, say, the web server). */
function commandLineOf(pid: number): string | null {
  const file = `/proc/${pid}/cmdline`;
  return existsSync(file) ? readFileSync(file, 'utf8').split('\0').join(' ') : null;
}

test('the header shows the engine ready, with backends probed in the engine-host process', async ({ app }) => {
  await test.step('open the app', async () => {
    await app.open();
  });

  await test.step('the engine is ready', async () => {
    await app.header.expectState('Ready');
  });

  await test.step('the header says the device in plain words, the backends behind Details', async () => {
    await expect(app.header.device).toHaveText(/^your CPU, (1 thread|\d+ threads) \(WebAssembly SIMD\)/);
    await expect(app.header.pid).toBeHidden();
    await expect(app.header.backends.first()).toBeHidden();
    await app.header.showDetails();
    await expect(app.header.backends.first()).toBeVisible();
  });

  await test.step('the pid is the engine host, a separate process', async () => {
    const pid = await app.header.shownPid();
    expect(pid).not.toBe(app.host.process.pid);
    expect(isAlive(pid)).toBe(true);
    const commandLine = commandLineOf(pid);
    if (commandLine !== null) expect(commandLine).toContain('engine-host.js');
  });

  await test.step('the backend and the probe lines came from Node, not from this browser', async () => {
    await expect(app.header.backend).toHaveText(/^\s*(webasm|cpu)\s*$/);
    await expect(app.header.backends.filter({ hasText: /^\s*webasm: ok \(\d+ ms\)\s*$/ })).toHaveCount(1);
    await expect(app.header.backends.filter({ hasText: /^\s*cpu: ok \(\d+ ms\)\s*$/ })).toHaveCount(1);
    // Chromium has WebGL; only the Node engine host would say this.
    await expect(app.header.backends.filter({ hasText: 'webgl2: unavailable (no WebGL in Node)' })).toHaveCount(1);
  });
});

test('a killed engine host comes back as a new process', async ({ app }) => {
  await app.open();
  await app.header.expectState('Ready');
  const oldPid = await app.header.shownPid();

  await test.step('kill -9 the engine host', async () => {
    const sawRestarting = await app.header.watchForState('Restarting');
    process.kill(oldPid, 'SIGKILL');
    await sawRestarting();
  });

  await test.step('the header shows Ready with a new pid', async () => {
    await app.header.expectState('Ready');
    await expect(app.header.pid).not.toHaveText(String(oldPid));
    const newPid = await app.header.shownPid();
    expect(newPid).not.toBe(oldPid);
    expect(isAlive(newPid)).toBe(true);
    expect(isAlive(oldPid)).toBe(false);
  });
});
