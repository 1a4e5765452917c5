/**
 * The lesson members of the engine protocol (common/engine-protocol.ts joins them into its unions): the Learn tab's
 * guided lesson, PyTorch's "What is torch.nn really?", whose steps the engine host runs on real MNIST
 * (engine/lessons/torch-nn-tutorial.ts).
 *
 *   renderer → engine   lesson-run {requestId, step, maxBatches?}
 *   engine   → peer     lesson-progress …   ≤ 10/s while a step trains: the part of the loop it is in, and where
 *   engine   → peer     lesson-result {requestId, step, prints, samples?, stopped}
 *   renderer → engine   lesson-stop {requestId}   the loop ends after the batch in hand; the result says so
 *
 * The engine host keeps the notebook's state between steps (step 4 reads the weights step 3 trained), one lesson
 * per peer; a step whose earlier steps have not run runs them first, and says so.
 */

import type { EngineText } from './engine-text';

/** The lesson's steps, in order (the 1–8; "Open in builder" is on every step). */
export const LESSON_STEPS = [
  'data', 'from-scratch', 'training-loop', 'cross-entropy', 'nn-module', 'optim', 'data-loader', 'cnn',
] as const;
export type LessonStepId = (typeof LESSON_STEPS)[number];

/** The training loop, as the tutorial writes it, in order: the lesson highlights the part that is running. */
export const LOOP_PHASES = ['batch', 'forward', 'loss', 'backward', 'step', 'zero_grad'] as const;
export type LoopPhase = (typeof LOOP_PHASES)[number];

/**
 * One value a step prints, as the tutorial's `print(...)` would: `code` is the Python expression, `values` its
 * numbers (one for a scalar tensor, several for a shape or a row), `format` how PyTorch shows them (`float`: a
 * Python float, all its digits).
 */
export interface LessonPrint {
  /** Stable name, for the explanation beside it and for tests: `loss-before`, `accuracy-before`, `valid-loss-0`. */
  id: string;
  code: string;
  values: number[];
  format: 'tensor' | 'shape' | 'ints' | 'row' | 'float';
}

/** Where a step's loop is: 0-based epoch and 1-based batch of `batches` this epoch will run. */
export interface LoopPosition {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
}

export interface LessonResult {
  step: LessonStepId;
  prints: LessonPrint[];
  /** Step 1: the first training images (28×28 grey bytes, row by row) and their labels. */
  samples?: { images: number[][]; labels: number[] };
  /** Earlier steps run first because this one needs their state. */
  ranFirst: LessonStepId[];
  /** The loop was stopped (by the learner, or by a run that started): the prints are of a partly trained model. */
  stopped: boolean;
  /** Set when the engine stopped the step because a run started, in words (`run … is running`). */
  interruptedBy?: string;
  /** The same as a sentence code, for the renderer to word in the learner's language. */
  interruptedByText?: EngineText;
  /** Batches per training or validation pass, when a `maxBatches` option cut the tutorial's passes short. */
  maxBatches: number | null;
  seconds: number;
}

export type LessonRequest =
  /** `maxBatches`: at most this many batches per training or validation pass (tests; the learner gets the tutorial's full ones). */
  | { type: 'lesson-run'; requestId: number; step: LessonStepId; maxBatches?: number }
  | { type: 'lesson-stop'; requestId: number };

export type LessonEvent =
  | ({ type: 'lesson-progress'; requestId: number; step: LessonStepId; phase: LoopPhase; loss: number | null } & LoopPosition)
  | ({ type: 'lesson-result'; requestId: number } & LessonResult);

export const LESSON_REQUEST_TYPES = ['lesson-run', 'lesson-stop'] as const satisfies readonly LessonRequest['type'][];

/** Fails to compile when a LessonRequest type is missing from the list. */
type MissingLessonType = Exclude<LessonRequest['type'], (typeof LESSON_REQUEST_TYPES)[number]>;
export const LESSON_REQUEST_TYPES_COMPLETE: [MissingLessonType] extends [never] ? true : MissingLessonType = true;

export function isLessonRequest(request: { type: string }): request is LessonRequest {
  return (LESSON_REQUEST_TYPES as readonly string[]).includes(request.type);
}

/** Validates an untrusted lesson request (its `type` is already one of LESSON_REQUEST_TYPES); an error or null. */
export function checkLessonRequest(o: Record<string, unknown>): string | null {
  const extra = Object.keys(o).filter((k) => !['type', 'requestId', 'step', 'maxBatches'].includes(k) || (o.type === 'lesson-stop' && (k === 'step' || k === 'maxBatches')));
  if (extra.length) return `${String(o.type)}: unexpected field ${extra.slice(0, 3).map((k) => k.slice(0, 40)).join(', ')}`;
  if (!Number.isInteger(o.requestId) || (o.requestId as number) < 0) return `${String(o.type)}: requestId must be a non-negative integer`;
  if (o.type === 'lesson-stop') return null;
  if (typeof o.step !== 'string' || !(LESSON_STEPS as readonly string[]).includes(o.step)) return `lesson-run: step must be one of ${LESSON_STEPS.join(', ')}`;
  if (o.maxBatches !== undefined && !(Number.isInteger(o.maxBatches) && (o.maxBatches as number) >= 1)) return 'lesson-run: maxBatches must be an integer ≥ 1';
  return null;
}
