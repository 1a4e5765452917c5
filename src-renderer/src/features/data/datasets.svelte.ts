/**
 * The Data panel's state: the dataset list kept live from `datasetStatus` / `datasetProgress` events, the actions
 * (download, cancel, verify, delete, import) with what each is doing and how it ended, and the samples shown for
 * one ready dataset. Rules that need no Svelte live in data-view.ts.
 */
import {
  DATASET_UPLOAD_CHUNK_BYTES, type DatasetImportReport, type DatasetInfo, type DatasetProblem, type DatasetSamples,
} from '../../../../common/dataset-api';
import type { Envelope } from '../../../../common/envelope';
import type { Host } from '../../lib/host/host';
import { hostError, type HostError } from '../../lib/i18n/translate';
import {
  applyProgress, displayName, encodeBase64, pickViewed, removeDataset, upsertDataset, type DatasetAction,
} from './data-view';

/** What the last finished action on a dataset has to say, besides errors. */
export type DatasetNotice =
  | { kind: 'verified'; ok: boolean; corrupt: number }
  | { kind: 'imported'; files: number; into: string; note?: string }
  | { kind: 'uploading'; percent: number };

export type SamplesView =
  | { kind: 'none' }
  | { kind: 'loading'; name: string }
  | { kind: 'ready'; samples: DatasetSamples }
  | { kind: 'error'; name: string; error: HostError };

export class DatasetsState {
  #host: Host;
  #datasets = $state.raw<DatasetInfo[]>([]);
  #loaded = $state(false);
  #picker = $state<'native' | 'upload'>('upload');
  #loadError = $state<string | null>(null);
  #busy = $state.raw<Record<string, DatasetAction>>({});
  #problems = $state.raw<Record<string, DatasetProblem>>({});
  #notices = $state.raw<Record<string, DatasetNotice>>({});
  #samples = $state.raw<SamplesView>({ kind: 'none' });
  #stops: (() => void)[] = [];

  constructor(host: Host) {
    this.#host = host;
  }

  get datasets(): DatasetInfo[] {
    return this.#datasets;
  }
  /** True once the first list arrived. */
  get loaded(): boolean {
    return this.#loaded;
  }
  get importPicker(): 'native' | 'upload' {
    return this.#picker;
  }
  get loadError(): string | null {
    return this.#loadError;
  }
  get samples(): SamplesView {
    return this.#samples;
  }
  busy(name: string): DatasetAction | null {
    return this.#busy[name] ?? null;
  }
  /** The error to show on a card: the last action's, else the last download's as main remembers it. */
  problem(info: DatasetInfo): DatasetProblem | null {
    return this.#problems[info.name] ?? info.error;
  }
  notice(name: string): DatasetNotice | null {
    return this.#notices[name] ?? null;
  }

  connect(): void {
    this.dispose();
    const { api, connection } = this.#host;
    this.#stops = [
      api.on('datasetStatus', (info) => this.#update(upsertDataset(this.#datasets, info))),
      api.on('datasetProgress', (p) => (this.#datasets = applyProgress(this.#datasets, p))),
      // Events sent while the browser host's socket was down are lost; read the list again when it is back.
      connection.subscribe((c) => {
        if (c.state === 'open' && this.#loaded) void this.refresh();
      }),
    ];
    void this.refresh();
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  async refresh(): Promise<void> {
    const envelope = await this.#host.api.listDatasets();
    if (!envelope.ok) {
      this.#loadError = envelope.error.message;
      return;
    }
    this.#loadError = null;
    // A call cut off by a dropped socket may have finished on the server; the fresh list tells the truth now.
    this.#problems = Object.fromEntries(Object.entries(this.#problems).filter(([, p]) => p.code !== 'unavailable'));
    this.#picker = envelope.value.importPicker;
    this.#loaded = true;
    this.#update(envelope.value.datasets);
  }

  async download(name: string): Promise<void> {
    await this.#run(name, 'download', () => this.#host.api.fetchDataset(name), (info) => this.#update(upsertDataset(this.#datasets, info)));
  }

  async cancel(name: string): Promise<void> {
    // Not "busy": the download's own call is still running and ends as cancelled.
    const envelope = await this.#host.api.cancelDatasetFetch(name);
    if (!envelope.ok) this.#setProblem(name, envelope.error);
  }

  async verify(name: string): Promise<void> {
    await this.#run(name, 'verify', () => this.#host.api.verifyDataset(name), (report) => {
      this.#update(upsertDataset(this.#datasets, report.dataset));
      this.#setNotice(name, { kind: 'verified', ok: report.ok, corrupt: report.files.filter((f) => f.state === 'corrupt').length });
    });
  }

  async remove(name: string): Promise<void> {
    await this.#run(name, 'delete', () => this.#host.api.deleteDataset(name), (info) => {
      this.#update(info ? upsertDataset(this.#datasets, info) : removeDataset(this.#datasets, name));
    });
  }

  /** Import through main's native dialog (Electron). */
  async importWithDialog(card: DatasetInfo): Promise<void> {
    const name = card.kind === 'custom' ? card.name : undefined;
    await this.#run(card.name, 'import', () => this.#host.api.importDataset({ source: 'dialog', name }), (report) => {
      if (report) this.#imported(card.name, report);
    });
  }

  /** Import files the user picked in the page: upload them in chunks, then import the upload (browser host). */
  async importFiles(card: DatasetInfo, files: readonly File[]): Promise<void> {
    if (files.length === 0) return;
    const name = card.kind === 'custom' ? card.name : undefined;
    await this.#run(card.name, 'import', async (): Promise<Envelope<DatasetImportReport | null>> => {
      const total = files.reduce((a, f) => a + f.size, 0);
      let sent = 0;
      let uploadId: string | null = null;
      for (const file of files) {
        for (let offset = 0; offset === 0 || offset < file.size; offset += DATASET_UPLOAD_CHUNK_BYTES) {
          const bytes = new Uint8Array(await file.slice(offset, offset + DATASET_UPLOAD_CHUNK_BYTES).arrayBuffer());
          const receipt = await this.#host.api.uploadDatasetFile({ uploadId, file: safeFileName(file.name), offset, base64: encodeBase64(bytes) });
          if (!receipt.ok) return receipt;
          uploadId = receipt.value.uploadId;
          sent += bytes.length;
          this.#setNotice(card.name, { kind: 'uploading', percent: total > 0 ? Math.floor((sent / total) * 100) : 100 });
        }
      }
      return this.#host.api.importDataset({ source: 'upload', uploadId: uploadId!, name });
    }, (report) => {
      if (report) this.#imported(card.name, report);
    });
  }

  /**
   * `count` training images of `name` for another feature to show (the augmentation preview), leaving the Data
   * tab's own samples as they are.
   */
  trainingSamples(name: string, count: number): Promise<Envelope<DatasetSamples>> {
    return this.#host.api.getDatasetSamples(name, { split: 'train', count });
  }

  /** Shows the samples of `name` (loads them once per dataset change). */
  async showSamples(name: string): Promise<void> {
    const current = this.#samples;
    if (current.kind === 'ready' && current.samples.dataset === name) return;
    if (current.kind === 'loading' && current.name === name) return;
    this.#samples = { kind: 'loading', name };
    const envelope = await this.#host.api.getDatasetSamples(name, { split: 'train' });
    const now = this.#samples;
    if (now.kind !== 'loading' || now.name !== name) return; // another dataset was chosen meanwhile
    this.#samples = envelope.ok ? { kind: 'ready', samples: envelope.value } : { kind: 'error', name, error: hostError(envelope.error) };
  }

  #update(list: DatasetInfo[]): void {
    this.#datasets = list;
    const current = this.#samples;
    const shown = current.kind === 'ready' ? current.samples.dataset : current.kind === 'none' ? null : current.name;
    const viewed = pickViewed(list, shown);
    if (viewed === shown) return;
    this.#samples = { kind: 'none' };
    if (viewed !== null) void this.showSamples(viewed);
  }

  #imported(card: string, report: DatasetImportReport): void {
    this.#update(upsertDataset(this.#datasets, report.dataset));
    this.#setNotice(card, { kind: 'imported', files: report.files.length, into: displayName(report.dataset), note: report.note });
    if (report.dataset.state === 'ready') this.#forgetSamples(report.dataset.name);
  }

  #forgetSamples(name: string): void {
    const current = this.#samples;
    if (current.kind === 'ready' && current.samples.dataset === name) {
      this.#samples = { kind: 'none' };
      void this.showSamples(name);
    }
  }

  async #run<T>(name: string, action: DatasetAction, call: () => Promise<Envelope<T>>, onValue: (value: T) => void): Promise<void> {
    if (this.#busy[name]) return;
    this.#busy = { ...this.#busy, [name]: action };
    this.#setProblem(name, null);
    this.#setNotice(name, null);
    try {
      const envelope = await call();
      if (envelope.ok) onValue(envelope.value);
      else if (envelope.error.code !== 'cancelled') this.#setProblem(name, envelope.error);
      else this.#setNotice(name, null);
    } finally {
      const { [name]: _done, ...rest } = this.#busy;
      this.#busy = rest;
      const notice = this.#notices[name];
      if (notice?.kind === 'uploading') this.#setNotice(name, null);
    }
  }

  #setProblem(name: string, problem: DatasetProblem | null): void {
    const { [name]: _old, ...rest } = this.#problems;
    this.#problems = problem ? { ...rest, [name]: { code: problem.code, ...hostError(problem), ...(problem.details ? { details: problem.details } : {}) } } : rest;
  }

  #setNotice(name: string, notice: DatasetNotice | null): void {
    const { [name]: _old, ...rest } = this.#notices;
    this.#notices = notice ? { ...rest, [name]: notice } : rest;
  }
}

/** The server accepts plain names only; keep what identifies the file ("t10k", "train", "idx3"). */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[^\w.-]/g, '_').replace(/^[^\w]+/, '');
  return (cleaned || 'file').slice(0, 128);
}
