/**
 * Who may open the browser host's WebSocket: a request carrying this start's random token (compared in constant
 * time), from a page whose Origin is the host itself. The token is what keeps other local pages and processes out;
 * the Origin check stops a foreign page that somehow learned the URL; the Host check (when bound to loopback)
 * defeats DNS rebinding.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TOKEN_PARAM } from '../../common/web-protocol';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Hashing first gives equal-length buffers, so neither the content nor the length leaks through timing. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

export interface UpgradeRequestInfo {
  url: string | undefined;
  host: string | undefined;
  origin: string | undefined;
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

/** Whether the HTTP Host header names this server, when it listens on loopback only. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  if (!hostHeader) return false;
  try {
    return isLoopbackHost(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return false;
  }
}

export function checkUpgrade(request: UpgradeRequestInfo, wsPath: string, token: string, boundHost: string): AccessDecision {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (url.pathname !== wsPath) return { ok: false, status: 404, reason: 'no WebSocket here' };
  const given = url.searchParams.get(TOKEN_PARAM);
  if (given === null || !tokensEqual(given, token)) return { ok: false, status: 401, reason: 'missing or wrong token' };
  if (!hostAllowed(request.host, boundHost)) return { ok: false, status: 403, reason: 'unexpected Host' };
  if (!request.origin) return { ok: false, status: 403, reason: 'missing Origin' };
  let origin: URL;
  try {
    origin = new URL(request.origin);
  } catch {
    return { ok: false, status: 403, reason: 'bad Origin' };
  }
  if (origin.protocol !== 'http:' || origin.host !== request.host) {
    return { ok: false, status: 403, reason: 'Origin does not match Host' };
  }
  return { ok: true };
}
