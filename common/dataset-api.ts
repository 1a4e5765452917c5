/**
 * The datasets part of the renderer↔main API (common/api.ts lists the methods and events; this file holds their
 * types and argument checks, so api.ts stays a table of contents).
 *
 * Flow: listDatasets() for the cards; fetchDataset(name) resolves when the download ends (or fails, or is
 * cancelled with cancelDatasetFetch) while `datasetProgress` events stream and `datasetStatus` events say when a
 * dataset changed. Import either asks main for a native file dialog (`importPicker: 'native'`, Electron) or
 * uploads the picked files in chunks (uploadDatasetFile) and then imports the upload (the browser host).
 */
import type { EngineText } from './engine-text';

export type DatasetFileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** What is on disk: ready (all files ok), missing (none), incomplete (some), corrupt (a truncated/corrupt file). */
export type DatasetDiskState = 'ready' | 'missing' | 'incomplete' | 'corrupt';

export interface DatasetFileInfo {
  role: DatasetFileRole;
  file: string;
  state: 'ok' | 'missing' | 'truncated' | 'corrupt';
  size: number;
  expectedSize: number;
  detail?: string;
}

/** One progress tick of a download: the current file and the whole download, with speed (bytes/s) and ETA (s). */
export interface DatasetProgress {
  dataset: string;
  phase: 'download' | 'done';
  file: string;
  role: DatasetFileRole;
  fileBytes: number;
  fileTotal: number;
  bytes: number;
  total: number;
  speed: number;
  /** null until a speed is known. */
  etaSeconds: number | null;
}

export interface DatasetProblem {
  /** DatasetError codes: 'offline' | 'checksum' | 'cache-unwritable' | 'corrupt' | 'invalid-import' | … */
  code: string;
  /** Main's sentence, in English. */
  message: string;
  /** The same sentence as a code, for the renderer to word in the learner's language (absent where main has none). */
  text?: EngineText;
  /** What each mirror answered, as it came (a download that failed on every mirror): for the card's Details. */
  details?: string[];
}

export interface DatasetInfo {
  name: string;
  title: string;
  kind: 'canonical' | 'custom';
  state: DatasetDiskState;
  files: DatasetFileInfo[];
  /** Bytes a download would fetch. */
  downloadBytes: number;
  /** Custom imports say how they were validated. */
  note?: string;
  /** The note as a sentence code, for the renderer to word in the learner's language (absent on older imports). */
  noteText?: EngineText;
  classes: string[];
  dir: string;
  /** The running download's latest progress (bytes 0 before the first tick); null when none runs. */
  download: DatasetProgress | null;
  /** Why the last download failed (kept until the next one starts); null otherwise. Cancelling is no failure. */
  error: DatasetProblem | null;
}

export interface DatasetList {
  datasets: DatasetInfo[];
  /** How Import gets files: a dialog in main (Electron), or the page uploads what the user picked. */
  importPicker: 'native' | 'upload';
}

export interface DatasetVerifyReport {
  name: string;
  ok: boolean;
  /** Corrupt files were deleted; download or import replaces them. */
  files: { role: DatasetFileRole; file: string; state: 'ok' | 'corrupt' | 'missing'; detail?: string }[];
  dataset: DatasetInfo;
}

export interface DatasetImportReport {
  dataset: DatasetInfo;
  kind: 'canonical' | 'custom';
  note?: string;
  noteText?: EngineText;
  files: { file: string; role: DatasetFileRole; recognised: boolean }[];
}

export interface DatasetSampleOptions {
  split?: 'train' | 'test';
  /** How many images, 1..DATASET_SAMPLES_MAX (default 48). */
  count?: number;
  /**
   * The index of the first image: the images from there on, in order (so `{ start: 1234, count: 1 }` is image 1234).
   * Without it, images evenly spread over the split.
   */
  start?: number;
}

/** A few images to look at, and the class histogram of the split's labels. */
export interface DatasetSamples {
  dataset: string;
  split: 'train' | 'test';
  /** Images in the split. */
  total: number;
  height: number;
  width: number;
  classes: string[];
  /** Which images of the split these are. */
  indices: number[];
  labels: number[];
  /** count × height × width grey pixels (0 = black), base64. */
  pixels: string;
  /** Images per class over the whole split, indexed like `classes`. */
  histogram: number[];
}

/** One piece of an uploaded file; a file is sent in order, offset 0 first. uploadId null starts a new upload. */
export interface DatasetUploadChunk {
  uploadId: string | null;
  /** The file's own name (no folders): roles of unknown files are guessed from it ("t10k", "test"). */
  file: string;
  offset: number;
  base64: string;
}

export interface DatasetUploadReceipt {
  uploadId: string;
  /** Bytes of `file` received so far. */
  received: number;
}

export type DatasetImportRequest =
  | { source: 'dialog'; name?: string }
  | { source: 'upload'; uploadId: string; name?: string };

export const DATASET_SAMPLES_DEFAULT = 48;
export const DATASET_SAMPLES_MAX = 256;
/** Raw bytes per upload chunk; its base64 (4/3 of it) must stay well under the browser host's 32 MB frame. */
export const DATASET_UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const FILE = /^[\w][\w.-]{0,127}$/;
const UPLOAD_ID = /^[a-f0-9]{8,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Check = (args: unknown[]) => string | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameProblem(method: string, value: unknown): string | null {
  return typeof value === 'string' && NAME.test(value) ? null : `${method}: the dataset name must be like "mnist"`;
}

function onlyKeys(method: string, value: Record<string, unknown>, keys: readonly string[]): string | null {
  const extra = Object.keys(value).find((k) => !keys.includes(k));
  return extra === undefined ? null : `${method}: unknown option "${extra.slice(0, 40)}"`;
}

const noArgs = (method: string): Check => (args) => (args.length === 0 ? null : `${method} takes no arguments`);

const oneName = (method: string): Check => (args) =>
  args.length !== 1 ? `${method} takes one argument, the dataset name` : nameProblem(method, args[0]);

export const DATASET_ARG_CHECKS = {
  listDatasets: noArgs('listDatasets'),
  fetchDataset: oneName('fetchDataset'),
  cancelDatasetFetch: oneName('cancelDatasetFetch'),
  verifyDataset: oneName('verifyDataset'),
  deleteDataset: oneName('deleteDataset'),
  getDatasetSamples: (args) => {
    const m = 'getDatasetSamples';
    if (args.length < 1 || args.length > 2) return `${m} takes the dataset name and optional options`;
    const bad = nameProblem(m, args[0]);
    if (bad || args[1] === undefined) return bad;
    if (!isRecord(args[1])) return `${m}: options must be an object`;
    const { split, count, start } = args[1];
    if (split !== undefined && split !== 'train' && split !== 'test') return `${m}: split must be "train" or "test"`;
    if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 1 && (count as number) <= DATASET_SAMPLES_MAX)) {
      return `${m}: count must be an integer 1..${DATASET_SAMPLES_MAX}`;
    }
    if (start !== undefined && !(Number.isSafeInteger(start) && (start as number) >= 0)) return `${m}: start must be an integer ≥ 0`;
    return onlyKeys(m, args[1], ['split', 'count', 'start']);
  },
  uploadDatasetFile: (args) => {
    const m = 'uploadDatasetFile';
    if (args.length !== 1 || !isRecord(args[0])) return `${m} takes one chunk object`;
    const c = args[0];
    if (c.uploadId !== null && !(typeof c.uploadId === 'string' && UPLOAD_ID.test(c.uploadId))) return `${m}: bad uploadId`;
    if (typeof c.file !== 'string' || !FILE.test(c.file)) return `${m}: file must be a plain file name (letters, digits, . _ -)`;
    if (!Number.isSafeInteger(c.offset) || (c.offset as number) < 0) return `${m}: offset must be a non-negative integer`;
    if (typeof c.base64 !== 'string' || c.base64.length > Math.ceil(DATASET_UPLOAD_CHUNK_BYTES / 3) * 4 || !BASE64.test(c.base64)) {
      return `${m}: base64 must be base64 of at most ${DATASET_UPLOAD_CHUNK_BYTES} bytes`;
    }
    return onlyKeys(m, c, ['uploadId', 'file', 'offset', 'base64']);
  },
  importDataset: (args) => {
    const m = 'importDataset';
    if (args.length !== 1 || !isRecord(args[0])) return `${m} takes one request object`;
    const r = args[0];
    if (r.name !== undefined) {
      const bad = nameProblem(m, r.name);
      if (bad) return bad;
    }
    if (r.source === 'dialog') return onlyKeys(m, r, ['source', 'name']);
    if (r.source !== 'upload') return `${m}: source must be "dialog" or "upload"`;
    if (typeof r.uploadId !== 'string' || !UPLOAD_ID.test(r.uploadId)) return `${m}: bad uploadId`;
    return onlyKeys(m, r, ['source', 'uploadId', 'name']);
  },
} satisfies Record<string, Check>;
