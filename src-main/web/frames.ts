/**
 * Parsing and checking the browser host's WebSocket frames (common/web-protocol.ts). A frame that fails here gets
 * an answer, never an exception: calls with a usable id get a result envelope, engine frames an engine error (the
 * renderer waits on both), everything else an error frame. The wire limits are checked here, before the frame
 * reaches anything that recurses over it (the dispatcher, Node's IPC serializer on the way to the engine host).
 * JSON.parse itself is iterative in V8, so a deep frame is parsed safely and then refused.
 */
import { fail } from '../../common/envelope';
import type { ClientFrame, ServerFrame } from '../../common/web-protocol';
import { preview, wireProblem } from '../../common/wire-limits';

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
  const tooBig = wireProblem(frame);
  switch (frame.kind) {
    case 'call': {
      const { id, method, args } = frame;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
        return errorFrame(tooBig?.code ?? 'bad-frame', tooBig?.message ?? 'call frame needs a non-negative integer id');
      }
      if (tooBig) return { ok: false, reply: { kind: 'result', id, envelope: fail(tooBig.code, tooBig.message) } };
      // Method and args are checked by the dispatcher, which answers with an envelope under this id.
      return { ok: true, frame: { kind: 'call', id, method: method as string, args: args as unknown[] } };
    }
    case 'engine':
      if (tooBig) {
        const type = (frame.message as { type?: unknown } | null)?.type;
        const requestType = typeof type === 'string' ? { requestType: type.slice(0, 80) } : {};
        return { ok: false, reply: { kind: 'engine', message: { type: 'error', message: tooBig.message, ...requestType } } };
      }
      // The message itself is validated with checkEngineRequest by the caller (and again by the engine host).
      return { ok: true, frame: { kind: 'engine', message: frame.message as never } };
    default:
      if (tooBig) return errorFrame(tooBig.code, tooBig.message);
      return errorFrame('unknown-kind', `unknown frame kind ${preview(frame.kind ?? null)}`);
  }
}

function errorFrame(code: string, message: string): ParsedFrame {
  return { ok: false, reply: { kind: 'error', error: { code, message } } };
}
