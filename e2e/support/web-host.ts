/**
 * Test fixtures for the browser host: `webHost` starts the built host (node out/main/web.js --port 0) with a
 * temporary data folder and reads the URL it prints; `app` opens that URL in English and hands over the page
 * objects. Teardown stops the host and checks that its engine process went with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { EngineHeader } from './engine-header';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface RunningWebHost {
  /** `http://127.0.0.1:PORT/?token=…` as printed by the host. */
  url: string;
  origin: string;
  process: ChildProcess;
  /** The fresh temporary --data-dir of this host (removed after the test). */
  dataDir: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface StartHostOptions {
  /** Run the host (and so its engine) at this `nice` level, as a background computation would. */
  nice?: number;
}

/** Starts the built browser host on a free port and resolves with the URL it prints. */
export async function startHost(dataDir: string, env: Record<string, string>, options: StartHostOptions = {}): Promise<RunningWebHost> {
  const hostArgs = [join(ROOT, 'out/main/web.js'), '--port', '0', '--data-dir', dataDir];
  const [command, args] = options.nice === undefined
    ? [process.execPath, hostArgs]
    : ['nice', ['-n', String(options.nice), process.execPath, ...hostArgs]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the web host printed no URL within 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/\S+\?token=\S+/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[0]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the web host exited with ${code}:\n${output}`));
    });
  });
  child.stdout!.resume();
  return { url, origin: new URL(url).origin, process: child, dataDir };
}

export async function stopHost(host: RunningWebHost): Promise<void> {
  if (host.process.exitCode !== null || host.process.signalCode !== null) return;
  const exited = new Promise((done) => host.process.once('exit', done));
  host.process.kill('SIGTERM');
  await exited;
}

export interface LayerLabApp {
  page: Page;
  header: EngineHeader;
  host: RunningWebHost;
  /** Opens the app in English. */
  open(): Promise<void>;
}

export const test = base.extend<{ hostEnv: Record<string, string>; webHost: RunningWebHost; app: LayerLabApp }>({
  /** Extra environment for the host, e.g. LAYERLAB_MIRRORS; a spec overrides this fixture (it may use others). */
  hostEnv: async ({}, use) => use({}),
  webHost: async ({ hostEnv }, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-e2e-'));
    const host = await startHost(dataDir, hostEnv);
    try {
      await use(host);
    } finally {
      await stopHost(host);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  app: async ({ page, webHost }, use) => {
    const header = new EngineHeader(page);
    await use({
      page,
      header,
      host: webHost,
      open: async () => void (await page.goto(`${webHost.url}&lang=en`)),
    });
  },
});

export { expect } from '@playwright/test';
