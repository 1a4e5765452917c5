/** Picks the host adapter: the Electron preload leaves `window.layerlab` behind, a plain browser does not. */
import { BRIDGE_GLOBAL, type LayerLabBridge } from '../../../../common/api';
import { createElectronHost } from './electron-host';
import type { Host } from './host';
import { createWebHost, webSocketUrl } from './web-host';

export function connectHost(win: Window = window): Host {
  const bridge = (win as unknown as Record<string, LayerLabBridge | undefined>)[BRIDGE_GLOBAL];
  if (bridge) return createElectronHost(bridge, win);
  return createWebHost({ url: webSocketUrl(win.location) });
}
