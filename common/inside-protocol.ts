/**
 * The engine protocol's "inside the network" and "compare runs" members (common/engine-protocol.ts joins them into
 * its unions; the engine host's RunManager answers them):
 *
 * - `layer-outputs`: one 28×28 image through a run's model, every layer's output recorded on the way by forward
 *   hooks (nn.Module.registerForwardHook), as Predict's layer view draws them;
 * - `layer-weights`: one layer's parameters (first-layer conv filters, a Linear's weight rows as 28×28 maps);
 * - `runs-compare`: every run's meta, spec and history at once, for the run table and its overlaid curves.
 *
 * Tensors cross as float32 bytes in base64 (`Float32Wire`): the browser host's frames are JSON text, where a
 * Float32Array would become an object keyed by index, and base64 is a third of the size of the numbers written
 * out. `decodeFloat32` gives the renderer its Float32Array back, bit for bit the engine's values.
 */
import { IMAGE_PIXELS, RUN_ID_PATTERN, type CheckpointRef, type RunDetail } from './training-protocol';

/** A Float32Array's bytes (little-endian, as every platform LayerLab runs on stores them) in base64. */
export type Float32Wire = string;

/** One module's output for the one input. */
export interface LayerOutput {
  /** The module's state-dict name (`0`, `conv1`), the spec node it came from, and its op (`Conv2d`). */
  name: string;
  nodeId: string | null;
  op: string;
  /** The output's shape without the batch dimension, e.g. [6, 28, 28] or [120]. */
  shape: number[];
  /** Row-major values; cut at LAYER_VALUES_MAX (see `truncated`). */
  values: Float32Wire;
  truncated: boolean;
}

export interface WeightTensor {
  /** The parameter's name within the layer (`weight`, `bias`). */
  name: string;
  shape: number[];
  values: Float32Wire;
  truncated: boolean;
}

/** Most values one layer's output or one weight tensor carries (a 64-channel 28×28 map is 50,176). */
export const LAYER_VALUES_MAX = 262_144;

export type InsideRequest =
  | { type: 'layer-outputs'; requestId: number; image: number[]; runId?: string; checkpoint?: CheckpointRef }
  | { type: 'layer-weights'; requestId: number; layer: string; runId?: string; checkpoint?: CheckpointRef }
  /** Every run on disk (newest first), or the ones named. */
  | { type: 'runs-compare'; requestId: number; runIds?: string[] };

export type InsideEvent =
  | {
    type: 'layer-outputs'; requestId: number; runId: string; checkpoint: CheckpointRef;
    /** The image as the model saw it (normalised), [1, 28, 28]. */
    input: Float32Wire; layers: LayerOutput[]; probabilities: number[]; predicted: number;
  }
  | { type: 'layer-weights'; requestId: number; runId: string; checkpoint: CheckpointRef; layer: string; op: string; tensors: WeightTensor[] }
  | { type: 'runs-compare'; requestId: number; runs: RunDetail[] };

export const INSIDE_REQUEST_TYPES = ['layer-outputs', 'layer-weights', 'runs-compare'] as const satisfies readonly InsideRequest['type'][];

/** Fails to compile when an InsideRequest type is missing from the list. */
type MissingInsideType = Exclude<InsideRequest['type'], (typeof INSIDE_REQUEST_TYPES)[number]>;
export const INSIDE_REQUEST_TYPES_COMPLETE: [MissingInsideType] extends [never] ? true : MissingInsideType = true;

/** Most runs one `runs-compare` names. */
export const RUNS_COMPARE_MAX = 200;

type Obj = Record<string, unknown>;

/** Validates an untrusted inside request (its `type` is one of INSIDE_REQUEST_TYPES); an error message or null. */
export function checkInsideRequest(o: Obj): string | null {
  const type = o.type as InsideRequest['type'];
  const allowed = {
    'layer-outputs': ['image', 'runId', 'checkpoint'],
    'layer-weights': ['layer', 'runId', 'checkpoint'],
    'runs-compare': ['runIds'],
  }[type];
  const extra = Object.keys(o).filter((k) => !['type', 'requestId', ...allowed].includes(k));
  if (extra.length) return `${type}: unexpected field ${extra.slice(0, 3).map((k) => k.slice(0, 40)).join(', ')}`;
  if (!Number.isInteger(o.requestId) || (o.requestId as number) < 0) return `${type}: requestId must be a non-negative integer`;
  if (type === 'runs-compare') {
    const ids = o.runIds;
    if (ids === undefined) return null;
    const ok = Array.isArray(ids) && ids.length <= RUNS_COMPARE_MAX && ids.every((id) => typeof id === 'string' && RUN_ID_PATTERN.test(id));
    return ok ? null : `runs-compare: runIds must list at most ${RUNS_COMPARE_MAX} run ids`;
  }
  if (o.runId !== undefined && !(typeof o.runId === 'string' && RUN_ID_PATTERN.test(o.runId))) return `${type}: runId must be a run id`;
  const c = o.checkpoint;
  if (!(c === undefined || c === 'last' || c === 'best' || (Number.isInteger(c) && (c as number) >= 0))) {
    return `${type}: checkpoint must be 'last', 'best' or an epoch number`;
  }
  if (type === 'layer-weights') {
    return typeof o.layer === 'string' && /^[A-Za-z0-9_.]{1,100}$/.test(o.layer) ? null : 'layer-weights: layer must be a module name like conv1 or 0';
  }
  const image = o.image;
  const ok = Array.isArray(image) && image.length === IMAGE_PIXELS && image.every((p) => typeof p === 'number' && p >= 0 && p <= 255);
  return ok ? null : `layer-outputs: image must be ${IMAGE_PIXELS} pixel values from 0 to 255 (a 28×28 image, row by row)`;
}

// ---------- float32 on the wire ----------

// Both runtimes have them (browsers, and Node since 16); common/ is compiled without DOM or Node types.
declare function btoa(data: string): string;
declare function atob(data: string): string;

/** `values` (cut at `max`) as base64 float32 bytes. */
export function encodeFloat32(values: ArrayLike<number>, max = LAYER_VALUES_MAX): { values: Float32Wire; truncated: boolean } {
  const kept = Float32Array.from({ length: Math.min(values.length, max) }, (_, i) => values[i]);
  const bytes = new Uint8Array(kept.buffer);
  let binary = '';
  // In slices: String.fromCharCode takes its bytes as arguments, and the stack holds only so many.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { values: btoa(binary), truncated: values.length > max };
}

export function decodeFloat32(wire: Float32Wire): Float32Array {
  const binary = atob(wire);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}
