/**
 * Test support (not shipped): the browser host as users run it, `src-main/web/cli.ts` in a process of its own (from
 * source through tsx, with the engine host from source too), so a test sees what a frame really does to the
 * server: an exception that escapes kills this process, where an in-process server would only fail the test.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import type { ServerFrame } from '../../../common/web-protocol';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  token: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `cli.ts --port 0` with a stub renderer folder under `dir` (data in `dir/data`) and `env` added to this
 * process's environment; resolves once it printed its URL.
 */
export async function startServerProcess(dir: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const renderer = join(dir, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>stub</title>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', join(ROOT, 'src-main/web/cli.ts'), '--port', '0', '--data-dir', join(dir, 'data'),
      '--renderer-dir', renderer, '--engine-host', join(ROOT, 'src-main/engine-host/index.ts'),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let text = '';
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const url = await new Promise<URL>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server printed no URL in 60 s:\n${text}`)), 60_000);
    const look = () => {
      const match = /running at (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        done(new URL(match[1]!));
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => fail(new Error(`the server exited (${code}) before printing its URL:\n${text}`)));
  });
  return {
    child,
    pid: child.pid!,
    port: Number(url.port),
    token: url.searchParams.get('token')!,
    output: () => text,
    alive: () => !exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface Client {
  ws: WebSocket;
  frames: ServerFrame[];
  /** Waits for the first frame not yet taken that matches. */
  next(match?: (frame: ServerFrame) => boolean): Promise<ServerFrame>;
  send(frame: unknown): void;
  /** Resolves with the close code once the socket closed. */
  closed: Promise<number>;
}

/** Opens the WebSocket with the token and a matching Origin (or the given Host and Origin), collecting frames. */
export async function connect(server: ServerProcess, host = `127.0.0.1:${server.port}`): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
    origin: `http://${host}`,
    headers: { Host: host },
    maxPayload: 64 * 1024 * 1024,
  });
  const frames: ServerFrame[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as ServerFrame);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((done) => ws.once('close', (code) => {
    done(code);
    for (const w of waiters.splice(0)) w();
  }));
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', fail);
  });
  const next = async (match: (f: ServerFrame) => boolean = () => true): Promise<ServerFrame> => {
    for (;;) {
      const i = frames.findIndex((f, index) => index >= taken && match(f));
      if (i >= 0) {
        taken = i + 1;
        return frames[i]!;
      }
      if (ws.readyState !== WebSocket.OPEN) throw new Error('the socket closed while a frame was awaited');
      await new Promise<void>((w) => waiters.push(w));
    }
  };
  const send = (frame: unknown) => ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  return { ws, frames, next, send, closed };
}

/** Resident set size in KiB, from /proc (Linux) or ps elsewhere. */
export function rssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: ask ps
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim());
}
