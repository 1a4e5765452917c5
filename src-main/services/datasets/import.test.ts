import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineText } from '../../../common/engine-text';
import { writeIdx } from '../../../common/idx';
import { DatasetError } from './errors';
import { DatasetService } from './service';
import { tinyDataset } from './test-helpers';

const tiny = tinyDataset('tiny', 120, 30, 6);
let root: string;
let picked: string;
let ds: DatasetService;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'layerlab-import-'));
  picked = join(root, 'picked');
  ds = new DatasetService({ cacheDir: join(root, 'cache'), catalogue: { tiny: tiny.entry }, env: {} });
  mkdirp(picked);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function mkdirp(dir: string) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

function pick(name: string, bytes: Uint8Array): string {
  const path = join(picked, name);
  writeFileSync(path, bytes);
  return path;
}

async function rejection(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('DatasetService.import', () => {
  it('turns files with known checksums into the canonical dataset (.gz as is, raw under the raw name)', async () => {
    const paths = [
      pick('a.gz', tiny.files['train-images-idx3-ubyte.gz']),
      pick('b.gz', tiny.files['train-labels-idx1-ubyte.gz']),
      pick('c', tiny.raw.testImages),
      pick('d', tiny.raw.testLabels),
    ];
    const result = await ds.import(paths);
    expect(result).toMatchObject({ dataset: 'tiny', kind: 'canonical' });
    expect(result.status.state).toBe('ready');
    expect(result.status.files.map((f) => f.file)).toEqual([
      'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte',
    ]);
    expect((await ds.verify('tiny')).ok).toBe(true);
    const data = await ds.load('tiny');
    expect(data.train.count).toBe(120);
    expect(data.test?.count).toBe(30);
  });

  it('accepts a partial canonical import; the rest stays missing', async () => {
    const result = await ds.import([pick('x.gz', tiny.files['train-labels-idx1-ubyte.gz'])]);
    expect(result.status.state).toBe('incomplete');
    expect(result.status.downloadBytes).toBe(tiny.entry.files.filter((f) => f.role !== 'trainLabels').reduce((a, f) => a + f.size, 0));
  });

  it('validates unknown files by header and counts and accepts them as a custom dataset with a note', async () => {
    const images = writeIdx({ shape: [50, 5, 5], data: new Uint8Array(50 * 25).fill(3) });
    const labels = writeIdx({ shape: [50], data: Uint8Array.from({ length: 50 }, (_, i) => i % 3) });
    const testImages = writeIdx({ shape: [10, 5, 5], data: new Uint8Array(250) });
    const testLabels = writeIdx({ shape: [10], data: new Uint8Array(10) });
    const result = await ds.import(
      [pick('mine-images.gz', gzipSync(images)), pick('mine-labels', labels), pick('mine-test-images', testImages), pick('mine-test-labels', testLabels)],
      { name: 'shapes' },
    );
    expect(result.kind).toBe('custom');
    expect(result.note).toMatch(/not the known MNIST\/Fashion-MNIST files.*50 training images 5×5, 10 test images, 3 classes/);
    expect(result.noteText).toEqual(engineText('dataset.custom.withTest', { train: 50, height: 5, width: 5, test: 10, classes: 3, maxLabel: 2 }));
    expect(result.status).toMatchObject({ name: 'shapes', kind: 'custom', state: 'ready' });
    expect(await ds.names()).toEqual(['tiny', 'shapes']);
    const data = await ds.load('shapes');
    expect(data.train).toMatchObject({ count: 50, height: 5, width: 5 });
    expect(data.classes).toEqual(['0', '1', '2']);
    expect(data.split.validation.length).toBe(4);
    expect((await ds.verify('shapes')).ok).toBe(true);
    await ds.delete('shapes');
    expect(await ds.names()).toEqual(['tiny']);
  });

  // #17.7: `constructor` is no catalogue dataset, so it is a custom name like any other, listed, loaded and deleted.
  it('imports a custom dataset named like a prototype key', async () => {
    const images = writeIdx({ shape: [12, 2, 2], data: new Uint8Array(48) });
    const labels = writeIdx({ shape: [12], data: Uint8Array.from({ length: 12 }, (_, i) => i % 2) });
    const result = await ds.import([pick('p-images', images), pick('p-labels', labels)], { name: 'constructor' });
    expect(result.status).toMatchObject({ name: 'constructor', kind: 'custom', state: 'ready' });
    expect(result.noteText).toEqual(engineText('dataset.custom.noTest', { train: 12, height: 2, width: 2, classes: 2, maxLabel: 1 }));
    expect(result.note).toMatch(/: 12 training images 2×2, no test set, 2 classes \(0–1\)\.$/);
    expect(await ds.names()).toEqual(['tiny', 'constructor']);
    expect((await ds.load('constructor')).train.count).toBe(12);
    expect(await ds.delete('constructor')).toBeNull();
    expect(await ds.names()).toEqual(['tiny']);
  });

  it('rejects invalid files with precise messages', async () => {
    const bad = await rejection(ds.import([pick('short.idx', writeIdx({ shape: [10, 4, 4], data: new Uint8Array(160) }).subarray(0, 100))]));
    expect(bad.code).toBe('invalid-import');
    expect(bad.message).toContain('IDX short.idx: expected 176 bytes for 10×4×4 ubyte, got 100');
    const images = pick('i', writeIdx({ shape: [5, 4, 4], data: new Uint8Array(80) }));
    const labels = pick('l', writeIdx({ shape: [6], data: new Uint8Array(6) }));
    expect((await rejection(ds.import([images, labels]))).message).toContain('training counts differ: i has 5 images, l has 6 labels');
    expect((await rejection(ds.import([images]))).message).toContain('training labels');
    expect((await rejection(ds.import([pick('g.gz', new Uint8Array([0x1f, 0x8b, 1, 2, 3]))]))).message).toContain('not valid gzip');
    expect((await rejection(ds.import([join(picked, 'missing')]))).message).toContain('ENOENT');
    const lb = pick('lb', writeIdx({ shape: [5], data: new Uint8Array(5) }));
    expect((await rejection(ds.import([images, lb], { name: 'tiny' }))).message).toContain('is a catalogue dataset');
    expect((await rejection(ds.import([]))).message).toContain('No files picked');
  });

  it('refuses to write into an unwritable cache', async () => {
    const file = join(root, 'file');
    writeFileSync(file, '');
    const broken = new DatasetService({ cacheDir: join(file, 'c'), catalogue: { tiny: tiny.entry }, env: {} });
    const err = await rejection(broken.import([pick('a.gz', tiny.files['train-labels-idx1-ubyte.gz'])]));
    expect(err.code).toBe('cache-unwritable');
    expect(existsSync(join(file, 'c'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});
