/**
 * Turns an untrusted call (method name + arguments, from IPC or a WebSocket frame) into an Envelope. The method
 * must be one of API_METHODS, the arguments must be within the wire limits (Electron's IPC delivers them already
 * deserialized, unchecked) and pass its API_ARG_CHECKS entry before a handler sees them; whatever a handler throws
 * comes back as an error envelope, never as an exception across the boundary.
 */
import { API_ARG_CHECKS, API_METHODS, type ApiHandlers, type ApiMethod } from '../../common/api';
import { fail, failFromError, ok, type ApiError, type Envelope } from '../../common/envelope';
import { preview, wireProblem } from '../../common/wire-limits';
import { englishText, type EngineText } from '../../common/engine-text';

/**
 * Thrown by a handler to choose the error envelope's code (anything else thrown becomes 'internal'); `text` is the
 * message as a sentence code, where the learner reads it (the envelope carries both).
 */
export class ApiCallError extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly text?: EngineText,
    /** The raw reasons behind it, as they came (each mirror's answer to a download). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ApiCallError';
  }

  /** One whose message is a sentence code's English, e.g. ApiCallError.coded('not-found', engineText('dataset.upload.expired', {})). */
  static coded(code: ApiError['code'], text: EngineText): ApiCallError {
    return new ApiCallError(code, englishText(text), text);
  }
}

export type Dispatch = (method: unknown, args: unknown) => Promise<Envelope<unknown>>;

export function isApiMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && (API_METHODS as readonly string[]).includes(method);
}

export function createDispatcher(handlers: ApiHandlers): Dispatch {
  return async (method, args) => {
    if (!isApiMethod(method)) return fail('unknown-method', `unknown method ${preview(method)}`);
    if (!Array.isArray(args)) return fail('bad-request', `${method}: arguments must be an array`);
    const tooBig = wireProblem(args);
    if (tooBig) return fail(tooBig.code, `${method}: ${tooBig.message}`);
    try {
      // Inside the try: a check that throws on a value nobody foresaw answers 'internal', it does not escape.
      const problem = API_ARG_CHECKS[method](args);
      if (problem) return fail('bad-request', problem);
      const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>;
      return ok(await handler(...args));
    } catch (error) {
      return failFromError(error, error instanceof ApiCallError ? error.code : 'internal');
    }
  };
}
