/**
 * Errors cross process boundaries as data, never as thrown exceptions: every API call resolves to an Envelope.
 * `code` is stable and machine-readable; `message` is for people.
 */
export interface ApiError {
  code: 'bad-request' | 'unknown-method' | 'not-found' | 'unavailable' | 'internal' | (string & {});
  message: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function fail(code: ApiError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

/** Turn anything thrown into an envelope without leaking stack traces across the boundary. */
export function failFromError(error: unknown, code: ApiError['code'] = 'internal'): Envelope<never> {
  const message = error instanceof Error ? error.message : String(error);
  return fail(code, message);
}
