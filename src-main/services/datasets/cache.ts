/**
 * The on-disk cache: one folder per dataset holding its files and a `manifest.json` that records, per file, the
 * stored name, size and SHA-256. `inspect` is the cheap start-up check (sizes, and recorded hashes against the
 * catalogue); `verifyFiles` re-hashes everything.
 *
 *   <cache>/mnist/manifest.json
 *   <cache>/mnist/train-images-idx3-ubyte.gz        (or the raw IDX name when a raw file was imported)
 *   <cache>/mnist/train-images-idx3-ubyte.gz.part   (only while downloading)
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { engineText, isEngineText, type EngineText } from '../../../common/engine-text';
import { ROLES, type CatalogueEntry, type CatalogueFile, type DatasetRole } from './catalogue';
import { sha256File } from './download';
import { datasetError, isDiskFull } from './errors';

export interface ManifestFile {
  /** Stored file name inside the dataset folder. */
  file: string;
  size: number;
  sha256: string;
  gzip: boolean;
  /** IDX shape once inflated, when known. */
  shape?: number[];
  /** Mirror URL or "import:<original path>". */
  source: string;
  addedAt: string;
}

export interface Manifest {
  version: 1;
  name: string;
  kind: 'canonical' | 'custom';
  title?: string;
  /** Shown to the user; custom imports explain how they were validated. */
  note?: string;
  /** The note as a sentence code (absent in manifests written before there were codes). */
  noteText?: EngineText;
  classes?: string[];
  files: Partial<Record<DatasetRole, ManifestFile>>;
}

export type FileState = 'ok' | 'missing' | 'truncated' | 'corrupt';

export interface FileStatus {
  role: DatasetRole;
  file: string;
  state: FileState;
  /** Bytes on disk (0 when missing). */
  size: number;
  expectedSize: number;
  detail?: string;
}

export interface DatasetStatus {
  name: string;
  title: string;
  kind: 'canonical' | 'custom';
  /** ready: all files ok; missing: none present; incomplete: some missing; corrupt: a truncated/corrupt file. */
  state: 'ready' | 'missing' | 'incomplete' | 'corrupt';
  dir: string;
  files: FileStatus[];
  /** Bytes a fetch would download (files not ok). */
  downloadBytes: number;
  note?: string;
  noteText?: EngineText;
  classes: string[];
}

export const MANIFEST = 'manifest.json';

export async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    return m && m.version === 1 && typeof m.files === 'object' ? m : null;
  } catch {
    return null; // missing or unreadable: files are re-checked against the catalogue
  }
}

/** Atomic write (temp + rename), so a crash never leaves half a manifest. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, join(dir, MANIFEST));
}

export async function sizeOrNull(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** Creates `dir` and proves it writable, or throws a 'cache-unwritable' DatasetError that says what to do. */
export async function ensureWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    if (isDiskFull(err)) throw datasetError('disk-full', engineText('dataset.diskFull.dir', { dir }));
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw datasetError('cache-unwritable', engineText('dataset.cacheUnwritable', { dir, detail: code }));
  }
}

/** What a stored canonical file must hash to: the .gz sum, or the raw sum for a raw import. */
export function expectedHash(file: CatalogueFile, gzip: boolean): string | undefined {
  return gzip ? file.sha256 : file.rawSha256;
}

/**
 * The cheap check for a catalogue dataset. A file with no manifest record (say the manifest was lost) but the
 * right size is hashed once and recorded.
 */
export async function inspectCanonical(dir: string, entry: CatalogueEntry): Promise<{ status: DatasetStatus; manifest: Manifest }> {
  const manifest: Manifest = (await readManifest(dir)) ?? { version: 1, name: entry.name, kind: 'canonical', files: {} };
  let changed = false;
  const files: FileStatus[] = [];
  for (const f of entry.files) {
    const rec = manifest.files[f.role];
    const stored = rec?.file ?? f.name;
    const size = await sizeOrNull(join(dir, stored));
    const expectedSize = rec ? rec.size : f.size;
    const base = { role: f.role, file: stored, size: size ?? 0, expectedSize };
    if (size === null) {
      files.push({ ...base, state: 'missing' });
    } else if (rec) {
      if (size < rec.size) files.push({ ...base, state: 'truncated', detail: `${size} of ${rec.size} bytes` });
      else if (size > rec.size) files.push({ ...base, state: 'corrupt', detail: `${size} bytes, expected ${rec.size}` });
      else if (rec.sha256 !== expectedHash(f, rec.gzip)) files.push({ ...base, state: 'corrupt', detail: 'recorded SHA-256 does not match the catalogue' });
      else files.push({ ...base, state: 'ok' });
    } else if (size < f.size) {
      files.push({ ...base, state: 'truncated', detail: `${size} of ${f.size} bytes` });
    } else if (size > f.size || (await sha256File(join(dir, stored))) !== f.sha256) {
      files.push({ ...base, state: 'corrupt', detail: 'SHA-256 does not match the catalogue' });
    } else {
      manifest.files[f.role] = { file: f.name, size, sha256: f.sha256, gzip: true, shape: f.shape, source: 'found in cache', addedAt: new Date().toISOString() };
      changed = true;
      files.push({ ...base, state: 'ok' });
    }
  }
  if (changed) await writeManifest(dir, manifest).catch(() => undefined); // read-only cache: still usable
  const status = summarise(entry.name, entry.title, 'canonical', dir, files, entry.classes, manifest);
  status.downloadBytes = entry.files.filter((f, k) => files[k].state !== 'ok').reduce((a, f) => a + f.size, 0);
  return { status, manifest };
}

/** The cheap check for a custom (imported) dataset: sizes against its manifest. */
export async function inspectCustom(dir: string, manifest: Manifest): Promise<DatasetStatus> {
  const files: FileStatus[] = [];
  for (const role of ROLES) {
    const rec = manifest.files[role];
    if (!rec) continue;
    const size = await sizeOrNull(join(dir, rec.file));
    const base = { role, file: rec.file, size: size ?? 0, expectedSize: rec.size };
    if (size === null) files.push({ ...base, state: 'missing' });
    else if (size < rec.size) files.push({ ...base, state: 'truncated', detail: `${size} of ${rec.size} bytes` });
    else if (size > rec.size) files.push({ ...base, state: 'corrupt', detail: `${size} bytes, expected ${rec.size}` });
    else files.push({ ...base, state: 'ok' });
  }
  return summarise(manifest.name, manifest.title ?? manifest.name, 'custom', dir, files, manifest.classes ?? [], manifest);
}

function summarise(
  name: string, title: string, kind: 'canonical' | 'custom', dir: string, files: FileStatus[], classes: string[],
  { note, noteText }: Pick<Manifest, 'note' | 'noteText'>,
): DatasetStatus {
  const bad = files.some((f) => f.state === 'truncated' || f.state === 'corrupt');
  const ok = files.filter((f) => f.state === 'ok').length;
  const state = bad ? 'corrupt' : ok === files.length && ok > 0 ? 'ready' : ok === 0 ? 'missing' : 'incomplete';
  return { name, title, kind, state, dir, files, downloadBytes: 0, note, ...(isEngineText(noteText) ? { noteText } : {}), classes };
}
