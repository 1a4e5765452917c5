/**
 * DatasetService: the one object hosts (Electron main, the browser host's server, the CLI) use for datasets.
 *
 * ```ts
 * const datasets = new DatasetService({ cacheDir: join(defaultDataDir(), 'datasets'), mirrors: settings.mirrors });
 * await datasets.list();                                  // DatasetStatus[] — the start-up check (sizes + hashes)
 * await datasets.fetch('mnist', { signal, onProgress }); // downloads what is missing/truncated/corrupt
 * const data = await datasets.load('mnist');             // typed arrays + the 55,000/5,000 split; post with data.transfer
 * ```
 *
 * Methods: `list()`, `status(name)`, `fetch(name, {signal, onProgress, mirrors})`, `ensure(name, …)` (status, then
 * fetch only if needed), `verify(name)`, `delete(name)`,
 * `import(paths, {name})`, `load(name, {validation, seed})`, `path(name)`, `mirrors(name)`.
 * Failures are `DatasetError`s with a `code` ('offline' | 'checksum' | 'cancelled' | 'cache-unwritable' |
 * 'unknown-dataset' | 'not-downloaded' | 'corrupt' | 'invalid-import') and a user-facing message; 'offline' says
 * to use Import.
 *
 * Events (it is an EventEmitter):
 *  - 'progress' (p: DatasetProgress) — during a fetch, at most every ~100 ms per dataset and once at each file's
 *    end: the current file's bytes/total, overall bytes/total (over the files being fetched), smoothed speed in
 *    bytes/s and ETA in seconds (null until a speed is known). `phase` is 'download', then 'done' once at the end.
 *  - 'status' (s: DatasetStatus) — after a fetch, verify, delete or import changed a dataset.
 *  - 'mirror-error' ({dataset, file, mirror, reason}) — a mirror failed and the next one is tried (for logs).
 *
 * Concurrency: two fetches of the same dataset share one download (both get the progress, both resolve). Each
 * caller's AbortSignal detaches that caller; the download itself stops when every caller has cancelled. A
 * cancelled download keeps its `.part` files, so the next fetch resumes. A caller that joins a running download
 * gets that download's mirrors (its own `mirrors` option is ignored). A fetch with nothing to download resolves
 * with the status and emits no progress.
 */
import { EventEmitter } from 'node:events';
import { readdir, rm, stat, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { engineText, type EngineText } from '../../../common/engine-text';
import {
  CATALOGUE, catalogueEntry, checkMirrorUrl, parseMirrorsEnv, resolveMirrors, type CatalogueEntry, type DatasetRole,
} from './catalogue';
import {
  ensureWritable, expectedHash, inspectCanonical, inspectCustom, readManifest, sizeOrNull, writeManifest,
  type DatasetStatus, type FileStatus, type Manifest,
} from './cache';
import { downloadFile, sha256File, type DownloadTuning } from './download';
import { DatasetError, cancelledError, datasetError, isDiskFull } from './errors';
import { applyImport, planImport, type ImportPlan } from './import';
import { loadFromManifest, type LoadedDataset, type LoadOptions } from './load';

export interface DatasetServiceOptions extends DownloadTuning {
  /** Root of the cache; one folder per dataset is created inside. */
  cacheDir: string;
  /** Mirror lists from the user's settings, by dataset name. */
  mirrors?: Record<string, string[]>;
  /** Environment to read LAYERLAB_MIRRORS from. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Replaces the built-in catalogue (tests inject small fixtures). */
  catalogue?: Record<string, CatalogueEntry>;
  /** Bytes free to this user on the disk that holds `dir`. Default: statfs. Tests inject a small disk. */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface DatasetProgress {
  dataset: string;
  phase: 'download' | 'done';
  file: string;
  role: DatasetRole;
  mirror: string;
  fileBytes: number;
  fileTotal: number;
  bytes: number;
  total: number;
  /** Bytes per second, smoothed; 0 until measured. */
  speed: number;
  etaSeconds: number | null;
}

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (p: DatasetProgress) => void;
  /** Mirror list for this call only (the CLI's --mirror); beats env and settings. */
  mirrors?: string[];
}

export interface VerifyResult {
  name: string;
  ok: boolean;
  /** Corrupt files are deleted (a wrong file never stays under its final name); fetch or import replaces them. */
  files: { role: DatasetRole; file: string; state: 'ok' | 'corrupt' | 'missing'; detail?: string }[];
  status: DatasetStatus;
}

export interface ImportResult {
  dataset: string;
  kind: 'canonical' | 'custom';
  note?: string;
  noteText?: EngineText;
  files: ImportPlan['files'];
  status: DatasetStatus;
}

interface Job {
  promise: Promise<DatasetStatus>;
  controller: AbortController;
  callers: number;
  listeners: Set<(p: DatasetProgress) => void>;
}

type Events = {
  progress: [DatasetProgress];
  status: [DatasetStatus];
  'mirror-error': [{ dataset: string; file: string; mirror: string; reason: string }];
};

export class DatasetService extends EventEmitter<Events> {
  readonly cacheDir: string;
  private readonly catalogue: Record<string, CatalogueEntry>;
  private readonly envMirrors: Record<string, string[]>;
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly options: DatasetServiceOptions) {
    super();
    this.cacheDir = resolve(options.cacheDir);
    this.catalogue = options.catalogue ?? CATALOGUE;
    this.envMirrors = parseMirrorsEnv((options.env ?? process.env).LAYERLAB_MIRRORS);
  }

  /** The folder a dataset lives in. */
  path(name: string): string {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) throw datasetError('unknown-dataset', engineText('dataset.badName', { name }));
    return join(this.cacheDir, name);
  }

  /** Catalogue names first, then custom imports found in the cache. */
  async names(): Promise<string[]> {
    const custom: string[] = [];
    for (const entry of await readdir(this.cacheDir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || this.known(entry.name)) continue;
      const m = await readManifest(join(this.cacheDir, entry.name));
      if (m?.kind === 'custom') custom.push(entry.name);
    }
    return [...Object.keys(this.catalogue), ...custom.sort()];
  }

  /** The start-up check for every dataset. */
  async list(): Promise<DatasetStatus[]> {
    return Promise.all((await this.names()).map((n) => this.status(n)));
  }

  /** The mirrors a fetch of `name` would try, in order. */
  mirrors(name: string, call?: string[]): string[] {
    call?.forEach((u) => checkMirrorUrl(u, '--mirror'));
    return resolveMirrors(this.entry(name), { call, env: this.envMirrors, settings: this.options.mirrors });
  }

  /** Cheap check: sizes, and recorded hashes against the catalogue (truncated/corrupt files are reported). */
  async status(name: string): Promise<DatasetStatus> {
    const dir = this.path(name);
    const entry = this.known(name);
    if (entry) return (await inspectCanonical(dir, entry)).status;
    const manifest = await readManifest(dir);
    if (manifest?.kind !== 'custom') throw datasetError('unknown-dataset', engineText('dataset.unknown', { name, known: Object.keys(this.catalogue).join(', ') }));
    return inspectCustom(dir, manifest);
  }

  fetch(name: string, options: FetchOptions = {}): Promise<DatasetStatus> {
    let job = this.jobs.get(name);
    if (!job) {
      const controller = new AbortController();
      const listeners = new Set<(p: DatasetProgress) => void>();
      const emit = (p: DatasetProgress) => {
        for (const l of listeners) l(p);
        this.emit('progress', p);
      };
      const promise = this.download(name, controller.signal, emit, options.mirrors).finally(() => this.jobs.delete(name));
      promise.catch(() => undefined); // callers observe it through their own promises
      job = { promise, controller, callers: 0, listeners };
      this.jobs.set(name, job);
    }
    const shared = job;
    shared.callers++;
    const { signal, onProgress } = options;
    if (onProgress) shared.listeners.add(onProgress);
    return new Promise<DatasetStatus>((resolvePromise, reject) => {
      const cleanup = () => {
        signal?.removeEventListener('abort', onAbort);
        if (onProgress) shared.listeners.delete(onProgress);
      };
      const onAbort = () => {
        cleanup();
        reject(cancelledError());
        if (--shared.callers === 0) shared.controller.abort();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (v) => (cleanup(), resolvePromise(v)),
        (e) => (cleanup(), reject(e)),
      );
    });
  }

  /**
   * The start-up path: the cheap check, then a fetch only when something is missing, truncated or corrupt.
   * Custom datasets are never fetched; their status is returned as is.
   */
  async ensure(name: string, options: FetchOptions = {}): Promise<DatasetStatus> {
    const status = await this.status(name);
    if (status.state === 'ready' || !this.known(name)) return status;
    return this.fetch(name, options);
  }

  /** Re-hashes every stored file; corrupt ones are deleted and reported. */
  async verify(name: string): Promise<VerifyResult> {
    const dir = this.path(name);
    const entry = this.known(name);
    const manifest = entry ? (await inspectCanonical(dir, entry)).manifest : await this.customManifest(name);
    const files: VerifyResult['files'] = [];
    const roles = entry ? entry.files.map((f) => f.role) : (Object.keys(manifest.files) as DatasetRole[]);
    for (const role of roles) {
      const rec = manifest.files[role];
      const catalogueFile = entry?.files.find((f) => f.role === role);
      const file = rec?.file ?? catalogueFile!.name;
      const size = await sizeOrNull(join(dir, file));
      if (size === null) {
        files.push({ role, file, state: 'missing' });
        continue;
      }
      const want = catalogueFile ? expectedHash(catalogueFile, rec?.gzip ?? true) : rec!.sha256;
      const actual = await sha256File(join(dir, file));
      if (actual === want) {
        files.push({ role, file, state: 'ok' });
      } else {
        await rm(join(dir, file), { force: true });
        delete manifest.files[role];
        files.push({ role, file, state: 'corrupt', detail: `SHA-256 ${actual.slice(0, 12)}… does not match ${want?.slice(0, 12)}…; deleted` });
      }
    }
    if (files.some((f) => f.state === 'corrupt')) await writeManifest(dir, manifest);
    const status = await this.status(name);
    this.emit('status', status);
    return { name, ok: files.every((f) => f.state === 'ok'), files, status };
  }

  /** Removes a dataset's folder (cancelling a download of it first). */
  async delete(name: string): Promise<DatasetStatus | null> {
    const dir = this.path(name);
    const job = this.jobs.get(name);
    if (job) {
      job.controller.abort();
      await job.promise.catch(() => undefined);
    }
    if (!this.known(name) && (await stat(dir).catch(() => null)) === null) {
      throw datasetError('unknown-dataset', engineText('dataset.unknown.toDelete', { name }));
    }
    await rm(dir, { recursive: true, force: true });
    if (!this.known(name)) return null;
    const status = await this.status(name);
    this.emit('status', status);
    return status;
  }

  /** Imports user-picked IDX files (see import.ts for how they are recognised or validated). */
  async import(paths: string[], options: { name?: string } = {}): Promise<ImportResult> {
    const plan = await planImport(paths, this.catalogue, options.name);
    if (this.jobs.has(plan.dataset)) throw datasetError('invalid-import', engineText('dataset.busy', { name: plan.dataset }));
    const dir = this.path(plan.dataset);
    await ensureWritable(dir);
    const entry = this.known(plan.dataset);
    const current: Manifest = entry
      ? (await inspectCanonical(dir, entry)).manifest
      : ((await readManifest(dir)) ?? { version: 1, name: plan.dataset, kind: 'custom', files: {} });
    const next = await applyImport(dir, plan, current);
    await writeManifest(dir, next);
    const status = await this.status(plan.dataset);
    this.emit('status', status);
    return { dataset: plan.dataset, kind: plan.kind, note: plan.note, noteText: plan.noteText, files: plan.files, status };
  }

  /** Inflates, validates and returns the dataset for training (see load.ts). */
  async load(name: string, options: LoadOptions = {}): Promise<LoadedDataset> {
    const status = await this.status(name);
    if (status.state !== 'ready') {
      throw datasetError(status.state === 'corrupt' ? 'corrupt' : 'not-downloaded', notReadyText(name, status.files));
    }
    const entry = this.known(name);
    const dir = this.path(name);
    const manifest = entry ? (await inspectCanonical(dir, entry)).manifest : await this.customManifest(name);
    return loadFromManifest(dir, { ...manifest, classes: entry?.classes ?? manifest.classes }, options);
  }

  /** The catalogue entry for `name`, by own property only (see catalogueEntry). */
  private known(name: string): CatalogueEntry | undefined {
    return catalogueEntry(this.catalogue, name);
  }

  private entry(name: string): CatalogueEntry {
    const entry = this.known(name);
    if (!entry) throw datasetError('unknown-dataset', engineText('dataset.unknown.notDownloadable', { name, known: Object.keys(this.catalogue).join(', ') }));
    return entry;
  }

  private async customManifest(name: string): Promise<Manifest> {
    const m = await readManifest(this.path(name));
    if (m?.kind !== 'custom') throw datasetError('unknown-dataset', engineText('dataset.unknown.custom', { name }));
    return m;
  }

  private async download(name: string, signal: AbortSignal, emit: (p: DatasetProgress) => void, call?: string[]): Promise<DatasetStatus> {
    const entry = this.entry(name);
    const mirrors = this.mirrors(name, call);
    const dir = this.path(name);
    let needed = entry.files.reduce((a, f) => a + f.size, 0);
    try {
      return await this.downloadInto(name, dir, entry, mirrors, signal, emit, (bytes) => (needed = bytes));
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      throw datasetError('disk-full', await this.spaceText(entry, dir, needed), [(err as Error).message]);
    }
  }

  /** `MNIST … needs 11.6 MB more free space in DIR; 5.2 MB is free.` and what to do. */
  private async spaceText(entry: CatalogueEntry, dir: string, needed: number): Promise<EngineText> {
    const free = await this.free(dir).catch(() => null);
    const mb = (n: number) => `${(n / 1_000_000).toFixed(1)} MB`;
    const params = { title: entry.titleText ?? entry.title, needed: mb(needed), dir };
    return free === null ? engineText('dataset.diskFull.needs', params) : engineText('dataset.diskFull.needsFree', { ...params, free: mb(free) });
  }

  private free(dir: string): Promise<number> {
    if (this.options.freeBytes) return this.options.freeBytes(dir);
    return statfs(dir).then((s) => s.bavail * s.bsize);
  }

  /** The download itself; `remaining` is told the bytes still to write, for the disk-full message. */
  private async downloadInto(
    name: string, dir: string, entry: CatalogueEntry, mirrors: string[], signal: AbortSignal,
    emit: (p: DatasetProgress) => void, remaining: (bytes: number) => void,
  ): Promise<DatasetStatus> {
    await ensureWritable(dir);
    const { status, manifest } = await inspectCanonical(dir, entry);
    const todo = entry.files.filter((_, k) => status.files[k].state !== 'ok');
    for (const f of status.files) {
      if (f.state === 'truncated' || f.state === 'corrupt') {
        await rm(join(dir, f.file), { force: true });
        delete manifest.files[f.role];
      }
    }
    const total = todo.reduce((a, f) => a + f.size, 0);
    // Before any byte is fetched: a download that cannot fit says so now, not at 100% disk.
    const resumed = await Promise.all(todo.map(async (f) => Math.min(f.size, (await sizeOrNull(join(dir, `${f.name}.part`))) ?? 0)));
    const toWrite = total - resumed.reduce((a, b) => a + b, 0);
    remaining(toWrite);
    if ((await this.free(dir)) < toWrite) throw new DatasetError('disk-full', 'not enough free space for the download');
    const meter = new SpeedMeter();
    let done = 0;
    let lastEmit = 0;
    for (const f of todo) {
      if (signal.aborted) throw cancelledError();
      let last: DatasetProgress | null = null;
      remaining(total - done); // a .part that hit a full disk is removed: what is left to write is whole files
      await downloadFile({
        ...this.options,
        file: f.name, mirrors, dest: join(dir, f.name), size: f.size, sha256: f.sha256, signal,
        onMirrorError: (mirror, reason) => this.emit('mirror-error', { dataset: name, file: f.name, mirror, reason }),
        onProgress: (p) => {
          const bytes = done + p.bytes;
          meter.observe(bytes);
          last = {
            dataset: name, phase: 'download', file: f.name, role: f.role, mirror: p.mirror,
            fileBytes: p.bytes, fileTotal: f.size, bytes, total, speed: meter.speed, etaSeconds: meter.eta(total - bytes),
          };
          const now = Date.now();
          if (now - lastEmit >= 100 || p.bytes === f.size) {
            lastEmit = now;
            emit(last);
          }
        },
      }).catch((err: unknown) => {
        if (err instanceof DatasetError && err.code === 'offline') {
          const params = { title: entry.titleText ?? entry.title, count: mirrors.length, files: entry.files.map((x) => x.name).join(', ') };
          throw datasetError('offline', engineText(mirrors.length > 1 ? 'dataset.offline.many' : 'dataset.offline.one', params), err.details);
        }
        throw err;
      });
      manifest.files[f.role] = {
        file: f.name, size: f.size, sha256: f.sha256, gzip: true, shape: f.shape,
        source: (last as DatasetProgress | null)?.mirror ?? mirrors[0], addedAt: new Date().toISOString(),
      };
      await writeManifest(dir, manifest);
      done += f.size;
    }
    const final = await this.status(name);
    const lastFile = todo[todo.length - 1];
    if (lastFile) {
      emit({
        dataset: name, phase: 'done', file: lastFile.name, role: lastFile.role, mirror: manifest.files[lastFile.role]?.source ?? '',
        fileBytes: lastFile.size, fileTotal: lastFile.size, bytes: total, total, speed: meter.speed, etaSeconds: 0,
      });
    }
    this.emit('status', final);
    return final;
  }
}

/** Why a dataset cannot be loaded, each file that is not ok as data ("train-images-idx3-ubyte.gz missing, …"). */
function notReadyText(name: string, files: readonly FileStatus[]): EngineText {
  const bad = files.flatMap((f) => (f.state === 'ok' ? [] : [engineText(`dataset.file.${f.state}`, { file: f.file })]));
  return engineText('dataset.notReady', { name, files: bad });
}

/** Bytes/s as an exponential moving average over ≥250 ms windows, so the ETA does not jitter. */
class SpeedMeter {
  speed = 0;
  private t0 = Date.now();
  private b0 = -1;

  observe(bytes: number): void {
    const now = Date.now();
    if (this.b0 < 0) {
      this.b0 = bytes; // resumed bytes are not speed
      this.t0 = now;
      return;
    }
    const dt = now - this.t0;
    if (dt < 250) return;
    const instant = (Math.max(0, bytes - this.b0) * 1000) / dt;
    this.speed = this.speed === 0 ? instant : 0.7 * this.speed + 0.3 * instant;
    this.b0 = bytes;
    this.t0 = now;
  }

  eta(remaining: number): number | null {
    return this.speed > 0 ? remaining / this.speed : null;
  }
}
