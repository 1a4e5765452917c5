/**
 * The frames on the child-process IPC between the browser host and the engine host. One channel carries both
 * peers, so each frame says which one it is for: main's control channel, or a renderer (one per WebSocket client).
 * Electron does not use these: there main talks on `process.parentPort` and each renderer has its own MessagePort.
 */
import type { EngineEvent } from './engine-protocol';

/** Parent → engine host. `message` is untrusted: the engine host validates it with checkEngineRequest. */
export type ChildInbound =
  | { peer: 'main'; message: unknown }
  | { peer: 'renderer'; client: string; message: unknown }
  | { peer: 'renderer-closed'; client: string };

/** Engine host → parent. */
export type ChildOutbound =
  | { peer: 'main'; message: EngineEvent }
  | { peer: 'renderer'; client: string; message: EngineEvent };

/** Electron: what main posts on the parentPort, with one MessagePortMain, to connect a renderer. */
export const RENDERER_PORT_MESSAGE = 'layerlab:renderer-port';
