import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineStatus } from '../../../../common/api';
import type { ClientFrame, ServerFrame } from '../../../../common/web-protocol';
import type { Connection } from './host';
import { backoffDelay, createWebHost, webSocketUrl } from './web-host';

/** Just enough of a WebSocket: records what is sent, and lets the test play the server. */
class FakeSocket {
  readyState = 0;
  sent: ClientFrame[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.drop();
  }
  // The server side:
  accept() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(frame: ServerFrame | string) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  drop() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onerror?.();
    this.onclose?.();
  }
}

const URL = 'ws://localhost:5180/ws?token=abc';

function setup() {
  const sockets: FakeSocket[] = [];
  const host = createWebHost({
    url: URL,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  const states: Connection[] = [];
  host.connection.subscribe((c) => states.push(c));
  const last = () => sockets[sockets.length - 1]!;
  return { host, sockets, states, last };
}

const status: EngineStatus = { state: 'ready', pid: 42, reason: null, restarts: 0, hello: null, since: 1 };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('webSocketUrl', () => {
  it('carries the page token to the socket path', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:5180', search: '?token=t%2B1&lang=ko' })).toBe(
      'ws://127.0.0.1:5180/ws?token=t%2B1',
    );
  });
  it('uses wss under https and an empty token when there is none', () => {
    expect(webSocketUrl({ protocol: 'https:', host: 'h', search: '' })).toBe('wss://h/ws?token=');
  });
});

describe('backoffDelay', () => {
  it('doubles from 250 ms and stops at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe('createWebHost', () => {
  it('connects to the given url and reports connecting, then open', () => {
    const { host, last, states } = setup();
    expect(last().url).toBe(URL);
    expect(host.connection.current.state).toBe('connecting');
    last().accept();
    expect(states.map((s) => s.state)).toEqual(['open']);
  });

  it('sends calls with ids and resolves them with the result envelope', async () => {
    const { host, last } = setup();
    last().accept();
    const first = host.api.getEngineStatus();
    const second = host.api.getAppInfo();
    expect(last().sent).toEqual([
      { kind: 'call', id: 1, method: 'getEngineStatus', args: [] },
      { kind: 'call', id: 2, method: 'getAppInfo', args: [] },
    ]);
    // Answers may come back in any order.
    last().push({ kind: 'result', id: 2, envelope: { ok: false, error: { code: 'internal', message: 'x' } } });
    last().push({ kind: 'result', id: 1, envelope: { ok: true, value: status } });
    await expect(first).resolves.toEqual({ ok: true, value: status });
    await expect(second).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'x' } });
  });

  it('holds calls made before the socket opens and sends them on open', async () => {
    const { host, last } = setup();
    const call = host.api.getEngineStatus();
    expect(last().sent).toEqual([]);
    last().accept();
    expect(last().sent).toEqual([{ kind: 'call', id: 1, method: 'getEngineStatus', args: [] }]);
    last().push({ kind: 'result', id: 1, envelope: { ok: true, value: status } });
    await expect(call).resolves.toEqual({ ok: true, value: status });
  });

  it('delivers event frames to the listeners of that event until they unsubscribe', () => {
    const { host, last } = setup();
    last().accept();
    const seen: EngineStatus[] = [];
    const off = host.api.on('engineStatus', (s) => seen.push(s));
    last().push({ kind: 'event', name: 'engineStatus', payload: status });
    off();
    last().push({ kind: 'event', name: 'engineStatus', payload: { ...status, pid: 43 } });
    expect(seen).toEqual([status]);
  });

  it('carries engine messages both ways', () => {
    const { host, last } = setup();
    last().accept();
    const events: unknown[] = [];
    host.engine.subscribe((e) => events.push(e));
    host.engine.post({ type: 'hello' });
    expect(last().sent).toEqual([{ kind: 'engine', message: { type: 'hello' } }]);
    last().push({ kind: 'engine', message: { type: 'pong', id: 7, pid: 42 } });
    expect(events).toEqual([{ type: 'pong', id: 7, pid: 42 }]);
  });

  it('drops engine messages while disconnected, and says when the channel is bound again', () => {
    const { host, last } = setup();
    let binds = 0;
    host.engine.onBind(() => binds++);
    host.engine.post({ type: 'hello' });
    last().accept();
    expect(last().sent).toEqual([]);
    expect(binds).toBe(1);
  });

  it('survives frames it cannot read', () => {
    const { host, last } = setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    last().accept();
    const events: unknown[] = [];
    host.engine.subscribe((e) => events.push(e));
    last().push('not json');
    last().push({ kind: 'error', error: { code: 'bad-request', message: 'nope' } });
    last().push({ kind: 'engine', message: { type: 'hello', hello: null as never } });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(events).toHaveLength(1);
    warn.mockRestore();
  });

  it('reconnects with backoff after a drop, failing calls in flight and re-sending held ones', async () => {
    const { host, sockets, states, last } = setup();
    last().accept();
    let binds = 0;
    host.engine.onBind(() => binds++);
    const inFlight = host.api.getEngineStatus();
    last().drop();
    await expect(inFlight).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(host.connection.current).toEqual({ state: 'reconnecting', retryInMs: 250 });

    const held = host.api.getAppInfo();
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);

    // The server is still down: the wait doubles.
    last().drop();
    expect(host.connection.current).toEqual({ state: 'reconnecting', retryInMs: 500 });
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(3);
    last().accept();
    expect(last().sent).toEqual([{ kind: 'call', id: 2, method: 'getAppInfo', args: [] }]);
    expect(binds).toBe(1);
    last().push({ kind: 'result', id: 2, envelope: { ok: true, value: 'info' } });
    await expect(held).resolves.toEqual({ ok: true, value: 'info' });

    // A later drop starts again from the shortest wait.
    last().drop();
    expect(host.connection.current.retryInMs).toBe(250);
    expect(states.map((s) => s.state)).toEqual(['open', 'reconnecting', 'reconnecting', 'open', 'reconnecting']);
  });

  it('keeps saying connecting until the first connection ever opens', () => {
    const { host, last } = setup();
    last().drop();
    expect(host.connection.current).toEqual({ state: 'connecting', retryInMs: 250 });
  });

  it('stops for good on dispose', async () => {
    const { host, sockets, last } = setup();
    last().accept();
    const call = host.api.getEngineStatus();
    host.dispose();
    await expect(call).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(host.connection.current.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    await expect(host.api.getAppInfo()).resolves.toMatchObject({ ok: false });
  });
});
