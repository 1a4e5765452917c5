/**
 * IPC channel names shared by the preload and Electron main: one invoke channel per API method, one channel per
 * event, and the channel main uses to hand the renderer its MessagePort to the engine. Pure constants, so the
 * sandboxed preload can bundle them.
 */
import type { ApiEventName, ApiMethod } from './api';

export const apiChannel = (method: ApiMethod): string => `layerlab:api:${method}`;
export const eventChannel = (event: ApiEventName): string => `layerlab:event:${event}`;
/** main → preload (with one MessagePort); the preload re-posts it to the page as `{ type: ENGINE_PORT_CHANNEL }`. */
export const ENGINE_PORT_CHANNEL = 'layerlab:engine-port';
