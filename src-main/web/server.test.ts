/**
 * The browser host end to end at the HTTP/WebSocket level, with a stub renderer folder and the real engine host
 * (from source via tsx): security headers on every answer, the token and Origin gate, malformed frames, bridging.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineStatus } from '../../common/api';
import { SECURITY_HEADERS } from '../../common/security';
import type { ServerFrame } from '../../common/web-protocol';
import { startWebHost, type WebHost } from './server';

let dir: string;
let host: WebHost;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerlab-web-'));
  const renderer = join(dir, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>stub</title><script type="module" src="/assets/app.js"></script>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'secret');
  await symlink(join(dir, 'secret.txt'), join(renderer, 'link.txt'));
  host = await startWebHost({
    port: 0,
    dataDir: join(dir, 'data'),
    rendererDir: renderer,
    engineHostPath: resolve(import.meta.dirname, '../engine-host/index.ts'),
    engineExecArgv: ['--import', 'tsx'],
  });
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string, method = 'GET', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((done, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name.toLowerCase()], name).toBe(value);
}

const origin = () => `http://127.0.0.1:${host.port}`;
const wsUrl = (token: string | null, path = '/ws') =>
  `ws://127.0.0.1:${host.port}${path}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

/** Opens a socket and collects its frames; `next` waits for the first unseen frame that matches. */
async function client(token: string | null = host.token, wsOrigin: string | undefined = origin()) {
  const ws = new WebSocket(wsUrl(token), wsOrigin ? { origin: wsOrigin } : {});
  const frames: ServerFrame[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as ServerFrame);
    for (const w of waiters.splice(0)) w();
  });
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
      await new Promise<void>((w) => waiters.push(w));
    }
  };
  return { ws, frames, next, send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)) };
}

function refusedStatus(token: string | null, wsOrigin?: string, path = '/ws') {
  return new Promise<number>((done, fail) => {
    const ws = new WebSocket(wsUrl(token, path), wsOrigin ? { origin: wsOrigin } : {});
    ws.once('unexpected-response', (_req, res) => {
      done(res.statusCode!);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => fail(new Error('socket opened')));
    ws.once('error', () => {});
  });
}

async function engineReady(c: Awaited<ReturnType<typeof client>>) {
  if (host.services.supervisor.status.state === 'ready') return host.services.supervisor.status;
  const frame = await c.next((f) => f.kind === 'event' && (f.payload as EngineStatus).state === 'ready');
  return (frame as { payload: EngineStatus }).payload;
}

describe('HTTP', () => {
  it('puts CSP, COOP and COEP on the index, assets, 404s and refusals', async () => {
    const index = await get('/?token=x');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expectSecurityHeaders(index.headers);
    const asset = await get('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expectSecurityHeaders(asset.headers);
    for (const [path, method, status] of [['/missing.js', 'GET', 404], ['/', 'POST', 405], ['/ws', 'GET', 426], ['/assets', 'GET', 404]] as const) {
      const res = await get(path, method);
      expect(res.status, path).toBe(status);
      expectSecurityHeaders(res.headers);
    }
  });

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/link.txt', '/..\\secret.txt'])(
    'blocks traversal: %s',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('secret');
      expectSecurityHeaders(res.headers);
    },
  );

  it('answers a request Node cannot parse with a 400 that is secured too', async () => {
    const { connect } = await import('node:net');
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect(host.port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      let text = '';
      socket.on('data', (c) => (text += c.toString()));
      socket.on('end', () => done(text));
      socket.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toContain(`Content-Security-Policy: ${SECURITY_HEADERS['Content-Security-Policy']}`);
    expect(raw).toContain('Cross-Origin-Embedder-Policy: require-corp');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await get('/', 'GET', { Host: 'evil.example:80' });
    expect(res.status).toBe(403);
    expectSecurityHeaders(res.headers);
  });
});

describe('WebSocket access', () => {
  it('refuses a socket without the token, with a wrong one, or elsewhere', async () => {
    expect(await refusedStatus(null, origin())).toBe(401);
    expect(await refusedStatus('wrong', origin())).toBe(401);
    expect(await refusedStatus(host.token + 'x', origin())).toBe(401);
    expect(await refusedStatus(host.token, origin(), '/other')).toBe(404);
  });

  it('refuses a socket from another origin, or with none', async () => {
    expect(await refusedStatus(host.token, 'http://evil.example')).toBe(403);
    expect(await refusedStatus(host.token, undefined)).toBe(403);
  });
});

describe('WebSocket contract', () => {
  it('answers calls with envelopes and pushes the engine status', async () => {
    const c = await client();
    const first = await c.next();
    expect(first).toMatchObject({ kind: 'event', name: 'engineStatus' });
    c.send({ kind: 'call', id: 1, method: 'getAppInfo', args: [] });
    expect(await c.next((f) => f.kind === 'result')).toMatchObject({ kind: 'result', id: 1, envelope: { ok: true, value: { host: 'web', name: 'LayerLab' } } });
    const ready = await engineReady(c);
    expect(ready.hello?.pid).toBe(ready.pid);
    c.ws.close();
  });

  it('answers malformed frames with errors and keeps serving', async () => {
    const c = await client();
    const status = await engineReady(c);
    c.send('{not json');
    expect(await c.next((f) => f.kind === 'error')).toMatchObject({ error: { code: 'bad-json' } });
    c.send({ kind: 'launch-missiles' });
    expect(await c.next((f) => f.kind === 'error')).toMatchObject({ error: { code: 'unknown-kind' } });
    c.send([1, 2]);
    expect(await c.next((f) => f.kind === 'error')).toMatchObject({ error: { code: 'bad-frame' } });
    c.send({ kind: 'call', method: 'getAppInfo', args: [] });
    expect(await c.next((f) => f.kind === 'error')).toMatchObject({ error: { code: 'bad-frame' } });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next((f) => f.kind === 'error')).toMatchObject({ error: { code: 'bad-frame' } });
    c.send({ kind: 'call', id: 2, method: 'rmRf', args: [] });
    expect(await c.next((f) => f.kind === 'result')).toMatchObject({ id: 2, envelope: { ok: false, error: { code: 'unknown-method' } } });
    c.send({ kind: 'call', id: 3, method: 'getAppInfo', args: ['extra'] });
    expect(await c.next((f) => f.kind === 'result')).toMatchObject({ id: 3, envelope: { ok: false, error: { code: 'bad-request' } } });
    c.send({ kind: 'call', id: 4, method: 'getAppInfo', args: 'nope' });
    expect(await c.next((f) => f.kind === 'result')).toMatchObject({ id: 4, envelope: { ok: false, error: { code: 'bad-request' } } });
    c.send({ kind: 'engine', message: { type: 'format-disk' } });
    expect(await c.next((f) => f.kind === 'engine')).toMatchObject({ message: { type: 'error', requestType: 'format-disk' } });

    c.send({ kind: 'call', id: 5, method: 'getEngineStatus', args: [] });
    expect(await c.next((f) => f.kind === 'result')).toMatchObject({ id: 5, envelope: { ok: true, value: { state: 'ready' } } });
    c.send({ kind: 'engine', message: { type: 'ping', id: 9 } });
    expect(await c.next((f) => f.kind === 'engine' && f.message.type === 'pong')).toEqual({
      kind: 'engine',
      message: { type: 'pong', id: 9, pid: status.pid },
    });
    expect(host.services.supervisor.status.pid).toBe(status.pid);
    c.ws.close();
  });

  it('serves several tabs, each getting its own engine answers', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    await engineReady(a);
    a.send({ kind: 'engine', message: { type: 'ping', id: 1 } });
    b.send({ kind: 'engine', message: { type: 'ping', id: 2 } });
    expect(await a.next((f) => f.kind === 'engine' && f.message.type === 'pong')).toMatchObject({ message: { id: 1 } });
    expect(await b.next((f) => f.kind === 'engine' && f.message.type === 'pong')).toMatchObject({ message: { id: 2 } });
    expect(a.frames.some((f) => f.kind === 'engine' && f.message.type === 'pong' && f.message.id === 2)).toBe(false);
    a.ws.close();
    b.ws.close();
  });

  it('tells every tab about an engine restart, then greets them from the new process', async () => {
    const c = await client();
    const before = await engineReady(c);
    process.kill(before.pid!, 'SIGKILL');
    expect(await c.next((f) => f.kind === 'event' && (f.payload as EngineStatus).state === 'restarting')).toBeTruthy();
    const ready = await c.next((f) => f.kind === 'event' && (f.payload as EngineStatus).state === 'ready');
    const after = (ready as { payload: EngineStatus }).payload;
    expect(after.pid).not.toBe(before.pid);
    expect(await c.next((f) => f.kind === 'engine' && f.message.type === 'hello')).toMatchObject({ message: { hello: { pid: after.pid } } });
    c.ws.close();
  });
});
