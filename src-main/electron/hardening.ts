/**
 * Electron's security checklist, applied to every web contents and the default session: no navigation away from
 * the app (the main frame's or any subframe's: will-navigate sees only the main frame), no new windows, no
 * webviews, no permissions.
 */
import { app, session, type WebContents } from 'electron';
import { isTrustedUrl } from './trust';

export function hardenApp(devOrigin: string | null): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, devOrigin));
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function hardenContents(contents: WebContents, devOrigin: string | null): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url, devOrigin)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isTrustedUrl(event.url, devOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedUrl(url, devOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
