/**
 * The browser host: serves the built renderer over HTTP and implements the renderer↔main contract over one
 * WebSocket per tab (frames in common/web-protocol.ts), using the same services as Electron main. Engine frames are
 * bridged both ways between each socket and the engine host's child-process IPC, tagged with the tab's client id.
 * Every HTTP answer carries SECURITY_HEADERS, 404s included.
 */
import { createReadStream } from 'node:fs';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEventName, ApiEvents, EngineStatus } from '../../common/api';
import { checkEngineRequest } from '../../common/engine-protocol';
import { SECURITY_HEADERS } from '../../common/security';
import { TOKEN_PARAM, WS_PATH, type ServerFrame } from '../../common/web-protocol';
import { createAppServices, type AppServices } from '../services/app-services';
import { ChildProcessLauncher, type ChildEngineProcess } from '../services/child-process-launcher';
import { DatasetService } from '../services/datasets';
import type { SupervisorOptions } from '../services/engine-supervisor';
import { contentTypeFor, isInside, resolveStaticPath } from '../services/static-files';
import { checkUpgrade, hostAllowed, newToken } from './access';
import { parseClientFrame } from './frames';

export interface WebHostOptions {
  port: number;
  host?: string;
  dataDir: string;
  rendererDir: string;
  engineHostPath: string;
  /** Random per start unless given (tests). */
  token?: string;
  /** e.g. ['--import', 'tsx'] to run the engine host from source in tests. */
  engineExecArgv?: string[];
  supervisor?: Partial<SupervisorOptions>;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/?token=…` */
  url: string;
  port: number;
  token: string;
  services: AppServices<ChildEngineProcess>;
  /** Number of connected WebSocket clients. */
  clientCount(): number;
  close(): Promise<void>;
}

/** Per-socket frames can carry training batches later; anything bigger is refused by ws. */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const rendererRoot = await realpath(options.rendererDir);
  await mkdir(options.dataDir, { recursive: true });

  const clients = new Map<string, WebSocket>();
  const send = (ws: WebSocket, frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const broadcast = (frame: ServerFrame) => {
    for (const ws of clients.values()) send(ws, frame);
  };

  const childLauncher = new ChildProcessLauncher({ enginePath: options.engineHostPath, execArgv: options.engineExecArgv });
  const services = createAppServices({
    host: 'web',
    dataDir: options.dataDir,
    supervisor: options.supervisor,
    // No native dialog here: the page uploads the files the user picked (LAYERLAB_MIRRORS is read from env).
    datasets: { service: new DatasetService({ cacheDir: join(options.dataDir, 'datasets') }) },
    launcher: {
      launch() {
        const proc = childLauncher.launch();
        proc.onRendererMessage((client, message) => {
          const ws = clients.get(client);
          if (ws) send(ws, { kind: 'engine', message });
        });
        return proc;
      },
    },
  });

  // Main's events go to every tab; a fresh engine greets every tab, as a new MessagePort does in Electron.
  let greetedPid: number | null = null;
  services.onEvent((name, payload) => {
    broadcast(eventFrame(name, payload));
    const status = payload as EngineStatus;
    if (name === 'engineStatus' && status.state === 'ready' && status.hello && status.pid !== greetedPid) {
      greetedPid = status.pid;
      broadcast({ kind: 'engine', message: { type: 'hello', hello: status.hello } });
    }
  });

  // The port the Host header must name; known once listening (before that no request can arrive).
  let port = options.port;
  const server = createServer((req, res) => {
    serveStatic(req, res, rendererRoot, host, port).catch((error: unknown) => {
      console.error('web host: serving', req.url, 'failed:', error);
      if (!res.headersSent) sendPlain(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  // Requests Node cannot even parse get their 400 with the security headers too.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\n${headerLines()}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  // Tabs that vanished without a close (laptop lid, network drop) are found by an unanswered ping and dropped.
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of clients.values()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let nextClient = 0;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = checkUpgrade({ url: req.url, host: req.headers.host, origin: req.headers.origin }, WS_PATH, token, host, port);
    if (!decision.ok) {
      rejectUpgrade(socket, decision.status, decision.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client = String(++nextClient);
      clients.set(client, ws);
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      ws.on('close', () => {
        clients.delete(client);
        services.supervisor.process?.rendererClosed(client);
      });
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        // One frame's failure is that frame's answer, never the process's: whatever escapes is logged and answered.
        onFrame(ws, client, data.toString(), isBinary).catch((error: unknown) => {
          console.error('web host: a frame failed:', error);
          send(ws, { kind: 'error', error: { code: 'internal', message: 'the server could not handle that frame' } });
        });
      });
      const status = services.supervisor.status;
      send(ws, eventFrame('engineStatus', status));
      if (status.state === 'ready' && status.hello) send(ws, { kind: 'engine', message: { type: 'hello', hello: status.hello } });
    });
  });

  async function onFrame(ws: WebSocket, client: string, text: string, isBinary: boolean): Promise<void> {
    if (isBinary) {
      send(ws, { kind: 'error', error: { code: 'bad-frame', message: 'frames must be JSON text' } });
      return;
    }
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      send(ws, parsed.reply);
      return;
    }
    const frame = parsed.frame;
    if (frame.kind === 'call') {
      send(ws, { kind: 'result', id: frame.id, envelope: await services.dispatch(frame.method, frame.args) });
      return;
    }
    const problem = checkEngineRequest(frame.message);
    const engine = services.supervisor.process;
    const refuse = (message: string) => {
      const type = (frame.message as { type?: unknown } | null)?.type;
      // Echo at most a name's worth of the type: a 30 MB type is not worth sending back.
      const requestType = typeof type === 'string' ? type.slice(0, 80) : undefined;
      send(ws, { kind: 'engine', message: { type: 'error', message, ...(requestType ? { requestType } : {}) } });
    };
    if (problem || !engine) {
      refuse(problem ?? `the engine is ${services.supervisor.status.state}; try again when it is ready`);
      return;
    }
    if (!engine.sendFromRenderer(client, frame.message)) refuse('the engine host could not be sent this message');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  services.supervisor.start();

  return {
    url: `http://${urlHost(host)}:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    services,
    clientCount: () => clients.size,
    async close() {
      clearInterval(heartbeat);
      for (const ws of clients.values()) ws.close(1001, 'server shutting down');
      wss.close();
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        services.shutdown(),
      ]);
    },
  };
}

function eventFrame<E extends ApiEventName>(name: E, payload: ApiEvents[E]): ServerFrame {
  return { kind: 'event', name, payload };
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, boundHost: string, port: number): Promise<void> {
  if (!hostAllowed(req.headers.host, boundHost, port)) return sendPlain(res, 403, 'Forbidden host');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendPlain(res, 405, 'Method not allowed');
  }
  const pathname = new URL(req.url ?? '/', 'http://placeholder').pathname;
  if (pathname === WS_PATH) return sendPlain(res, 426, 'Upgrade required');
  const path = resolveStaticPath(root, pathname);
  if (!path) return sendPlain(res, 404, 'Not found');
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return sendPlain(res, 404, 'Not found');
  }
  const info = await stat(real);
  // A symlink that points out of the renderer folder is treated as absent, as are directories (no listings).
  if (!isInside(root, real) || !info.isFile()) return sendPlain(res, 404, 'Not found');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeFor(real),
    'Content-Length': info.size,
    'Cache-Control': real.endsWith('.html') ? 'no-cache' : 'public, max-age=0, must-revalidate',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(real).on('error', () => res.destroy()).pipe(res);
}

function sendPlain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function rejectUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n${headerLines()}Content-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\nConnection: close\r\n\r\n${reason}`,
  );
}

function headerLines(): string {
  return Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
