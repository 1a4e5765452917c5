/**
 * Handing the window a fresh MessagePort to the engine host (after every engine start and page load). The port is
 * the whole engine, so it goes only to a page main trusts: checked against the URL the window shows now, since
 * `did-finish-load` fires for whatever page loaded.
 */
import { MessageChannelMain, type MessagePortMain } from 'electron';
import { ENGINE_PORT_CHANNEL } from '../../common/ipc-channels';
import { isTrustedUrl } from './trust';

/** The parts of a BrowserWindow this needs. */
export interface PortTarget {
  isDestroyed(): boolean;
  webContents: {
    getURL(): string;
    postMessage(channel: string, message: unknown, transfer: MessagePortMain[]): void;
  };
}

/** True when the window was handed a port; false (and nothing created) when it is gone or shows another page. */
export function handEnginePort(
  window: PortTarget,
  engine: { connectRenderer(port: MessagePortMain): void },
  devOrigin: string | null,
): boolean {
  if (window.isDestroyed() || !isTrustedUrl(window.webContents.getURL(), devOrigin)) return false;
  const { port1, port2 } = new MessageChannelMain();
  engine.connectRenderer(port1);
  window.webContents.postMessage(ENGINE_PORT_CHANNEL, null, [port2]);
  return true;
}
