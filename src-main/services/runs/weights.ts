/**
 * Weights in and out of the app as `.safetensors` (common/weights-api.ts): a run's checkpoint read out a page at a
 * time, and a learner's file taken in a page at a time into `<runs dir>/.imports/<id>.safetensors`, where the engine
 * host's `run-import` loads it into a builder model. Main never parses tensors (it does not load the engine); it
 * holds both ends to the size limit and to the safetensors framing, so a file too large or not a safetensors file
 * is refused in plain words before the engine host sees it, and a refused upload leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_ID_PATTERN, type RunMeta } from '../../../common/training-protocol';
import {
  safetensorsShapeProblem, WEIGHTS_CHUNK_BYTES, WEIGHTS_MAX_BYTES, WEIGHTS_UPLOAD_ID, type RunWeightsPage,
  type RunWeightsRequest, type WeightsUploadChunk, type WeightsUploadReceipt,
} from '../../../common/weights-api';
import { ApiCallError } from '../dispatcher';
import { engineText } from '../../../common/engine-text';

interface Upload {
  fileName: string;
  size: number;
  received: number;
  touched: number;
  /** All its bytes are in, waiting as `<id>.safetensors` for the engine host's run-import (which deletes it). */
  complete: boolean;
}

/** Uploads held at once: a learner loads one file at a time; a page that starts hundreds is not a learner. */
const MAX_UPLOADS = 8;

export interface WeightsServiceOptions {
  /** Largest file either way. Default WEIGHTS_MAX_BYTES. */
  maxBytes?: number;
  /** An upload nobody touched for this long is dropped. Default 15 minutes. */
  uploadTtlMs?: number;
}

const mb = (bytes: number) => (bytes < 1048576 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`);

export class WeightsService {
  readonly #uploads = new Map<string, Upload>();
  readonly #max: number;
  readonly #ttl: number;

  constructor(readonly runsDir: string, options: WeightsServiceOptions = {}) {
    this.#max = options.maxBytes ?? WEIGHTS_MAX_BYTES;
    this.#ttl = options.uploadTtlMs ?? 15 * 60_000;
  }

  /** Where the engine host finds a finished upload (and where it is assembled, as `.part`, until then). */
  uploadPath(uploadId: string, part = false): string {
    if (!WEIGHTS_UPLOAD_ID.test(uploadId)) throw new ApiCallError('bad-request', 'bad uploadId');
    return join(this.runsDir, '.imports', `${uploadId}.safetensors${part ? '.part' : ''}`);
  }

  /** One page of a run's checkpoint: 'last' (weights.safetensors), 'best' (its best epoch's) or an epoch's. */
  async read(request: RunWeightsRequest): Promise<RunWeightsPage> {
    const { runId, checkpoint, offset } = request;
    if (!RUN_ID_PATTERN.test(runId)) throw new ApiCallError('bad-request', 'bad run id');
    const meta = await readFile(join(this.runsDir, runId, 'run.json'), 'utf8').then((t) => JSON.parse(t) as RunMeta, () => null);
    if (!meta) throw ApiCallError.coded('not-found', engineText('weights.noRun', { id: runId }));
    const epoch = checkpoint === 'best' ? meta.bestEpoch : checkpoint;
    if (epoch === null) throw ApiCallError.coded('not-found', engineText('weights.noBestEpoch', { name: meta.name }));
    const file = epoch === 'last' ? 'weights.safetensors' : join('epochs', `epoch-${String(epoch).padStart(3, '0')}.safetensors`);
    const path = join(this.runsDir, runId, file);
    const info = await stat(path).catch(() => null);
    if (!info) {
      throw ApiCallError.coded('not-found', epoch === 'last'
        ? engineText('weights.noCheckpoint.last', { name: meta.name })
        : engineText('weights.noCheckpoint.epoch', { name: meta.name, epoch }));
    }
    if (info.size > this.#max) throw ApiCallError.coded('too-large', engineText('weights.checkpointTooLarge', { size: mb(info.size), max: mb(this.#max) }));
    const version = `${info.size}-${Math.round(info.mtimeMs)}`;
    if (request.version !== undefined && request.version !== version) {
      throw ApiCallError.coded('changed', engineText('weights.changed', {}));
    }
    if (offset > info.size) throw new ApiCallError('bad-request', `offset ${offset} is past the end of the ${info.size}-byte file`);
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(WEIGHTS_CHUNK_BYTES, info.size - offset));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      const label = epoch === 'last' ? 'last' : checkpoint === 'best' ? `best-epoch-${epoch}` : `epoch-${epoch}`;
      return { fileName: `${fileStem(meta.name)}-${label}.safetensors`, size: info.size, offset, base64: buffer.subarray(0, bytesRead).toString('base64'), version };
    } finally {
      await handle.close();
    }
  }

  /** One chunk of a weights file, in order; `complete` once all its bytes are in and framed like safetensors. */
  async upload(chunk: WeightsUploadChunk): Promise<WeightsUploadReceipt> {
    await this.#sweep();
    const { fileName, size, offset } = chunk;
    let id = chunk.uploadId;
    let upload = id ? this.#uploads.get(id) : undefined;
    if (id && !upload) throw ApiCallError.coded('not-found', engineText('weights.upload.expired', {}));
    if (upload?.complete) throw new ApiCallError('bad-request', `${fileName} is already uploaded; load it with run-import`);
    if (!upload) {
      if (this.#uploads.size >= MAX_UPLOADS) throw ApiCallError.coded('busy', engineText('weights.upload.busy', {}));
      if (size > this.#max) throw ApiCallError.coded('too-large', engineText('weights.upload.tooLarge', { file: fileName, size: mb(size), max: mb(this.#max) }));
      id = randomBytes(12).toString('hex');
      upload = { fileName, size, received: 0, touched: Date.now(), complete: false };
      await mkdir(join(this.runsDir, '.imports'), { recursive: true });
      await rm(this.uploadPath(id, true), { force: true });
      this.#uploads.set(id, upload);
    }
    try {
      if (fileName !== upload.fileName || size !== upload.size) throw new ApiCallError('bad-request', 'a chunk of another file arrived in this upload');
      if (offset !== upload.received) throw new ApiCallError('bad-request', `${fileName}: expected the chunk at offset ${upload.received}, got ${offset}`);
      const bytes = Buffer.from(chunk.base64, 'base64');
      if (upload.received + bytes.length > size) throw new ApiCallError('bad-request', `${fileName}: more bytes arrived than its size of ${size}`);
      if (offset === 0) {
        const problem = safetensorsShapeProblem(bytes, size);
        if (problem) throw ApiCallError.coded('bad-file', engineText('weights.upload.badFile', { file: fileName, problem }));
      }
      await appendFile(this.uploadPath(id!, true), bytes);
      upload.received += bytes.length;
      upload.touched = Date.now();
      const complete = upload.received === size;
      if (complete) {
        await rename(this.uploadPath(id!, true), this.uploadPath(id!));
        upload.complete = true;
      } else if (bytes.length === 0) {
        throw new ApiCallError('bad-request', `${fileName}: an empty chunk before the end of the file`);
      }
      return { uploadId: id!, received: upload.received, complete };
    } catch (error) {
      // A refused chunk ends its upload: nothing half-written stays behind for the engine host to find.
      await this.#drop(id!);
      throw error;
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#uploads.keys()].map((id) => this.#drop(id)));
  }

  /** Forgets an upload and deletes whatever of it is on disk (its .part, or the finished file nobody imported). */
  async #drop(id: string): Promise<void> {
    this.#uploads.delete(id);
    await Promise.all([rm(this.uploadPath(id, true), { force: true }), rm(this.uploadPath(id), { force: true })]);
  }

  /** Drops uploads nobody touched within the TTL, and finished ones the engine host has imported (and deleted). */
  async #sweep(): Promise<void> {
    for (const [id, upload] of this.#uploads) {
      if (Date.now() - upload.touched > this.#ttl) await this.#drop(id);
      else if (upload.complete && !(await stat(this.uploadPath(id)).then(() => true, () => false))) this.#uploads.delete(id);
    }
  }
}

/** A run's name as a file name: letters, digits, dots, dashes and underscores (`MLP 2026-12-04 21:57` → `MLP-2026-12-04-21-57`). */
export function fileStem(name: string): string {
  const stem = name.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80);
  return stem || 'weights';
}
