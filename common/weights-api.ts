/**
 * The weights part of the renderer↔main API (declared in api.ts): a run's checkpoint read out as `.safetensors`,
 * a page at a time, and a `.safetensors` file uploaded into main, a page at a time, for the engine host to load into
 * a model built in the builder (`run-import`, common/training-protocol.ts). Pages keep every frame well under the
 * browser host's 32 MiB, and the same calls cross Electron's IPC unchanged.
 *
 * ```ts
 * let at = await api.readRunWeights({ runId, checkpoint: 'last', offset: 0 });   // then offset += bytes, same version
 * let r = await api.uploadWeights({ uploadId: null, fileName: 'lenet.safetensors', size, offset: 0, base64 });
 * // … next chunks with r.uploadId; when r.complete, post { type: 'run-import', uploadId: r.uploadId, spec, … }
 * ```
 *
 * Main holds both ends to limits: a file over WEIGHTS_MAX_BYTES, chunks out of order, or bytes that are not a
 * safetensors file are refused in plain words, and a refused upload leaves nothing behind.
 */
import { RUN_ID_PATTERN, WEIGHTS_UPLOAD_ID, type CheckpointRef } from './training-protocol';

export { WEIGHTS_UPLOAD_ID };

/** Largest weights file read out or taken in: far above any model LayerLab trains on MNIST (LeNet-5: 250 KB). */
export const WEIGHTS_MAX_BYTES = 256 * 1024 * 1024;
/** Raw bytes per page; its base64 (4/3 of it) stays well under the browser host's 32 MiB frame. */
export const WEIGHTS_CHUNK_BYTES = 4 * 1024 * 1024;

export interface RunWeightsRequest {
  runId: string;
  checkpoint: CheckpointRef;
  offset: number;
  /** The `version` the first page answered: a file that changed since (a running run's next epoch) is refused. */
  version?: string;
}

export interface RunWeightsPage {
  /** What to save it as: the run's name and the checkpoint, e.g. `MLP-2026-12-04-epoch-3.safetensors`. */
  fileName: string;
  /** The whole file's size in bytes. */
  size: number;
  offset: number;
  base64: string;
  /** Size and modification time of the file this page came from. */
  version: string;
}

export interface WeightsUploadChunk {
  /** null starts a new upload; later chunks carry the id the first receipt gave. */
  uploadId: string | null;
  /** The picked file's own name (no folders), shown in messages and kept with the imported run. */
  fileName: string;
  /** The whole file's size, given up front so a file too large is refused before its first byte is stored. */
  size: number;
  offset: number;
  base64: string;
}

export interface WeightsUploadReceipt {
  uploadId: string;
  received: number;
  /** All `size` bytes are in and they look like a safetensors file: the engine host may import it. */
  complete: boolean;
}

const FILE_NAME = /^[^\\/\u0000-\u001f]{1,200}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_BASE64 = Math.ceil(WEIGHTS_CHUNK_BYTES / 3) * 4;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function onlyKeys(method: string, value: Record<string, unknown>, keys: readonly string[]): string | null {
  const extra = Object.keys(value).find((k) => !keys.includes(k));
  return extra === undefined ? null : `${method}: unknown field "${extra.slice(0, 40)}"`;
}

export const WEIGHTS_ARG_CHECKS = {
  readRunWeights: (args: unknown[]): string | null => {
    const m = 'readRunWeights';
    if (args.length !== 1 || !isRecord(args[0])) return `${m} takes one request object`;
    const r = args[0];
    if (typeof r.runId !== 'string' || !RUN_ID_PATTERN.test(r.runId)) return `${m}: runId must be a run id like 20261126-191502-k3f9`;
    if (!(r.checkpoint === 'last' || r.checkpoint === 'best' || isCount(r.checkpoint))) return `${m}: checkpoint must be 'last', 'best' or an epoch number`;
    if (!isCount(r.offset)) return `${m}: offset must be a non-negative integer`;
    if (r.version !== undefined && !(typeof r.version === 'string' && r.version.length <= 64)) return `${m}: version must be the string the first page gave`;
    return onlyKeys(m, r, ['runId', 'checkpoint', 'offset', 'version']);
  },
  uploadWeights: (args: unknown[]): string | null => {
    const m = 'uploadWeights';
    if (args.length !== 1 || !isRecord(args[0])) return `${m} takes one chunk object`;
    const c = args[0];
    if (c.uploadId !== null && !(typeof c.uploadId === 'string' && WEIGHTS_UPLOAD_ID.test(c.uploadId))) return `${m}: bad uploadId`;
    if (typeof c.fileName !== 'string' || !FILE_NAME.test(c.fileName)) return `${m}: fileName must be a file's own name`;
    if (!isCount(c.size) || !isCount(c.offset)) return `${m}: size and offset must be non-negative integers`;
    if (typeof c.base64 !== 'string' || c.base64.length > MAX_BASE64 || !BASE64.test(c.base64)) {
      return `${m}: base64 must be base64 of at most ${WEIGHTS_CHUNK_BYTES} bytes`;
    }
    return onlyKeys(m, c, ['uploadId', 'fileName', 'size', 'offset', 'base64']);
  },
};

/**
 * Why `bytes` (a whole file, or at least its first 9 bytes and its size) cannot be a safetensors file, or null: the
 * 8-byte little-endian header length must leave room in the file, and the header must be a JSON object. Main
 * checks this much before anything is stored for the engine host; the engine's own reader checks the rest.
 */
export function safetensorsShapeProblem(head: Uint8Array, size: number): string | null {
  if (size < 10 || head.length < 9) return `it is ${size} bytes, too short for a safetensors file`;
  let n = 0;
  for (let i = 7; i >= 0; i--) n = n * 256 + head[i];
  if (n < 2 || n > size - 8) return `its first 8 bytes say the header is ${n} bytes long, but the file has ${size - 8} after them; it is not a .safetensors file, or it is cut short`;
  if (head[8] !== 0x7b) return 'its header is not a JSON object; it is not a .safetensors file';
  return null;
}
