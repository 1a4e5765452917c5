/**
 * The supervisor with the real engine host in a real child process (run from source through tsx): it says hello
 * with its own pid and probed backends, comes back with a new pid after kill -9, and leaves no process behind.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../common/api';
import type { EngineEvent } from '../../common/engine-protocol';
import { ChildProcessLauncher, type ChildEngineProcess } from './child-process-launcher';
import { EngineSupervisor } from './engine-supervisor';

/** Why the frozen-host test cannot run here, or '' (it freezes the engine host with SIGSTOP, which Windows lacks). */
const noSigstop = process.platform === 'win32' ? 'Windows has no SIGSTOP to freeze the engine host with' : '';
if (noSigstop) console.log(`frozen engine host test skipped: ${noSigstop}`);

const ENGINE_HOST_SOURCE = resolve(import.meta.dirname, '../engine-host/index.ts');
const TSX = ['--import', 'tsx'];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitForStatus(s: EngineSupervisor<ChildEngineProcess>, test: (st: EngineStatus) => boolean, ms = 30_000) {
  return new Promise<EngineStatus>((done, fail) => {
    if (test(s.status)) return done(s.status);
    const timer = setTimeout(() => fail(new Error(`timed out; last status ${JSON.stringify(s.status)}`)), ms);
    const off = s.onStatus((st) => {
      if (!test(st)) return;
      clearTimeout(timer);
      off();
      done(st);
    });
  });
}

async function waitUntilGone(pid: number, ms = 5_000) {
  const until = Date.now() + ms;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return !isAlive(pid);
}

describe('ChildProcessLauncher + EngineSupervisor (real engine host)', () => {
  let supervisor: EngineSupervisor<ChildEngineProcess> | null = null;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = null;
  });

  it('starts, restarts after kill -9 with a new pid, and stops without orphans', async () => {
    supervisor = new EngineSupervisor(new ChildProcessLauncher({ enginePath: ENGINE_HOST_SOURCE, execArgv: TSX }), {
      backoffInitialMs: 50,
    });
    const seen: string[] = [];
    supervisor.onStatus((s) => seen.push(s.state));
    supervisor.start();

    const first = await waitForStatus(supervisor, (s) => s.state === 'ready');
    expect(first.hello?.pid).toBe(first.pid);
    expect(first.hello?.runtime).toMatch(/^node /);
    expect(first.hello?.backends.map((b) => b.name)).toEqual(expect.arrayContaining(['webasm', 'cpu', 'webgl2']));
    expect(first.hello?.backends.find((b) => b.name === 'cpu')?.detail).toMatch(/^ok \(\d+ ms\)$/);
    expect(first.hello?.backends.find((b) => b.name === 'webgl2')?.detail).toBe('unavailable (no WebGL in Node)');
    expect(['webasm', 'cpu']).toContain(first.hello?.backendInUse);

    const oldPid = first.pid!;
    process.kill(oldPid, 'SIGKILL');
    const restarting = await waitForStatus(supervisor, (s) => s.state === 'restarting');
    expect(restarting.reason).toMatch(/killed by SIGKILL/);
    const second = await waitForStatus(supervisor, (s) => s.state === 'ready');
    expect(second.pid).not.toBe(oldPid);
    expect(second.restarts).toBe(1);
    expect(isAlive(oldPid)).toBe(false);

    await supervisor.stop();
    expect(await waitUntilGone(second.pid!)).toBe(true);
    expect(seen).toContain('restarting');
  });

  it('answers renderer frames and rejects bad ones without crashing', async () => {
    supervisor = new EngineSupervisor(new ChildProcessLauncher({ enginePath: ENGINE_HOST_SOURCE, execArgv: TSX }));
    supervisor.start();
    const ready = await waitForStatus(supervisor, (s) => s.state === 'ready');
    const proc = supervisor.process!;
    const got: [string, EngineEvent][] = [];
    const next = (n: number) =>
      new Promise<void>((done) => {
        const poll = () => (got.length >= n ? done() : setTimeout(poll, 10));
        poll();
      });
    proc.onRendererMessage((client, message) => got.push([client, message]));

    proc.sendFromRenderer('7', { type: 'nonsense' });
    proc.sendFromRenderer('7', null);
    proc.sendFromRenderer('8', { type: 'ping', id: 42 });
    proc.sendFromRenderer('8', { type: 'ping' });
    await next(4);
    expect(got[0]).toEqual(['7', { type: 'error', message: 'unknown engine request type "nonsense"', requestType: 'nonsense' }]);
    expect(got[1]).toEqual(['7', { type: 'error', message: 'engine request must be an object' }]);
    expect(got[2]).toEqual(['8', { type: 'pong', id: 42, pid: ready.pid }]);
    expect(got[3]?.[1]).toMatchObject({ type: 'error', requestType: 'ping' });
    expect(supervisor.status.state).toBe('ready');
    expect(supervisor.status.pid).toBe(ready.pid);
  });

  // Issue #17.1, below the web server's limits: at depth 2,000 Node's IPC deserializer in the engine host throws
  // RangeError where no code of ours can catch it (the engine host exited with code 1); at 5,000 the serializer
  // throws in the parent instead. Neither may take a process down.
  it('survives frames the IPC serializer cannot handle, on either side of the channel', async () => {
    supervisor = new EngineSupervisor(new ChildProcessLauncher({ enginePath: ENGINE_HOST_SOURCE, execArgv: TSX }));
    supervisor.start();
    const ready = await waitForStatus(supervisor, (s) => s.state === 'ready');
    const proc = supervisor.process!;
    const pongs: number[] = [];
    proc.onRendererMessage((_client, message) => void (message.type === 'pong' && pongs.push(message.id)));
    const nested = (depth: number) => {
      let spec: unknown = 1;
      for (let i = 0; i < depth; i++) spec = { a: spec };
      return { type: 'run-start', spec };
    };

    expect(proc.sendFromRenderer('1', nested(2000))).toBe(true);
    expect(proc.sendFromRenderer('1', nested(50_000))).toBe(false);
    proc.sendFromRenderer('1', { type: 'ping', id: 1 });
    const until = Date.now() + 10_000;
    while (!pongs.includes(1) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(pongs).toEqual([1]);
    expect(supervisor.status).toMatchObject({ state: 'ready', pid: ready.pid, restarts: 0 });
  });

  // #17.2: an engine host whose event loop is blocked answers nothing; SIGSTOP blocks a real one just as well, and
  // ignores the polite SIGTERM, as a hung process may.
  it.skipIf(noSigstop)('restarts a real engine host that stopped answering, reporting it unresponsive', async () => {
    supervisor = new EngineSupervisor(new ChildProcessLauncher({ enginePath: ENGINE_HOST_SOURCE, execArgv: TSX }), {
      heartbeatMs: 250, unresponsiveAfterMs: 3000, stopTimeoutMs: 500, backoffInitialMs: 50,
    });
    const reasons: string[] = [];
    supervisor.onStatus((s) => void (s.reason && reasons.push(s.reason)));
    supervisor.start();
    const first = await waitForStatus(supervisor, (s) => s.state === 'ready');
    await new Promise((r) => setTimeout(r, 1000));
    expect(supervisor.status).toMatchObject({ state: 'ready', pid: first.pid }); // answering: left alone
    process.kill(first.pid!, 'SIGSTOP');
    const second = await waitForStatus(supervisor, (s) => s.state === 'ready' && s.pid !== first.pid);
    expect(second.restarts).toBe(1);
    expect(reasons.some((r) => /stopped answering for \d+ s \(unresponsive/.test(r))).toBe(true);
    expect(await waitUntilGone(first.pid!)).toBe(true);
  });
});
