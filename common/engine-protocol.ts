/**
 * The engine protocol: every message between the engine host and its peers (main, the renderer) is one member of
 * these discriminated unions, switched on `type`. Main hands the renderer a direct channel to the engine host
 * (a MessagePort in Electron, a bridged WebSocket in the browser host), so training traffic does not pass through
 * main's services.
 */

import { checkTrainingRequest, TRAINING_REQUEST_TYPES, type TrainingEvent, type TrainingRequest } from './training-protocol';
import { checkInsideRequest, INSIDE_REQUEST_TYPES, type InsideEvent, type InsideRequest } from './inside-protocol';
import { checkLessonRequest, isLessonRequest, LESSON_REQUEST_TYPES, type LessonEvent, type LessonRequest } from './lesson-protocol';
import { preview } from './wire-limits';
import type { EngineText } from './engine-text';

export type * from './training-protocol';
export type * from './lesson-protocol';
export type * from './inside-protocol';

/** One gpu.js (or engine) backend as the engine host probed it in its own process. */
export interface BackendProbe {
  name: string; // 'cpu' | 'webasm' | 'webgl2' | 'webgpu' | 'headlessgl' | ...
  available: boolean;
  /** One line, e.g. `ok (12 ms)` or `unavailable (no WebGL in Node)`. */
  detail: string;
  /** The same line as a sentence code, for the renderer to word in the learner's language. */
  detailText?: EngineText;
}

export interface EngineHello {
  engineVersion: string;
  /** The engine host's own process id: tests use it to prove a restart really made a new process. */
  pid: number;
  /** e.g. `node 20.20.2` or `electron 45.5.0 (utility)`. */
  runtime: string;
  backends: BackendProbe[];
  /** The backend the engine computes on now. */
  backendInUse: string;
}

/** Messages to the engine host. */
export type EngineRequest =
  | { type: 'hello' }
  | { type: 'ping'; id: number }
  | TrainingRequest
  | InsideRequest
  | LessonRequest;

/** Messages from the engine host. */
export type EngineEvent =
  | { type: 'hello'; hello: EngineHello }
  | { type: 'pong'; id: number; pid: number }
  | {
    type: 'error'; message: string; requestType?: string; runId?: string; requestId?: number;
    /** The message as a sentence code where it is meant for the learner, for the renderer to word in their language. */
    text?: EngineText;
  }
  | TrainingEvent
  | InsideEvent
  | LessonEvent;

export const ENGINE_REQUEST_TYPES = ['hello', 'ping', ...TRAINING_REQUEST_TYPES, ...INSIDE_REQUEST_TYPES, ...LESSON_REQUEST_TYPES] as const satisfies readonly EngineRequest['type'][];

/** Fails to compile when an EngineRequest type is missing from ENGINE_REQUEST_TYPES. */
type MissingRequestType = Exclude<EngineRequest['type'], (typeof ENGINE_REQUEST_TYPES)[number]>;
export const ENGINE_REQUEST_TYPES_COMPLETE: [MissingRequestType] extends [never] ? true : MissingRequestType = true;

/** Validates an untrusted value as an EngineRequest; returns an error message or null. */
export function checkEngineRequest(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'engine request must be an object';
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(ENGINE_REQUEST_TYPES as readonly string[]).includes(type)) {
    return `unknown engine request type ${preview(type)}`;
  }
  // Finite: the pong echoes the id, and Infinity or NaN would come back as null.
  if (type === 'ping' && !Number.isFinite((value as { id?: unknown }).id)) return 'ping needs a numeric id';
  if (type === 'hello' || type === 'ping') return null;
  if (isLessonRequest({ type })) return checkLessonRequest(value as Record<string, unknown>);
  if ((INSIDE_REQUEST_TYPES as readonly string[]).includes(type)) return checkInsideRequest(value as Record<string, unknown>);
  return checkTrainingRequest(value as Record<string, unknown>);
}
