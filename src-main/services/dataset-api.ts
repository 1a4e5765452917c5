/**
 * The datasets part of the API, over a DatasetService: the handlers (common/dataset-api.ts has the contract) and
 * the events (`datasetProgress`, `datasetStatus`). Both hosts build one with the service they constructed:
 *
 * ```ts
 * const datasets = new DatasetApi({ service: new DatasetService({ cacheDir }), pickFiles }); // pickFiles: Electron only
 * datasets.onEvent((name, payload) => forward(name, payload));
 * createDispatcher({ ...otherHandlers, ...datasets.handlers });
 * ```
 *
 * It adds what the service leaves to hosts: which downloads are running (and their latest progress) for
 * listDatasets, cancelling by name, the last failure per dataset, chunked uploads for the browser host's Import,
 * and a small sample of images with the class histogram for the Data panel.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandlers } from '../../common/api';
import {
  DATASET_ARG_CHECKS, DATASET_SAMPLES_DEFAULT, type DatasetInfo, type DatasetProblem, type DatasetProgress,
  type DatasetSampleOptions, type DatasetSamples,
} from '../../common/dataset-api';
import { engineText } from '../../common/engine-text';
import { DatasetError, type DatasetService, type DatasetStatus } from './datasets';
import { ApiCallError } from './dispatcher';

export type DatasetMethod = keyof typeof DATASET_ARG_CHECKS;
export type DatasetApiHandlers = Pick<ApiHandlers, DatasetMethod>;

export type DatasetApiEvent =
  | { name: 'datasetProgress'; payload: DatasetProgress }
  | { name: 'datasetStatus'; payload: DatasetInfo };

export interface DatasetApiOptions {
  service: DatasetService;
  /** A native open-file dialog (Electron); resolves to the picked paths, or null when closed. */
  pickFiles?: () => Promise<string[] | null>;
  /** Where uploads are assembled before import. Default: the OS temp folder. */
  uploadDir?: string;
  /** An upload nobody touched for this long is dropped. Default 15 minutes. */
  uploadTtlMs?: number;
  /** Largest upload (all files together). Default 256 MiB: Fashion-MNIST's raw IDX files fit. */
  uploadMaxBytes?: number;
}

interface Job {
  controller: AbortController;
  promise: Promise<DatasetInfo>;
}

interface Upload {
  dir: string;
  sizes: Map<string, number>;
  touched: number;
}

export class DatasetApi {
  readonly handlers: DatasetApiHandlers;
  private readonly service: DatasetService;
  private readonly jobs = new Map<string, Job>();
  private readonly progress = new Map<string, DatasetProgress>();
  private readonly errors = new Map<string, DatasetProblem>();
  private readonly uploads = new Map<string, Upload>();
  private readonly samples = new Map<string, Promise<DatasetSamples>>();
  private readonly listeners = new Set<(event: DatasetApiEvent) => void>();
  private readonly offService: () => void;

  constructor(private readonly options: DatasetApiOptions) {
    this.service = options.service;
    const onProgress = (p: DatasetProgress) => {
      this.progress.set(p.dataset, p);
      this.emit({ name: 'datasetProgress', payload: p });
    };
    const onStatus = (s: DatasetStatus) => {
      this.forgetSamples(s.name);
      this.emit({ name: 'datasetStatus', payload: this.info(s) });
    };
    this.service.on('progress', onProgress);
    this.service.on('status', onStatus);
    this.offService = () => {
      this.service.off('progress', onProgress);
      this.service.off('status', onStatus);
    };
    this.handlers = {
      listDatasets: () => this.guard(async () => ({
        datasets: (await this.service.list()).map((s) => this.info(s)),
        importPicker: options.pickFiles ? ('native' as const) : ('upload' as const),
      })),
      fetchDataset: (name) => this.guard(() => this.fetch(name)),
      cancelDatasetFetch: async (name) => {
        const job = this.jobs.get(name);
        job?.controller.abort();
        return job !== undefined;
      },
      verifyDataset: (name) => this.guard(async () => {
        const { status, ...report } = await this.service.verify(name);
        return { ...report, dataset: this.info(status) };
      }),
      deleteDataset: (name) => this.guard(async () => {
        this.errors.delete(name);
        this.forgetSamples(name);
        const status = await this.service.delete(name);
        if (status === null) return null;
        return this.info(status);
      }),
      uploadDatasetFile: (chunk) => this.guard(() => this.receive(chunk.uploadId, chunk.file, chunk.offset, chunk.base64)),
      importDataset: (request) => this.guard(async () => {
        if (request.source === 'dialog') {
          if (!this.options.pickFiles) throw new ApiCallError('unsupported', 'This host has no file dialog; upload the files instead.');
          const paths = await this.options.pickFiles();
          if (!paths || paths.length === 0) return null;
          return this.import(paths, request.name);
        }
        const upload = this.uploads.get(request.uploadId);
        if (!upload) throw ApiCallError.coded('not-found', engineText('dataset.upload.expired', {}));
        this.uploads.delete(request.uploadId);
        try {
          return await this.import([...upload.sizes.keys()].map((f) => join(upload.dir, f)), request.name);
        } finally {
          await rm(upload.dir, { recursive: true, force: true });
        }
      }),
      getDatasetSamples: (name, options) => this.guard(() => this.sampled(name, options)),
    };
  }

  /** Subscribes to datasetProgress / datasetStatus; returns the unsubscribe function. */
  onEvent(listener: (event: DatasetApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Cancels running downloads (their .part files stay, so the next start resumes) and drops uploads. */
  async dispose(): Promise<void> {
    this.offService();
    const running = [...this.jobs.values()];
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((job) => job.promise.catch(() => undefined)));
    await Promise.all([...this.uploads.values()].map((u) => rm(u.dir, { recursive: true, force: true })));
    this.uploads.clear();
  }

  private emit(event: DatasetApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** DatasetErrors keep their code ('offline', 'checksum', …) and their sentence code across the boundary. */
  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DatasetError) throw new ApiCallError(error.code, error.message, error.text, error.details);
      throw error;
    }
  }

  private info(status: DatasetStatus): DatasetInfo {
    const running = this.jobs.has(status.name);
    return {
      name: status.name,
      title: status.title,
      kind: status.kind,
      state: status.state,
      files: status.files.map((f) => ({ ...f })),
      downloadBytes: status.downloadBytes,
      ...(status.note ? { note: status.note } : {}),
      ...(status.noteText ? { noteText: status.noteText } : {}),
      classes: status.classes,
      dir: status.dir,
      download: running ? (this.progress.get(status.name) ?? startProgress(status)) : null,
      error: this.errors.get(status.name) ?? null,
    };
  }

  private async current(name: string): Promise<DatasetInfo> {
    return this.info(await this.service.status(name));
  }

  private fetch(name: string): Promise<DatasetInfo> {
    const running = this.jobs.get(name);
    if (running) return running.promise;
    const controller = new AbortController();
    this.errors.delete(name);
    this.progress.delete(name);
    const promise = (async () => {
      try {
        await this.service.fetch(name, { signal: controller.signal });
      } catch (error) {
        if (!(error instanceof DatasetError && error.code === 'cancelled')) {
          this.errors.set(name, problemOf(error));
        }
        throw error;
      } finally {
        this.jobs.delete(name);
        this.progress.delete(name);
        this.forgetSamples(name);
        // Success, failure and cancel all end here: one status with download: null tells every window.
        await this.current(name).then(
          (info) => this.emit({ name: 'datasetStatus', payload: info }),
          () => undefined,
        );
      }
      return this.current(name);
    })();
    promise.catch(() => undefined); // the caller's envelope carries the failure
    this.jobs.set(name, { controller, promise });
    void this.current(name).then((info) => this.emit({ name: 'datasetStatus', payload: info }), () => undefined);
    return promise;
  }

  private async import(paths: string[], name: string | undefined) {
    const result = await this.service.import(paths, name ? { name } : {});
    this.errors.delete(result.dataset);
    this.forgetSamples(result.dataset);
    return {
      dataset: this.info(result.status),
      kind: result.kind,
      ...(result.note ? { note: result.note } : {}),
      ...(result.noteText ? { noteText: result.noteText } : {}),
      files: result.files.map((f) => ({ file: f.storedName, role: f.role, recognised: f.recognised })),
    };
  }

  private async receive(uploadId: string | null, file: string, offset: number, base64: string) {
    await this.sweepUploads();
    let id = uploadId;
    let upload = id ? this.uploads.get(id) : undefined;
    if (id && !upload) throw ApiCallError.coded('not-found', engineText('dataset.upload.expired', {}));
    if (!upload) {
      const root = this.options.uploadDir ?? tmpdir();
      await mkdir(root, { recursive: true });
      id = randomBytes(12).toString('hex');
      upload = { dir: await mkdtemp(join(root, 'layerlab-upload-')), sizes: new Map(), touched: Date.now() };
      this.uploads.set(id, upload);
    }
    const have = upload.sizes.get(file) ?? 0;
    if (offset !== have) throw new ApiCallError('bad-request', `${file}: expected the chunk at offset ${have}, got ${offset}`);
    const bytes = Buffer.from(base64, 'base64');
    const total = [...upload.sizes.values()].reduce((a, b) => a + b, 0) + bytes.length;
    const max = this.options.uploadMaxBytes ?? 256 * 1024 * 1024;
    if (total > max) throw ApiCallError.coded('bad-request', engineText('dataset.upload.tooLarge', { mb: Math.round(max / 1048576) }));
    await appendFile(join(upload.dir, file), bytes);
    upload.sizes.set(file, have + bytes.length);
    upload.touched = Date.now();
    return { uploadId: id!, received: have + bytes.length };
  }

  private async sweepUploads(): Promise<void> {
    const ttl = this.options.uploadTtlMs ?? 15 * 60_000;
    for (const [id, upload] of this.uploads) {
      if (Date.now() - upload.touched <= ttl) continue;
      this.uploads.delete(id);
      await rm(upload.dir, { recursive: true, force: true });
    }
  }

  /** Loading inflates the whole dataset, so one answer per (name, split, count) is kept until the dataset changes. */
  private sampled(name: string, options: DatasetSampleOptions = {}): Promise<DatasetSamples> {
    const split = options.split ?? 'train';
    const count = options.count ?? DATASET_SAMPLES_DEFAULT;
    const key = `${name}\u0000${split}\u0000${count}\u0000${options.start ?? ''}`;
    let answer = this.samples.get(key);
    if (!answer) {
      answer = this.loadSamples(name, split, count, options.start);
      this.samples.set(key, answer);
      answer.catch(() => this.samples.delete(key));
    }
    return answer;
  }

  private forgetSamples(name: string): void {
    for (const key of this.samples.keys()) if (key.startsWith(`${name}\u0000`)) this.samples.delete(key);
  }

  private async loadSamples(name: string, split: 'train' | 'test', count: number, start?: number): Promise<DatasetSamples> {
    const data = await this.service.load(name);
    const set = split === 'train' ? data.train : data.test;
    if (!set) throw ApiCallError.coded('not-found', engineText('dataset.noTestImages', { name }));
    if (start !== undefined && start >= set.count) {
      throw ApiCallError.coded('not-found', engineText('dataset.noImage', { name, split, count: set.count, last: set.count - 1, start }));
    }
    return pickSamples(name, split, set, data.classes, count, start);
  }
}

/**
 * Evenly spread images (a mix of classes without randomness), or with `start` the images from that index on, and
 * the label histogram over the whole set.
 */
export function pickSamples(
  dataset: string,
  split: 'train' | 'test',
  set: { images: Uint8Array; labels: Uint8Array; count: number; height: number; width: number },
  classes: string[],
  count: number,
  start?: number,
): DatasetSamples {
  const n = start === undefined ? Math.min(count, set.count) : Math.max(0, Math.min(count, set.count - start));
  const pixelsPer = set.height * set.width;
  const indices = Array.from({ length: n }, (_, i) => (start === undefined ? Math.floor((i * set.count) / n) : start + i));
  const pixels = Buffer.alloc(n * pixelsPer);
  indices.forEach((index, i) => pixels.set(set.images.subarray(index * pixelsPer, (index + 1) * pixelsPer), i * pixelsPer));
  const histogram = new Array<number>(classes.length).fill(0);
  for (const label of set.labels) histogram[label] = (histogram[label] ?? 0) + 1;
  return {
    dataset, split, total: set.count, height: set.height, width: set.width, classes,
    indices, labels: indices.map((i) => set.labels[i]), pixels: pixels.toString('base64'),
    histogram: Array.from(histogram, (v) => v ?? 0),
  };
}

/** Why a download failed, as the card shows it: its code, its sentence (coded where main has one) and the mirrors' reasons. */
function problemOf(error: unknown): DatasetProblem {
  if (!(error instanceof DatasetError)) return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
  return {
    code: error.code, message: error.message,
    ...(error.text ? { text: error.text } : {}), ...(error.details.length > 0 ? { details: [...error.details] } : {}),
  };
}

function startProgress(status: DatasetStatus): DatasetProgress {
  const first = status.files.find((f) => f.state !== 'ok') ?? status.files[0];
  return {
    dataset: status.name, phase: 'download', file: first?.file ?? '', role: first?.role ?? 'trainImages',
    fileBytes: 0, fileTotal: first?.expectedSize ?? 0, bytes: 0, total: status.downloadBytes, speed: 0, etaSeconds: null,
  };
}

/** Handlers for a host built without a dataset service (unit tests of other parts): every call says so. */
export function datasetsUnavailable(): DatasetApiHandlers {
  const no = async (): Promise<never> => {
    throw new ApiCallError('unavailable', 'Datasets are not available in this host.');
  };
  return {
    listDatasets: no, fetchDataset: no, cancelDatasetFetch: no, verifyDataset: no, deleteDataset: no,
    uploadDatasetFile: no, importDataset: no, getDatasetSamples: no,
  };
}
