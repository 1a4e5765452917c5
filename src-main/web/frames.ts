/**
 * Parsing and checking the browser host's WebSocket frames (common/web-protocol.ts). A frame that fails here gets
 * an answer, never an exception: calls with a usable id get a result envelope, everything else an error frame.
 */
import type { ClientFrame, ServerFrame } from '../../common/web-protocol';

export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; reply: ServerFrame };

const MAX_ID = Number.MAX_SAFE_INTEGER;

export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return errorFrame('bad-json', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return errorFrame('bad-frame', 'frame must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  switch (frame.kind) {
    case 'call': {
      const { id, method, args } = frame;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
        return errorFrame('bad-frame', 'call frame needs a non-negative integer id');
      }
      // Method and args are checked by the dispatcher, which answers with an envelope under this id.
      return { ok: true, frame: { kind: 'call', id, method: method as string, args: args as unknown[] } };
    }
    case 'engine':
      // The message itself is validated with checkEngineRequest by the caller (and again by the engine host).
      return { ok: true, frame: { kind: 'engine', message: frame.message as never } };
    default:
      return errorFrame('unknown-kind', `unknown frame kind ${JSON.stringify(frame.kind ?? null)}`);
  }
}

function errorFrame(code: string, message: string): ParsedFrame {
  return { ok: false, reply: { kind: 'error', error: { code, message } } };
}
