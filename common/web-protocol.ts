/**
 * The browser host's WebSocket frames (JSON text). They carry the same API and engine protocol as Electron's IPC
 * and MessagePort, so the renderer's two host adapters present one interface.
 * The socket URL must carry the per-start token: `ws://host:port/ws?token=…`; without it the upgrade is refused.
 */
import type { Envelope } from './envelope';
import type { ApiEventName, ApiEvents } from './api';
import type { EngineEvent, EngineRequest } from './engine-protocol';

export type ClientFrame =
  | { kind: 'call'; id: number; method: string; args: unknown[] }
  | { kind: 'engine'; message: EngineRequest };

export type ServerFrame =
  | { kind: 'result'; id: number; envelope: Envelope<unknown> }
  | { kind: 'event'; name: ApiEventName; payload: ApiEvents[ApiEventName] }
  | { kind: 'engine'; message: EngineEvent }
  /** A frame the server could not parse or accept; the socket stays open. */
  | { kind: 'error'; error: { code: string; message: string } };

export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';
