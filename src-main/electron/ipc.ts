/**
 * One ipcMain.handle per API method, registered from API_METHODS, each going through the shared dispatcher. A call
 * from any frame that is not the app's own renderer is refused before the dispatcher sees it.
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { API_METHODS } from '../../common/api';
import { fail } from '../../common/envelope';
import { apiChannel, eventChannel } from '../../common/ipc-channels';
import type { AppServices } from '../services/app-services';
import type { EngineProcess } from '../services/engine-process';
import { isTrustedUrl } from './trust';

export function registerApiIpc<P extends EngineProcess>(services: AppServices<P>, devOrigin: string | null): void {
  for (const method of API_METHODS) {
    ipcMain.handle(apiChannel(method), (event, ...args: unknown[]) => {
      if (!isTrustedUrl(event.senderFrame?.url, devOrigin)) {
        return fail('forbidden', `${method} called from an untrusted frame`);
      }
      return services.dispatch(method, args);
    });
  }
}

/** Forwards main's events to the window for as long as it lives. */
export function forwardEvents<P extends EngineProcess>(services: AppServices<P>, window: BrowserWindow): void {
  const off = services.onEvent((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(eventChannel(name), payload);
  });
  window.once('closed', off);
}
