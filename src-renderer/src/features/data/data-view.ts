/**
 * Pure rules for the Data panel (no Svelte, so vitest runs them as they are): merging status and progress events
 * into the list, what a card shows and offers, and how numbers read.
 */
import type { DatasetInfo, DatasetProgress } from '../../../../common/dataset-api';
import type { MessageKey } from '../../lib/i18n/en';

/** The card's one-word state. */
export type CardState = 'missing' | 'incomplete' | 'downloading' | 'ready' | 'corrupt';

export type DatasetAction = 'download' | 'cancel' | 'verify' | 'delete' | 'import';

/** A status event replaces its dataset (or adds it); catalogue order is the server's, new custom ones go last. */
export function upsertDataset(list: readonly DatasetInfo[], info: DatasetInfo): DatasetInfo[] {
  const at = list.findIndex((d) => d.name === info.name);
  if (at < 0) return [...list, info];
  return list.map((d, i) => (i === at ? info : d));
}

export function removeDataset(list: readonly DatasetInfo[], name: string): DatasetInfo[] {
  return list.filter((d) => d.name !== name);
}

/** A progress tick updates the running download; a late tick after the download ended is dropped. */
export function applyProgress(list: readonly DatasetInfo[], progress: DatasetProgress): DatasetInfo[] {
  return list.map((d) => (d.name === progress.dataset && d.download ? { ...d, download: progress } : d));
}

export function cardState(info: DatasetInfo): CardState {
  return info.download ? 'downloading' : info.state;
}

/** Which buttons a card shows, in order. */
export function actionsFor(info: DatasetInfo): DatasetAction[] {
  if (info.download) return ['cancel'];
  const actions: DatasetAction[] = [];
  if (info.kind === 'canonical' && info.state !== 'ready') actions.push('download');
  const anyFile = info.files.some((f) => f.state !== 'missing');
  if (anyFile) actions.push('verify');
  actions.push('import');
  if (anyFile || info.kind === 'custom') actions.push('delete');
  return actions;
}

/** Whole percent, 0..100; 0 while the total is unknown. */
export function percent(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** 1,234 B → "1.2 kB"; decimal units, as download tools show them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Seconds → "45 s", "3 min 5 s", "1 h 2 min"; null (unknown) → null. */
export function formatDuration(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Names people know the datasets by; the card (a region) is labelled with it. */
export function displayName(info: Pick<DatasetInfo, 'name' | 'kind'>): string {
  const known: Record<string, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' };
  return known[info.name] ?? info.name;
}

/**
 * What a dataset is, in the learner's language: the known ones' descriptions are the renderer's to say (the host's
 * catalogue has them in English only), a custom import is "imported from your files", anything else its own title.
 */
export function titleText(info: Pick<DatasetInfo, 'name' | 'kind' | 'title'>, t: (key: MessageKey) => string): string {
  if (info.kind === 'custom') return t('data.custom');
  if (info.name === 'mnist') return t('data.title.mnist');
  if (info.name === 'fashion-mnist') return t('data.title.fashionMnist');
  return info.title;
}

export type ProblemKey = Extract<MessageKey, `data.error.${string}`> & Exclude<MessageKey, 'data.error.details'>;

/** The plain-words message for an error code; unknown codes show the server's own message. */
export function problemKey(code: string): ProblemKey | null {
  const keys: Record<string, ProblemKey> = {
    offline: 'data.error.offline',
    checksum: 'data.error.checksum',
    'cache-unwritable': 'data.error.cacheUnwritable',
    corrupt: 'data.error.corrupt',
    'invalid-import': 'data.error.invalidImport',
    unavailable: 'data.error.unavailable',
  };
  return keys[code] ?? null;
}

/** The dataset the samples section should show: keep the current one while it is ready, else the first ready one. */
export function pickViewed(list: readonly DatasetInfo[], current: string | null): string | null {
  if (current && list.some((d) => d.name === current && d.state === 'ready' && !d.download)) return current;
  return list.find((d) => d.state === 'ready' && !d.download)?.name ?? null;
}

/** base64 → bytes without Node's Buffer (the renderer has none). */
export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** bytes → base64, in slices so String.fromCharCode never gets millions of arguments. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Grey pixels (0..255) → RGBA for ImageData. */
export function greyToRgba(grey: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(grey.length * 4);
  for (let i = 0; i < grey.length; i++) {
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = grey[i];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}
