/**
 * Which page origins the Electron app trusts, in one place the sandboxed preload can bundle too: the renderer served
 * from the app:// scheme and, in `npm run dev` only, electron-vite's dev server. That server is on this machine, so
 * a dev URL counts only when it is plain http on a loopback name: ELECTRON_RENDERER_URL pointing anywhere else
 * must not make that origin trusted (it would receive the API and the engine port).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** `http://` + a loopback name + an optional port, then the end or a path: nothing (no `@`, no `.evil`) in between. */
const DEV_URL = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(?=[/?#]|$)/i;

/**
 * The origin of a dev server URL (`http://localhost:5173/` → `http://localhost:5173`), or null when there is none
 * or it is not http on a loopback name. (A pattern, not URL: common/ also builds where no URL global is declared.)
 */
export function devServerOrigin(url: string | null | undefined): string | null {
  const match = url ? DEV_URL.exec(url) : null;
  if (!match) return null;
  const port = match[2] === undefined || Number(match[2]) === 80 ? '' : `:${Number(match[2])}`;
  return `http://${match[1]!.toLowerCase()}${port}`;
}

/** Whether a page of this origin may be handed the engine port: the app's own, or a loopback dev server. */
export function isAppPageOrigin(origin: string | null | undefined): boolean {
  return origin === APP_ORIGIN || (origin != null && devServerOrigin(origin) === origin);
}
