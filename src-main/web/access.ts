/**
 * Who may open the browser host's WebSocket: a request carrying this start's random token (compared in constant
 * time), from a page whose Origin is the host itself. The token is what keeps other local pages and processes out;
 * the Origin check stops a foreign page that somehow learned the URL; the Host check (when bound to loopback)
 * defeats DNS rebinding.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
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

/**
 * Exactly the loopback literals (127.0.0.0/8 and ::1, bracketed or not) and `localhost`. Nothing is resolved, and a
 * name is never judged by its prefix: `127.0.0.1.nip.io` is a public DNS name that anyone can point anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  return isIPv6(bare) && new URL(`http://[${bare}]/`).hostname === '[::1]';
}

export interface UpgradeRequestInfo {
  url: string | undefined;
  host: string | undefined;
  origin: string | undefined;
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

/**
 * Whether the HTTP Host header names this server, when it listens on loopback only: a loopback name (above) with
 * this server's port (absent means 80).
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const match = hostHeader === undefined ? null : HOST_HEADER.exec(hostHeader);
  if (!match) return false;
  const [, name, portText] = match;
  return isLoopbackHost(name!) && (portText === undefined ? 80 : Number(portText)) === port;
}

/** `name[:port]` or `[v6][:port]`, and nothing else: no user info, path or query smuggled in. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

export function checkUpgrade(
  request: UpgradeRequestInfo, wsPath: string, token: string, boundHost: string, port: number,
): AccessDecision {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (url.pathname !== wsPath) return { ok: false, status: 404, reason: 'no WebSocket here' };
  const given = url.searchParams.get(TOKEN_PARAM);
  if (given === null || !tokensEqual(given, token)) return { ok: false, status: 401, reason: 'missing or wrong token' };
  if (!hostAllowed(request.host, boundHost, port)) return { ok: false, status: 403, reason: 'unexpected Host' };
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
