/**
 * Which pages main trusts: only the renderer served from the app:// scheme (or, in `npm run dev`, the exact dev
 * server origin electron-vite gives us). IPC handlers check the sender frame's URL against this; navigation away
 * from it is blocked.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export function isTrustedUrl(url: string | null | undefined, devOrigin: string | null = null): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  return devOrigin !== null && parsed.origin === devOrigin;
}
