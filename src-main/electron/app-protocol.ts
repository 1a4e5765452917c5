/**
 * The privileged app:// scheme that serves out/renderer, with the same SECURITY_HEADERS as the browser host
 * (CSP with 'wasm-unsafe-eval', COOP/COEP), so the renderer runs cross-origin isolated in both hosts.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { protocol } from 'electron';
import { SECURITY_HEADERS } from '../../common/security';
import { contentTypeFor, isInside, resolveStaticPath } from '../services/static-files';
import { APP_HOST, APP_SCHEME } from './trust';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ]);
}

export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return plain(404, 'Not found');
    const path = resolveStaticPath(rendererDir, url.pathname);
    if (!path) return plain(404, 'Not found');
    try {
      const root = await realpath(rendererDir);
      const real = await realpath(path);
      if (!isInside(root, real) || !(await stat(real)).isFile()) return plain(404, 'Not found');
      return new Response(new Uint8Array(await readFile(real)), {
        status: 200,
        headers: { ...SECURITY_HEADERS, 'Content-Type': contentTypeFor(real) },
      });
    } catch {
      return plain(404, 'Not found');
    }
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}
