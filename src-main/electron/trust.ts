/**
 * Which pages main trusts: only the renderer served from the app:// scheme (or, in `npm run dev`, the exact dev
 * server origin electron-vite gives us, loopback only: common/app-origin.ts). IPC handlers check the sender frame's
 * URL against this; navigation away from it is blocked, and the engine port goes to no other page.
 */
import { APP_HOST, APP_SCHEME } from '../../common/app-origin';

export { APP_ENTRY_URL, APP_HOST, APP_ORIGIN, APP_SCHEME, devServerOrigin } from '../../common/app-origin';

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
