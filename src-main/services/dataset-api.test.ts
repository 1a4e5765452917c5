import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineText, englishText } from '../../common/engine-text';
import { DATASET_ARG_CHECKS, type DatasetInfo, type DatasetProgress, type DatasetUploadChunk } from '../../common/dataset-api';
import { createApiHandlers } from './api-handlers';
import { DatasetApi, pickSamples, type DatasetApiEvent } from './dataset-api';
import { DatasetService } from './datasets';
import { deadUrl, startMirror, tinyDataset, type TestMirror } from './datasets/test-helpers';
import { createDispatcher, type Dispatch } from './dispatcher';

const tiny = tinyDataset('tiny', 600, 60, 8);
const status = { state: 'ready' as const, pid: 1, reason: null, restarts: 0, hello: null, since: 0 };

let cache: string;
let uploads: string;
let mirror: TestMirror;
let api: DatasetApi;
let dispatch: Dispatch;
let events: DatasetApiEvent[];

function build(mirrors: string[], pickFiles?: () => Promise<string[] | null>): void {
  const service = new DatasetService({
    cacheDir: cache, catalogue: { tiny: { ...tiny.entry, mirrors } }, env: {}, stallMs: 250, retries: 1, backoffMs: 10,
  });
  api = new DatasetApi({ service, pickFiles, uploadDir: uploads });
  events = [];
  api.onEvent((e) => events.push(e));
  dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir: cache, engineStatus: () => status, datasets: api.handlers }));
}

beforeEach(async () => {
  cache = mkdtempSync(join(tmpdir(), 'layerlab-dsapi-'));
  uploads = mkdtempSync(join(tmpdir(), 'layerlab-dsapi-up-'));
  mirror = await startMirror(tiny.files);
  build([mirror.url('m')]);
});
afterEach(async () => {
  await api.dispose();
  await mirror.close();
  rmSync(cache, { recursive: true, force: true });
  rmSync(uploads, { recursive: true, force: true });
});

const progressEvents = () => events.filter((e) => e.name === 'datasetProgress').map((e) => e.payload as DatasetProgress);
const statusEvents = () => events.filter((e) => e.name === 'datasetStatus').map((e) => e.payload as DatasetInfo);

describe('dataset API argument checks', () => {
  it.each([
    ['listDatasets', [1]],
    ['fetchDataset', []],
    ['fetchDataset', ['../etc']],
    ['fetchDataset', [42]],
    ['fetchDataset', ['tiny', 'extra']],
    ['cancelDatasetFetch', [null]],
    ['verifyDataset', ['a b']],
    ['deleteDataset', ['']],
    ['getDatasetSamples', ['tiny', { count: 0 }]],
    ['getDatasetSamples', ['tiny', { count: 100000 }]],
    ['getDatasetSamples', ['tiny', { split: 'validation' }]],
    ['getDatasetSamples', ['tiny', { count: 4, shuffle: true }]],
    ['getDatasetSamples', ['tiny', 'train']],
    ['getDatasetSamples', ['tiny', { start: -1 }]],
    ['getDatasetSamples', ['tiny', { start: 1.5 }]],
    ['uploadDatasetFile', [{ uploadId: null, file: '../x.gz', offset: 0, base64: '' }]],
    ['uploadDatasetFile', [{ uploadId: null, file: 'a/b.gz', offset: 0, base64: '' }]],
    ['uploadDatasetFile', [{ uploadId: 'XYZ', file: 'x.gz', offset: 0, base64: '' }]],
    ['uploadDatasetFile', [{ uploadId: null, file: 'x.gz', offset: -1, base64: '' }]],
    ['uploadDatasetFile', [{ uploadId: null, file: 'x.gz', offset: 0, base64: 'not base64!' }]],
    ['uploadDatasetFile', [{ uploadId: null, file: 'x.gz', offset: 0, base64: 'A'.repeat(6_000_000) }]],
    ['importDataset', [{ source: 'disk' }]],
    ['importDataset', [{ source: 'upload' }]],
    ['importDataset', [{ source: 'dialog', name: '../x' }]],
    ['importDataset', [{ source: 'dialog', path: '/etc/passwd' }]],
  ])('%s(%j) is refused before any handler runs', async (method, args) => {
    expect(await dispatch(method, args)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(events).toEqual([]);
  });

  it('accepts well-formed calls', () => {
    expect(DATASET_ARG_CHECKS.getDatasetSamples(['mnist', { split: 'test', count: 48 }])).toBeNull();
    expect(DATASET_ARG_CHECKS.getDatasetSamples(['fashion-mnist'])).toBeNull();
    expect(DATASET_ARG_CHECKS.uploadDatasetFile([{ uploadId: null, file: 'train-images-idx3-ubyte.gz', offset: 0, base64: 'AAE=' }])).toBeNull();
    expect(DATASET_ARG_CHECKS.importDataset([{ source: 'upload', uploadId: 'abcdef0123456789abcdef01', name: 'mine' }])).toBeNull();
    expect(DATASET_ARG_CHECKS.importDataset([{ source: 'dialog' }])).toBeNull();
  });
});

describe('dataset API', () => {
  it('lists datasets with their state and how Import picks files', async () => {
    const list = await dispatch('listDatasets', []);
    expect(list).toMatchObject({ ok: true, value: { importPicker: 'upload', datasets: [{ name: 'tiny', state: 'missing', download: null, error: null }] } });
    build([mirror.url('m')], async () => null);
    expect(await dispatch('listDatasets', [])).toMatchObject({ ok: true, value: { importPicker: 'native' } });
  });

  it('downloads with progress and status events, then answers ready', async () => {
    const result = await dispatch('fetchDataset', ['tiny']);
    expect(result).toMatchObject({ ok: true, value: { name: 'tiny', state: 'ready', download: null, error: null } });
    const progress = progressEvents();
    const total = tiny.entry.files.reduce((a, f) => a + f.size, 0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ dataset: 'tiny', phase: 'done', bytes: total, total });
    expect(progress.every((p) => typeof p.speed === 'number' && p.fileBytes <= p.fileTotal)).toBe(true);
    const statuses = statusEvents();
    // First: the download has started; last: it is over and the files are ready.
    expect(statuses[0]).toMatchObject({ name: 'tiny', download: { bytes: 0, total } });
    expect(statuses.at(-1)).toMatchObject({ name: 'tiny', state: 'ready', download: null });
  });

  it('keeps the offline error with its code, and says to use Import', async () => {
    build([await deadUrl()]);
    const result = await dispatch('fetchDataset', ['tiny']);
    expect(result).toMatchObject({ ok: false, error: { code: 'offline' } });
    expect(!result.ok && result.error.message).toMatch(/Import/);
    const listed = await dispatch('listDatasets', []);
    expect(listed).toMatchObject({ ok: true, value: { datasets: [{ name: 'tiny', error: { code: 'offline' }, download: null }] } });
    expect(statusEvents().at(-1)).toMatchObject({ error: { code: 'offline' } });
  });

  it('cancels a running download by name; cancelling is not an error', async () => {
    mirror.fault = () => 'stall';
    build([mirror.url('m')]);
    const fetching = dispatch('fetchDataset', ['tiny']);
    await expect.poll(() => statusEvents().length).toBeGreaterThan(0);
    expect(await dispatch('listDatasets', [])).toMatchObject({ ok: true, value: { datasets: [{ download: { dataset: 'tiny' } }] } });
    expect(await dispatch('cancelDatasetFetch', ['tiny'])).toEqual({ ok: true, value: true });
    expect(await fetching).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(statusEvents().at(-1)).toMatchObject({ download: null, error: null });
    expect(await dispatch('cancelDatasetFetch', ['tiny'])).toEqual({ ok: true, value: false });
  });

  it('reports unknown datasets with their code', async () => {
    expect(await dispatch('fetchDataset', ['nope'])).toMatchObject({ ok: false, error: { code: 'unknown-dataset' } });
    expect(await dispatch('getDatasetSamples', ['tiny'])).toMatchObject({ ok: false, error: { code: 'not-downloaded' } });
  });

  it('samples images with labels and the class histogram', async () => {
    await dispatch('fetchDataset', ['tiny']);
    const result = await dispatch('getDatasetSamples', ['tiny', { count: 12 }]);
    if (!result.ok) throw new Error(result.error.message);
    const samples = result.value as import('../../common/dataset-api').DatasetSamples;
    expect(samples).toMatchObject({ dataset: 'tiny', split: 'train', total: 600, height: 8, width: 8 });
    expect(samples.labels).toHaveLength(12);
    expect(Buffer.from(samples.pixels, 'base64')).toHaveLength(12 * 64);
    const expected = new Array(10).fill(0);
    for (const l of tiny.trainLabels) expected[l]++;
    expect(samples.histogram).toEqual(expected);
    samples.indices.forEach((index, i) => expect(samples.labels[i]).toBe(tiny.trainLabels[index]));
    const test = await dispatch('getDatasetSamples', ['tiny', { split: 'test', count: 5 }]);
    expect(test).toMatchObject({ ok: true, value: { split: 'test', total: 60 } });
  });

  it('gives one image by its index with start, and names the range when the index is past the end', async () => {
    await dispatch('fetchDataset', ['tiny']);
    const one = await dispatch('getDatasetSamples', ['tiny', { split: 'train', start: 123, count: 1 }]);
    if (!one.ok) throw new Error(one.error.message);
    const sample = one.value as import('../../common/dataset-api').DatasetSamples;
    expect(sample.indices).toEqual([123]);
    expect(sample.labels).toEqual([tiny.trainLabels[123]]);
    // The raw IDX file: a 16-byte header, then the images row by row.
    expect([...Buffer.from(sample.pixels, 'base64')]).toEqual([...tiny.raw.trainImages.subarray(16 + 123 * 64, 16 + 124 * 64)]);
    const past = await dispatch('getDatasetSamples', ['tiny', { split: 'test', start: 60, count: 1 }]);
    expect(past).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringContaining('0..59') } });
  });

  it('verifies and deletes, announcing each change', async () => {
    await dispatch('fetchDataset', ['tiny']);
    events.length = 0;
    expect(await dispatch('verifyDataset', ['tiny'])).toMatchObject({ ok: true, value: { ok: true, dataset: { state: 'ready' } } });
    expect(statusEvents()).toHaveLength(1);
    expect(await dispatch('deleteDataset', ['tiny'])).toMatchObject({ ok: true, value: { state: 'missing' } });
    expect(statusEvents().at(-1)).toMatchObject({ state: 'missing' });
  });

  it('imports uploaded files sent in chunks, then removes the upload', async () => {
    let uploadId: string | null = null;
    for (const f of tiny.entry.files) {
      const bytes = Buffer.from(tiny.files[f.name]);
      for (let offset = 0; offset < bytes.length; offset += 1000) {
        const chunk = { uploadId, file: f.name, offset, base64: bytes.subarray(offset, offset + 1000).toString('base64') };
        const receipt = await dispatch('uploadDatasetFile', [chunk]);
        if (!receipt.ok) throw new Error(receipt.error.message);
        uploadId = (receipt.value as { uploadId: string }).uploadId;
      }
    }
    expect(readdirSync(uploads)).toHaveLength(1);
    const out = await dispatch('uploadDatasetFile', [{ uploadId, file: 'x.gz', offset: 5, base64: '' }]);
    expect(out).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const result = await dispatch('importDataset', [{ source: 'upload', uploadId }]);
    expect(result).toMatchObject({ ok: true, value: { kind: 'canonical', dataset: { name: 'tiny', state: 'ready' } } });
    expect(readdirSync(uploads)).toEqual([]);
    expect(statusEvents().at(-1)).toMatchObject({ name: 'tiny', state: 'ready' });
    expect(await dispatch('importDataset', [{ source: 'upload', uploadId }])).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('refuses files that are not IDX with the invalid-import code', async () => {
    const receipt = await dispatch('uploadDatasetFile', [{ uploadId: null, file: 'notes.txt', offset: 0, base64: Buffer.from('hello').toString('base64') }]);
    const { uploadId } = (receipt as { ok: true; value: { uploadId: string } }).value;
    expect(await dispatch('importDataset', [{ source: 'upload', uploadId }])).toMatchObject({ ok: false, error: { code: 'invalid-import' } });
  });

  it('lists a custom import with its note, and deleting it removes it', async () => {
    const other = tinyDataset('other', 50, 10, 6, 7);
    let uploadId: string | null = null;
    for (const f of other.entry.files) {
      const chunk: DatasetUploadChunk = { uploadId, file: f.name, offset: 0, base64: Buffer.from(other.files[f.name]).toString('base64') };
      uploadId = ((await dispatch('uploadDatasetFile', [chunk])) as { ok: true; value: { uploadId: string } }).value.uploadId;
    }
    const result = await dispatch('importDataset', [{ source: 'upload', uploadId, name: 'my-digits' }]);
    expect(result).toMatchObject({ ok: true, value: { kind: 'custom', dataset: { name: 'my-digits', kind: 'custom', state: 'ready' } } });
    const listed = await dispatch('listDatasets', []);
    const custom = (listed as { ok: true; value: { datasets: DatasetInfo[] } }).value.datasets.find((d) => d.name === 'my-digits');
    // The note crosses as a sentence code with its counts, for the Data tab to word in the learner's language
    // (read back from the manifest, as a later session would), beside the same sentence in English.
    expect(custom?.noteText).toEqual(engineText('dataset.custom.withTest', { train: 50, height: 6, width: 6, test: 10, classes: 10, maxLabel: 9 }));
    expect(custom?.note).toBe(englishText(custom!.noteText!));
    expect(custom?.note).toMatch(/^Custom dataset: .*: 50 training images 6×6, 10 test images, 10 classes \(0–9\)\.$/);
    expect((result as { ok: true; value: { noteText?: unknown } }).value.noteText).toEqual(custom?.noteText);
    expect(await dispatch('getDatasetSamples', ['my-digits', { count: 3 }])).toMatchObject({ ok: true, value: { total: 50, height: 6 } });
    expect(await dispatch('deleteDataset', ['my-digits'])).toEqual({ ok: true, value: null });
    const after = (await dispatch('listDatasets', [])) as { ok: true; value: { datasets: DatasetInfo[] } };
    expect(after.value.datasets.map((d) => d.name)).toEqual(['tiny']);
  });

  it('imports through the native dialog when the host has one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-dsapi-pick-'));
    const { writeFileSync } = await import('node:fs');
    const paths = tiny.entry.files.map((f) => {
      writeFileSync(join(dir, f.name), tiny.files[f.name]);
      return join(dir, f.name);
    });
    let answer: string[] | null = null;
    build([mirror.url('m')], async () => answer);
    expect(await dispatch('importDataset', [{ source: 'dialog' }])).toEqual({ ok: true, value: null });
    answer = paths;
    expect(await dispatch('importDataset', [{ source: 'dialog' }])).toMatchObject({ ok: true, value: { dataset: { state: 'ready' } } });
    rmSync(dir, { recursive: true, force: true });
    build([mirror.url('m')]);
    expect(await dispatch('importDataset', [{ source: 'dialog' }])).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
});

describe('pickSamples', () => {
  it('spreads the picks over the set and counts every label', () => {
    const set = { images: Uint8Array.from({ length: 10 * 4 }, (_, i) => i), labels: Uint8Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), count: 10, height: 2, width: 2 };
    const s = pickSamples('x', 'train', set, ['a', 'b', 'c'], 5);
    expect(s.indices).toEqual([0, 2, 4, 6, 8]);
    expect(s.labels).toEqual([0, 2, 1, 0, 2]);
    expect(s.histogram).toEqual([4, 3, 3]);
    expect([...Buffer.from(s.pixels, 'base64').subarray(4, 8)]).toEqual([8, 9, 10, 11]);
    expect(pickSamples('x', 'train', set, ['a', 'b', 'c'], 50).indices).toHaveLength(10);
  });

  it('takes consecutive images from start, up to the end of the set', () => {
    const set = { images: Uint8Array.from({ length: 10 * 4 }, (_, i) => i), labels: Uint8Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), count: 10, height: 2, width: 2 };
    const s = pickSamples('x', 'train', set, ['a', 'b', 'c'], 3, 8);
    expect(s.indices).toEqual([8, 9]);
    expect(s.labels).toEqual([2, 0]);
    expect([...Buffer.from(s.pixels, 'base64')]).toEqual([32, 33, 34, 35, 36, 37, 38, 39]);
  });
});
