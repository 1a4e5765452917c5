/**
 * The browser host as a process (cli.ts from source via tsx): it prints its URL, and however it ends (Ctrl+C /
 * SIGTERM, or kill -9 that gives it no chance to clean up) its engine host does not outlive it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineStatus } from '../../common/api';
import type { ServerFrame } from '../../common/web-protocol';

const CLI = resolve(import.meta.dirname, 'cli.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerlab-cli-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html>');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(test: () => boolean, ms = 10_000) {
  const until = Date.now() + ms;
  while (!test() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return test();
}

/** Starts the CLI with a source engine host (tsx) and returns its URL and the engine's pid once ready. */
async function startCli(): Promise<{ child: ChildProcess; url: string; enginePid: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--port', '0', '--data-dir', join(dir, 'data'), '--renderer-dir', join(dir, 'renderer'),
      '--engine-host', resolve(import.meta.dirname, '../engine-host/index.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const url = await new Promise<string>((done, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) done(m[0]);
    });
    child.once('exit', (code) => fail(new Error(`cli exited ${code}: ${out}`)));
  });
  const { host, searchParams } = new URL(url);
  const ws = new WebSocket(`ws://${host}/ws?token=${searchParams.get('token')}`, { origin: `http://${host}` });
  const enginePid = await new Promise<number>((done) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.kind === 'event' && (frame.payload as EngineStatus).state === 'ready') done((frame.payload as EngineStatus).pid!);
    });
  });
  ws.close();
  return { child, url, enginePid };
}

describe('web host CLI', () => {
  it('prints the URL with a token and leaves no engine behind after SIGTERM', async () => {
    const { child, url, enginePid } = await startCli();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect(isAlive(enginePid)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await waitUntil(() => !isAlive(enginePid))).toBe(true);
  });

  it('leaves no orphan engine even when the host is killed with SIGKILL', async () => {
    const { child, enginePid } = await startCli();
    child.kill('SIGKILL');
    expect(await waitUntil(() => !isAlive(enginePid))).toBe(true);
  });
});
