/**
 * The browser host's adapter: one WebSocket carries API calls (with ids), pushed events and engine traffic both
 * ways, as common/web-protocol.ts declares. If the socket drops we reconnect with exponential backoff; calls made
 * meanwhile wait in an outbox, calls already sent fail as `unavailable` (we cannot know if the server ran them).
 */
import { API_METHODS, type ApiEventName, type ApiEvents, type LayerLabApi, type LayerLabBridge } from '../../../../common/api';
import { fail, type Envelope } from '../../../../common/envelope';
import type { EngineEvent } from '../../../../common/engine-protocol';
import { TOKEN_PARAM, WS_PATH, type ClientFrame, type ServerFrame } from '../../../../common/web-protocol';
import type { Connection, EngineChannel, Host } from './host';
import { Listeners, WatchableValue } from './listeners';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 5_000 };

/** 250, 500, 1000, … ms, capped: quick when the server merely restarted, gentle when it is gone. */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.initialMs * 2 ** attempt, backoff.maxMs);
}

/** `ws://<host>/ws?token=…`, with the token taken from the page's own query string. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

export interface WebHostOptions {
  url: string;
  createSocket?: (url: string) => WebSocket;
  backoff?: Backoff;
}

/** WebSocket.OPEN, spelled out so the adapter also runs where WebSocket is no global (Node 20 tests). */
const OPEN = 1;

interface PendingCall {
  resolve: (envelope: Envelope<unknown>) => void;
  sent: boolean;
}

export function createWebHost(options: WebHostOptions): Host {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  const connection = new WatchableValue<Connection>({ state: 'connecting', retryInMs: null });
  const apiListeners = new Map<ApiEventName, Listeners<ApiEvents[ApiEventName]>>();
  const engineListeners = new Listeners<EngineEvent>();
  const bindListeners = new Listeners<void>();
  const pending = new Map<number, PendingCall>();
  let outbox: ClientFrame[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let everOpened = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;

  function isOpen(): boolean {
    return socket !== null && socket.readyState === OPEN;
  }

  function send(frame: ClientFrame): void {
    socket!.send(JSON.stringify(frame));
  }

  function open(): void {
    retryTimer = null;
    const ws = createSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      everOpened = true;
      attempt = 0;
      connection.set({ state: 'open', retryInMs: null });
      const queued = outbox;
      outbox = [];
      for (const frame of queued) {
        if (frame.kind === 'call') pending.get(frame.id)!.sent = true;
        send(frame);
      }
      bindListeners.emit();
    };
    ws.onmessage = (event) => receive(event.data);
    // A failed connect fires error then close; close alone decides what happens next.
    ws.onerror = () => {};
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failSentCalls();
      if (disposed) return;
      const delay = backoffDelay(attempt++, backoff);
      connection.set({ state: everOpened ? 'reconnecting' : 'connecting', retryInMs: delay });
      retryTimer = setTimeout(open, delay);
    };
  }

  function failSentCalls(): void {
    for (const [id, call] of pending) {
      if (!call.sent) continue;
      pending.delete(id);
      call.resolve(fail('unavailable', 'The connection to the LayerLab server was lost during the call.'));
    }
  }

  function receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      console.warn('[layerlab] ignoring a frame that is not JSON');
      return;
    }
    switch (frame.kind) {
      case 'result': {
        const call = pending.get(frame.id);
        if (!call) return;
        pending.delete(frame.id);
        call.resolve(frame.envelope);
        return;
      }
      case 'event':
        apiListeners.get(frame.name)?.emit(frame.payload);
        return;
      case 'engine':
        engineListeners.emit(frame.message);
        return;
      case 'error':
        console.warn(`[layerlab] server rejected a frame: ${frame.error.code}: ${frame.error.message}`);
        return;
      default:
        console.warn('[layerlab] ignoring an unknown frame', frame);
    }
  }

  function call(method: string, args: unknown[]): Promise<Envelope<unknown>> {
    if (disposed) return Promise.resolve(fail('unavailable', 'The host connection was closed.'));
    const id = nextId++;
    const frame: ClientFrame = { kind: 'call', id, method, args };
    return new Promise((resolve) => {
      const sent = isOpen();
      pending.set(id, { resolve, sent });
      if (sent) send(frame);
      else outbox.push(frame);
    });
  }

  const methods = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  ) as unknown as LayerLabApi;

  const api: LayerLabBridge = {
    ...methods,
    on(event, listener) {
      let listeners = apiListeners.get(event);
      if (!listeners) apiListeners.set(event, (listeners = new Listeners()));
      return listeners.add(listener as (payload: ApiEvents[ApiEventName]) => void);
    },
  };

  const engine: EngineChannel = {
    post(message) {
      if (isOpen()) send({ kind: 'engine', message });
    },
    subscribe: (listener) => engineListeners.add(listener),
    onBind: (listener) => bindListeners.add(listener),
  };

  open();

  return {
    api,
    engine,
    connection,
    dispose() {
      disposed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
      socket = null;
      for (const call of pending.values()) call.resolve(fail('unavailable', 'The host connection was closed.'));
      pending.clear();
      outbox = [];
      connection.set({ state: 'closed', retryInMs: null });
    },
  };
}
