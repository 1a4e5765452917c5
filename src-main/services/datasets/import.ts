/**
 * Importing user-picked IDX files (.gz or raw), for offline machines.
 *  - Files whose SHA-256 matches the catalogue (either the .gz or the inflated IDX) become that canonical dataset,
 *    exactly as if downloaded (a partial set is fine: the rest can be fetched or imported later).
 *  - Anything else is validated by its IDX header and counts (N×H×W ubyte images, N ubyte labels, counts agree)
 *    and accepted as a custom dataset, with a note saying so.
 * Roles of unknown files come from the header (3-D images, 1-D labels) and the name ("t10k"/"test" → test).
 */
import { createHash } from 'node:crypto';
import { copyFile, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { engineText, englishText, type EngineText } from '../../../common/engine-text';
import { parseIdx, type IdxArray } from '../../../common/idx';
import type { CatalogueEntry, CatalogueFile, DatasetRole } from './catalogue';
import type { Manifest } from './cache';
import { datasetError } from './errors';

const gunzip = promisify(gunzipCb);

export interface ImportedFile {
  path: string;
  role: DatasetRole;
  /** True when the file matched a catalogue checksum. */
  recognised: boolean;
  gzip: boolean;
  shape: number[];
}

export interface ImportPlan {
  dataset: string;
  kind: 'canonical' | 'custom';
  files: (ImportedFile & { sha256: string; size: number; storedName: string })[];
  note?: string;
  /** The note as a sentence code, for the renderer to word in the learner's language. */
  noteText?: EngineText;
  classes?: string[];
  title?: string;
}

interface Candidate {
  path: string;
  bytes: Buffer;
  sha256: string;
  gzip: boolean;
  known?: { entry: CatalogueEntry; file: CatalogueFile };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function inflate(c: Candidate): Promise<IdxArray> {
  let raw: Uint8Array = c.bytes;
  if (c.gzip) {
    try {
      raw = await gunzip(c.bytes);
    } catch (err) {
      throw datasetError('invalid-import', engineText('dataset.import.notGzip', { file: basename(c.path), detail: (err as Error).message }));
    }
  }
  try {
    return parseIdx(raw, { name: basename(c.path) });
  } catch (err) {
    throw datasetError('invalid-import', engineText('dataset.import.notIdx', { detail: (err as Error).message }));
  }
}

/** Reads, identifies and validates the picked files; writes nothing. */
export async function planImport(paths: string[], catalogue: Record<string, CatalogueEntry>, customName = 'custom'): Promise<ImportPlan> {
  if (paths.length === 0) throw datasetError('invalid-import', engineText('dataset.import.none', {}));
  const candidates: Candidate[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw datasetError('invalid-import', engineText('dataset.import.unreadable', { path, detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message }));
    }
    const c: Candidate = { path, bytes, sha256: sha(bytes), gzip: bytes[0] === 0x1f && bytes[1] === 0x8b };
    for (const entry of Object.values(catalogue)) {
      const file = entry.files.find((f) => (c.gzip ? f.sha256 : f.rawSha256) === c.sha256);
      if (file) c.known = { entry, file };
    }
    candidates.push(c);
  }

  if (candidates.every((c) => c.known)) {
    const names = [...new Set(candidates.map((c) => c.known!.entry.name))];
    if (names.length > 1) throw datasetError('invalid-import', engineText('dataset.import.mixed', { names: names.join(', ') }));
    const roles = candidates.map((c) => c.known!.file.role);
    if (new Set(roles).size !== roles.length) throw datasetError('invalid-import', engineText('dataset.import.twice', {}));
    return {
      dataset: names[0],
      kind: 'canonical',
      files: candidates.map((c) => ({
        path: c.path, role: c.known!.file.role, recognised: true, gzip: c.gzip, shape: c.known!.file.shape,
        sha256: c.sha256, size: c.bytes.length, storedName: c.gzip ? c.known!.file.name : c.known!.file.name.replace(/\.gz$/, ''),
      })),
    };
  }

  if (Object.hasOwn(catalogue, customName)) {
    throw datasetError('invalid-import', engineText('dataset.import.catalogueName', { name: customName }));
  }
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(customName)) {
    throw datasetError('invalid-import', engineText('dataset.import.badName', { name: customName }));
  }
  const parsed = await Promise.all(candidates.map(async (c) => ({ c, idx: await inflate(c) })));
  const images = parsed.filter((p) => p.idx.shape.length === 3);
  const labels = parsed.filter((p) => p.idx.shape.length === 1);
  const other = parsed.find((p) => p.idx.shape.length !== 1 && p.idx.shape.length !== 3);
  if (other) throw datasetError('invalid-import', engineText('dataset.import.dims', { file: basename(other.c.path), dims: other.idx.shape.length }));
  for (const p of parsed) {
    if (p.idx.dtype !== 'uint8') throw datasetError('invalid-import', engineText('dataset.import.dtype', { file: basename(p.c.path), dtype: p.idx.dtype }));
  }
  const split = (group: typeof parsed, kind: 'images' | 'labels') => {
    const isTest = (p: (typeof parsed)[number]) => /t10k|test/i.test(basename(p.c.path));
    let train = group.filter((p) => !isTest(p));
    let test = group.filter(isTest);
    if (group.length === 2 && (train.length !== 1 || test.length !== 1)) {
      // The names do not tell: the bigger file is the training set.
      const bySize = [...group].sort((a, b) => b.idx.shape[0] - a.idx.shape[0]);
      [train, test] = [[bySize[0]], [bySize[1]]];
    }
    if (train.length !== 1 || test.length > 1) {
      throw datasetError('invalid-import', engineText(`dataset.import.pickOne.${kind}`, { count: group.length }));
    }
    return { train: train[0], test: test[0] };
  };
  const im = split(images, 'images');
  const lb = split(labels, 'labels');
  if (!lb.train) throw datasetError('invalid-import', engineText('dataset.import.noTrainLabels', {}));
  const check = (i: (typeof parsed)[number] | undefined, l: (typeof parsed)[number] | undefined, what: 'training' | 'test') => {
    if (!i !== !l) throw datasetError('invalid-import', engineText(`dataset.import.pair.${what}`, {}));
    if (i && l && i.idx.shape[0] !== l.idx.shape[0]) {
      throw datasetError('invalid-import', engineText(`dataset.import.counts.${what}`, {
        images: basename(i.c.path), imageCount: i.idx.shape[0], labels: basename(l.c.path), labelCount: l.idx.shape[0],
      }));
    }
  };
  check(im.train, lb.train, 'training');
  check(im.test, lb.test, 'test');
  if (im.test && (im.test.idx.shape[1] !== im.train.idx.shape[1] || im.test.idx.shape[2] !== im.train.idx.shape[2])) {
    throw datasetError('invalid-import', engineText('dataset.import.testSize', { test: im.test.idx.shape.slice(1).join('×'), train: im.train.idx.shape.slice(1).join('×') }));
  }
  let maxLabel = 0;
  for (const p of [lb.train, lb.test]) if (p) for (const v of p.idx.data) maxLabel = Math.max(maxLabel, v);
  const [n, h, w] = im.train.idx.shape;
  const roles: [DatasetRole, (typeof parsed)[number] | undefined, string][] = [
    ['trainImages', im.train, 'train-images-idx3-ubyte'], ['trainLabels', lb.train, 'train-labels-idx1-ubyte'],
    ['testImages', im.test, 't10k-images-idx3-ubyte'], ['testLabels', lb.test, 't10k-labels-idx1-ubyte'],
  ];
  const files = roles.filter(([, p]) => p).map(([role, p, stem]) => ({
    path: p!.c.path, role, recognised: !!p!.c.known, gzip: p!.c.gzip, shape: p!.idx.shape,
    sha256: p!.c.sha256, size: p!.c.bytes.length, storedName: stem + (p!.c.gzip ? '.gz' : ''),
  }));
  const counts = { train: n, height: h, width: w, classes: maxLabel + 1, maxLabel };
  const noteText = im.test
    ? engineText('dataset.custom.withTest', { ...counts, test: im.test.idx.shape[0] })
    : engineText('dataset.custom.noTest', counts);
  return {
    dataset: customName, kind: 'custom', files, note: englishText(noteText), noteText, title: customName,
    classes: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)),
  };
}

/** Copies the planned files into `dir` (temp + rename each) and returns the updated manifest. */
export async function applyImport(dir: string, plan: ImportPlan, manifest: Manifest): Promise<Manifest> {
  const next: Manifest = plan.kind === 'custom'
    ? { version: 1, name: plan.dataset, kind: 'custom', title: plan.title, note: plan.note, noteText: plan.noteText, classes: plan.classes, files: {} }
    : { ...manifest, files: { ...manifest.files } };
  for (const f of plan.files) {
    const tmp = join(dir, `${f.storedName}.import-${process.pid}.part`);
    await copyFile(f.path, tmp);
    await rename(tmp, join(dir, f.storedName));
    const previous = manifest.files[f.role];
    if (previous && previous.file !== f.storedName) await rm(join(dir, previous.file), { force: true });
    next.files[f.role] = {
      file: f.storedName, size: f.size, sha256: f.sha256, gzip: f.gzip, shape: f.shape,
      source: `import:${f.path}`, addedAt: new Date().toISOString(),
    };
  }
  return next;
}
