/**
 * Issue #17's attacks on the browser host, replayed against the real server process (src-main/web/cli.ts, with
 * its real engine host), with a valid token and Origin on 127.0.0.1: what one frame did to the whole app, the
 * DNS-rebinding Host bypass, prototype-key names, and a seeded fuzz of 2,000 bad frames.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../common/api';
import type { ServerFrame } from '../../common/web-protocol';
import { connect, startServerProcess, type Client, type ServerProcess } from './test-support/server-process';

let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerlab-hardening-'));
  server = await startServerProcess(dir);
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The engine status the server pushes on connect, once the engine host has said hello. */
async function ready(c: Client): Promise<EngineStatus> {
  const frame = await c.next((f) => f.kind === 'event' && f.name === 'engineStatus' && (f.payload as EngineStatus).state === 'ready');
  return (frame as { payload: EngineStatus }).payload;
}

/** `{"a":{"a":…1}}`, `depth` levels, as text: the 30 KB frame of the issue is depth 5,000. */
function nestedText(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const isEngineError = (f: ServerFrame) => f.kind === 'engine' && f.message.type === 'error';

async function pong(c: Client, id: number): Promise<number> {
  c.send({ kind: 'engine', message: { type: 'ping', id } });
  const frame = await c.next((f) => f.kind === 'engine' && f.message.type === 'pong' && f.message.id === id);
  return (frame as { message: { pid: number } }).message.pid;
}

describe('one small frame (#17.1)', () => {
  it('a run-start whose spec is nested 5,000 or 2,000 deep is refused; server and engine host live on', async () => {
    const c = await connect(server);
    const engine = await ready(c);
    for (const depth of [5000, 2000]) {
      c.send(`{"kind":"engine","message":{"type":"run-start","spec":${nestedText(depth)}}}`);
      const refusal = await c.next(isEngineError);
      expect(refusal).toMatchObject({ message: { requestType: 'run-start', message: expect.stringMatching(/nested more than/) } });
    }
    // The same nesting in a call's arguments answers the call, so the renderer's promise settles.
    c.send(`{"kind":"call","id":7,"method":"loadProject","args":[${nestedText(5000)}]}`);
    expect(await c.next((f) => f.kind === 'result')).toMatchObject({ id: 7, envelope: { ok: false, error: { code: 'too-deep' } } });
    expect(await pong(c, 1)).toBe(engine.pid);
    expect(server.alive()).toBe(true);
    c.ws.close();
  });
});

/** A GET with the given Host header, over a plain socket to 127.0.0.1 (how a rebound DNS name arrives). */
function getWithHost(path: string, host: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: host } }, (res) => {
      res.resume();
      done(res.statusCode!);
    });
    req.on('error', fail);
    req.end();
  });
}

describe('DNS rebinding (#17.4)', () => {
  const rebound = () => [`127.0.0.1.nip.io:${server.port}`, `127.evil.example:${server.port}`, `localhost.evil.example:${server.port}`];

  it('serves no file to a Host that only starts like loopback, or names another port', async () => {
    for (const host of [...rebound(), `127.0.0.1:${server.port + 1}`, '127.0.0.1', `evil@127.0.0.1:${server.port}`]) {
      expect(await getWithHost('/', host), host).toBe(403);
    }
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST:${server.port}`, `[::1]:${server.port}`]) {
      expect(await getWithHost('/', host), host).toBe(200);
    }
  });

  it('opens no socket for such a Host, even with the token and a matching Origin', async () => {
    for (const host of rebound()) await expect(connect(server, host), host).rejects.toThrow('HTTP 403');
    const c = await connect(server, `localhost:${server.port}`);
    await ready(c);
    c.ws.close();
  });
});

describe('names that are really prototype keys (#17.7)', () => {
  let id = 100;
  async function call(c: Client, method: string, ...args: unknown[]) {
    const callId = ++id;
    c.send({ kind: 'call', id: callId, method, args });
    const frame = await c.next((f) => f.kind === 'result' && f.id === callId);
    return (frame as { envelope: { ok: boolean; error?: { code: string; message: string } } }).envelope;
  }

  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'])(
    '%s is an unknown dataset to fetch, verify, delete and sample',
    async (name) => {
      const c = await connect(server);
      for (const method of ['fetchDataset', 'verifyDataset', 'deleteDataset', 'getDatasetSamples']) {
        const envelope = await call(c, method, name);
        expect(envelope, method).toMatchObject({ ok: false, error: { code: 'unknown-dataset', message: expect.stringContaining(name) } });
      }
      expect(await call(c, 'cancelDatasetFetch', name)).toEqual({ ok: true, value: false });
      c.ws.close();
    },
  );

  it('loadProject says not-found and bad-project, not internal', async () => {
    const c = await connect(server);
    for (const name of ['never-saved', 'constructor', '__proto__']) {
      expect(await call(c, 'loadProject', name), name).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }
    await mkdir(join(dir, 'data', 'projects'), { recursive: true });
    await writeFile(join(dir, 'data', 'projects', 'broken.layerlab.json'), '{"format":');
    expect(await call(c, 'loadProject', 'broken')).toMatchObject({ ok: false, error: { code: 'bad-project', message: expect.stringMatching(/cannot be opened/) } });
    c.ws.close();
  });
});
