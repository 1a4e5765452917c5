/**
 * Errors cross process boundaries as data, never as thrown exceptions: every API call resolves to an Envelope.
 * `code` is stable and machine-readable; `message` is for people, in English; `text`, where the thrower had one,
 * is that message as a sentence code (common/engine-text.ts) for the renderer to word in the learner's language;
 * `details`, the raw reasons behind it where there were several (each mirror's answer to a download), as they came.
 */
import { isEngineText, type EngineText } from './engine-text';

export interface ApiError {
  code: 'bad-request' | 'unknown-method' | 'not-found' | 'unavailable' | 'internal' | (string & {});
  message: string;
  text?: EngineText;
  details?: string[];
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function fail(code: ApiError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

/**
 * Turn anything thrown into an envelope without leaking stack traces across the boundary. An error that carries its
 * sentence code (`text`: an EngineTextError, a DatasetError, an ApiCallError given one) sends it too, and its
 * `details` where it has some.
 */
export function failFromError(error: unknown, code: ApiError['code'] = 'internal'): Envelope<never> {
  const message = error instanceof Error ? error.message : String(error);
  const { text, details } = (error ?? {}) as { text?: unknown; details?: unknown };
  const coded = isEngineText(text) ? { text } : {};
  const detailed = Array.isArray(details) && details.length > 0 && details.every((d) => typeof d === 'string') ? { details: [...details] } : {};
  return { ok: false, error: { code, message, ...coded, ...detailed } };
}
