import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { englishText } from '../../../common/engine-text';
import { DatasetError } from './errors';
import { DatasetService, type DatasetProgress } from './service';
import { deadUrl, startMirror, tinyDataset, type TestMirror } from './test-helpers';

/** Why the disk-full tests cannot run here, or '' (they need Linux's /dev/full, which always answers ENOSPC). */
const noDevFull = existsSync('/dev/full') ? '' : 'this system has no /dev/full to make a real ENOSPC';
if (noDevFull) console.log(`disk-full tests skipped: ${noDevFull}`);

const tiny = tinyDataset('tiny', 2000, 100, 8);
const fast = { stallMs: 250, retries: 2, backoffMs: 10 };

let cache: string;
let mirror: TestMirror;

beforeEach(async () => {
  cache = mkdtempSync(join(tmpdir(), 'layerlab-ds-'));
  mirror = await startMirror(tiny.files);
});
afterEach(async () => {
  await mirror.close();
  rmSync(cache, { recursive: true, force: true });
});

function service(mirrors: string[], extra: object = {}) {
  return new DatasetService({ cacheDir: cache, catalogue: { tiny: { ...tiny.entry, mirrors } }, env: {}, ...fast, ...extra });
}

const cacheFiles = () => readdirSync(join(cache, 'tiny')).sort();
const served = (prefix: string) => mirror.seen.filter((s) => s.path.startsWith(`/${prefix}/`));

/** Whether anything, a dangling symlink included, is at `path`. */
function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

async function rejection(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('DatasetService.fetch', () => {
  it('downloads, verifies and records every file, reporting progress', async () => {
    const ds = service([mirror.url('m1')]);
    expect((await ds.status('tiny')).state).toBe('missing');
    const events: DatasetProgress[] = [];
    const status = await ds.fetch('tiny', { onProgress: (p) => events.push(p) });
    expect(status.state).toBe('ready');
    expect(status.files.every((f) => f.state === 'ok')).toBe(true);
    expect(cacheFiles()).toEqual(['manifest.json', ...tiny.entry.files.map((f) => f.name)].sort());
    const total = tiny.entry.files.reduce((a, f) => a + f.size, 0);
    expect(events.at(-1)).toMatchObject({ phase: 'done', bytes: total, total, etaSeconds: 0 });
    const bytes = events.map((e) => e.bytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    for (const f of tiny.entry.files) expect(events.some((e) => e.file === f.name && e.fileBytes === f.size)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(cache, 'tiny', 'manifest.json'), 'utf8'));
    expect(manifest.files.trainImages).toMatchObject({ file: 'train-images-idx3-ubyte.gz', sha256: tiny.entry.files[0].sha256, source: mirror.url('m1') });
    // Already there: nothing more is requested.
    const before = mirror.seen.length;
    await ds.fetch('tiny');
    expect(mirror.seen.length).toBe(before);
  });

  it('moves to the second mirror when the first answers 404', async () => {
    mirror.fault = (path) => (path.startsWith('/m1/') ? '404' : 'ok');
    const errors: string[] = [];
    const ds = service([mirror.url('m1'), mirror.url('m2')]);
    ds.on('mirror-error', (e) => errors.push(e.reason));
    expect((await ds.fetch('tiny')).state).toBe('ready');
    expect(served('m1').length).toBe(4);
    expect(served('m2').length).toBe(4);
    expect(errors[0]).toContain('HTTP 404');
  });

  it('resumes a connection cut at 50% with a Range request', async () => {
    mirror.fault = (path, n) => (path.endsWith('train-images-idx3-ubyte.gz') && n === 0 ? 'cut' : 'ok');
    const ds = service([mirror.url('m1')]);
    expect((await ds.fetch('tiny')).state).toBe('ready');
    const images = mirror.seen.filter((s) => s.path.endsWith('train-images-idx3-ubyte.gz'));
    expect(images.length).toBe(2);
    expect(images[0].range).toBeUndefined();
    const size = tiny.entry.files[0].size;
    expect(images[1].range).toBe(`bytes=${Math.floor(size / 2)}-`);
  });

  it('follows redirects, restarts when Range is ignored, and never inflates a gzip-labelled body', async () => {
    mirror.fault = (path, n) => {
      if (path.startsWith('/m1/train-images')) return n === 0 ? 'cut' : 'norange';
      if (path.startsWith('/m1/train-labels')) return 'redirect';
      return 'encoded';
    };
    const ds = service([mirror.url('m1')]);
    expect((await ds.fetch('tiny')).state).toBe('ready');
    expect(mirror.seen.map((s) => s.path)).toContain('/moved/m1/train-labels-idx1-ubyte.gz');
    const images = mirror.seen.filter((s) => s.path === '/m1/train-images-idx3-ubyte.gz');
    expect(images[1].range).toMatch(/^bytes=\d+-$/); // asked to resume, got everything, started over
    expect((await ds.verify('tiny')).ok).toBe(true);
  });

  it('rejects wrong bytes with a checksum error and leaves nothing in the cache', async () => {
    mirror.fault = (path) => (path.endsWith('train-labels-idx1-ubyte.gz') ? 'wrong' : 'ok');
    const ds = service([mirror.url('m1')]);
    const err = await rejection(ds.fetch('tiny'));
    expect(err.code).toBe('checksum');
    expect(err.message).toContain('SHA-256');
    expect(cacheFiles().filter((f) => f.startsWith('train-labels'))).toEqual([]);
  });

  it('gives up on a stalled mirror after the timeout and uses the next', async () => {
    mirror.fault = (path) => (path.startsWith('/slow/') ? 'stall' : 'ok');
    const ds = service([mirror.url('slow'), mirror.url('m2')]);
    const reasons: string[] = [];
    ds.on('mirror-error', (e) => reasons.push(e.reason));
    expect((await ds.fetch('tiny')).state).toBe('ready');
    expect(reasons.length).toBe(4);
    expect(reasons[0]).toContain('stalled');
  });

  it('reports one offline error pointing to Import when every mirror is down', async () => {
    mirror.fault = () => '500';
    const ds = service([await deadUrl(), mirror.url('m1')]);
    const err = await rejection(ds.fetch('tiny'));
    expect(err.code).toBe('offline');
    expect(err.message).toMatch(/none of 2 mirrors could be reached.*use Import/);
    expect(err.details.join('\n')).toContain('ECONNREFUSED');
    expect(err.details.join('\n')).toContain('HTTP 503');
    expect(cacheFiles().filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('detects a truncated cache file at start and refetches just that file', async () => {
    const ds = service([mirror.url('m1')]);
    await ds.fetch('tiny');
    truncateSync(join(cache, 'tiny', 't10k-images-idx3-ubyte.gz'), 100);
    const status = await service([mirror.url('m1')]).status('tiny');
    expect(status.state).toBe('corrupt');
    expect(status.files.find((f) => f.role === 'testImages')).toMatchObject({ state: 'truncated', size: 100 });
    expect(status.downloadBytes).toBe(tiny.entry.files[2].size);
    const before = mirror.seen.length;
    expect((await ds.ensure('tiny')).state).toBe('ready');
    expect(mirror.seen.slice(before).map((s) => s.path)).toEqual(['/m1/t10k-images-idx3-ubyte.gz']);
    expect((await ds.ensure('tiny')).state).toBe('ready');
    expect(mirror.seen.length).toBe(before + 1);
  });

  it('says clearly when the cache folder is not writable', async () => {
    const file = join(cache, 'not-a-folder');
    writeFileSync(file, 'x');
    const ds = new DatasetService({ cacheDir: join(file, 'cache'), catalogue: { tiny: { ...tiny.entry, mirrors: [mirror.url('m1')] } }, env: {} });
    const err = await rejection(ds.fetch('tiny'));
    expect(err.code).toBe('cache-unwritable');
    expect(err.message).toMatch(/cache folder .* is not writable \(ENOTDIR\)\. Choose another cache folder/);
  });

  // #17.5: a 6 MiB data folder reported 'offline' and kept a 6 MB .part that held the disk at 100%.
  it('says the disk is full before fetching a byte, with the space needed and free', async () => {
    const total = tiny.entry.files.reduce((a, f) => a + f.size, 0);
    const ds = service([mirror.url('m1')], { freeBytes: async () => 1_000 });
    const err = await rejection(ds.fetch('tiny'));
    expect(err.code).toBe('disk-full');
    expect(err.message).toContain(`needs ${(total / 1e6).toFixed(1)} MB more free space in ${join(cache, 'tiny')}; 0.0 MB is free`);
    expect(mirror.seen).toEqual([]);
    expect(readdirSync(join(cache, 'tiny')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  // /dev/full answers every write with ENOSPC: a real full disk, without a small file system to mount.
  it.skipIf(noDevFull)('a disk that fills mid-download is disk-full, not offline, and its .part is removed', async () => {
    const ds = service([mirror.url('m1')]);
    mkdirSync(join(cache, 'tiny'));
    const first = tiny.entry.files[0]!;
    const part = join(cache, 'tiny', `${first.name}.part`);
    symlinkSync('/dev/full', part);
    const err = await rejection(ds.fetch('tiny'));
    expect(err.code).toBe('disk-full');
    expect(err.message).toMatch(/^The disk is full: .* needs \d+\.\d MB more free space in .*; [\d.]+ MB is free\. Free some space/);
    expect(lstatExists(part)).toBe(false);
    expect(served('m1')).toHaveLength(1); // no retries and no other mirror: neither helps a full disk
  });

  it('shares one download between two concurrent requests', async () => {
    const ds = service([mirror.url('m1')]);
    const a: DatasetProgress[] = [];
    const b: DatasetProgress[] = [];
    const [s1, s2] = await Promise.all([ds.fetch('tiny', { onProgress: (p) => a.push(p) }), ds.fetch('tiny', { onProgress: (p) => b.push(p) })]);
    expect(s1.state).toBe('ready');
    expect(s2.state).toBe('ready');
    expect(mirror.seen.length).toBe(4);
    expect(a.at(-1)?.phase).toBe('done');
    expect(b.at(-1)?.phase).toBe('done');
  });

  it('cancels with an AbortSignal, keeps the .part, and resumes on the next fetch', async () => {
    const controller = new AbortController();
    mirror.fault = (path, n) => {
      if (!path.endsWith('train-images-idx3-ubyte.gz') || n > 0) return 'ok';
      setTimeout(() => controller.abort(), 100); // mid-file: 10 bytes are in, then nothing
      return 'stall';
    };
    const ds = service([mirror.url('m1')], { stallMs: 10_000 });
    const pending = ds.fetch('tiny', { signal: controller.signal });
    expect((await rejection(pending)).code).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 50));
    expect(cacheFiles()).toContain('train-images-idx3-ubyte.gz.part');
    expect((await ds.fetch('tiny')).state).toBe('ready');
    expect(mirror.seen.filter((s) => s.path.endsWith('train-images-idx3-ubyte.gz'))[1].range).toBe('bytes=10-');
  });

  it('uses LAYERLAB_MIRRORS over settings, and a per-call mirror over both', async () => {
    const env = { LAYERLAB_MIRRORS: `tiny=${mirror.url('env')}|${mirror.url('env2')}` };
    const ds = new DatasetService({ cacheDir: cache, catalogue: { tiny: tiny.entry }, env, mirrors: { tiny: [mirror.url('settings')] } });
    expect(ds.mirrors('tiny')).toEqual([mirror.url('env'), mirror.url('env2')]);
    expect(ds.mirrors('tiny', [mirror.url('call')])).toEqual([mirror.url('call')]);
    await ds.fetch('tiny');
    expect(served('env').length).toBe(4);
    expect(() => ds.mirrors('tiny', ['ftp://x/'])).toThrow('must be http or https');
  });

  it('refuses unknown datasets', async () => {
    const ds = service([mirror.url('m1')]);
    expect((await rejection(ds.fetch('nope'))).code).toBe('unknown-dataset');
    await expect(ds.status('../etc')).rejects.toThrow('not a dataset name');
  });

  // #17.7: the catalogue is a plain object, and these names found Object.prototype's functions in it.
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])('%s is unknown to every method, not a catalogue entry', async (name) => {
    const ds = service([mirror.url('m1')]);
    const attempts = [() => ds.fetch(name), () => ds.status(name), () => ds.verify(name), () => ds.delete(name), () => ds.load(name), () => ds.ensure(name)];
    for (const attempt of attempts) {
      const error = await rejection(attempt());
      expect(error.code).toBe('unknown-dataset');
      expect(error.message).toContain(name);
    }
    expect(await ds.names()).toEqual(['tiny']);
  });

  it('deleting an unknown name with nothing on disk is an error; a leftover folder is removed', async () => {
    const ds = service([mirror.url('m1')]);
    expect((await rejection(ds.delete('never-imported'))).code).toBe('unknown-dataset');
    mkdirSync(join(cache, 'half-imported'));
    expect(await ds.delete('half-imported')).toBeNull();
    expect(existsSync(join(cache, 'half-imported'))).toBe(false);
  });
});

describe('verify, delete, load', () => {
  it('verify finds and deletes a corrupt file; delete removes the folder', async () => {
    const ds = service([mirror.url('m1')]);
    await ds.fetch('tiny');
    expect((await ds.verify('tiny')).ok).toBe(true);
    const path = join(cache, 'tiny', 'train-labels-idx1-ubyte.gz');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(path, bytes); // same size, so only a hash check can see it
    expect((await ds.status('tiny')).state).toBe('ready');
    const result = await ds.verify('tiny');
    expect(result.ok).toBe(false);
    expect(result.files.find((f) => f.role === 'trainLabels')?.state).toBe('corrupt');
    expect(existsSync(path)).toBe(false);
    expect(result.status.state).toBe('incomplete');
    await ds.delete('tiny');
    expect(existsSync(join(cache, 'tiny'))).toBe(false);
    expect((await ds.status('tiny')).state).toBe('missing');
  });

  it("refuses to load a dataset not on disk whole, saying each file's state as data beside the same English as ever", async () => {
    const ds = service([mirror.url('m1')]);
    const none = await rejection(ds.load('tiny'));
    expect(none.message).toBe('tiny is not ready (train-images-idx3-ubyte.gz missing, train-labels-idx1-ubyte.gz missing, '
      + 't10k-images-idx3-ubyte.gz missing, t10k-labels-idx1-ubyte.gz missing). Download it, or import the IDX files.');
    expect(none.text).toMatchObject({ code: 'dataset.notReady', params: { name: 'tiny' } });
    await ds.fetch('tiny');
    rmSync(join(cache, 'tiny', 'train-labels-idx1-ubyte.gz'));
    truncateSync(join(cache, 'tiny', 't10k-images-idx3-ubyte.gz'), 100);
    writeFileSync(join(cache, 'tiny', 't10k-labels-idx1-ubyte.gz'), Buffer.from([1]), { flag: 'a' });
    const err = await rejection(ds.load('tiny'));
    expect(err.code).toBe('corrupt');
    expect(err.message).toBe('tiny is not ready (train-labels-idx1-ubyte.gz missing, t10k-images-idx3-ubyte.gz truncated, '
      + 't10k-labels-idx1-ubyte.gz corrupt). Download it, or import the IDX files.');
    expect(err.text).toEqual({
      code: 'dataset.notReady',
      params: {
        name: 'tiny',
        files: [
          { code: 'dataset.file.missing', params: { file: 'train-labels-idx1-ubyte.gz' } },
          { code: 'dataset.file.truncated', params: { file: 't10k-images-idx3-ubyte.gz' } },
          { code: 'dataset.file.corrupt', params: { file: 't10k-labels-idx1-ubyte.gz' } },
        ],
      },
    });
    expect(englishText(err.text!)).toBe(err.message);
  });

  it('load returns transferable typed arrays, the stratified split and the held-out test set', async () => {
    const ds = service([mirror.url('m1')]);
    expect((await rejection(ds.load('tiny'))).code).toBe('not-downloaded');
    await ds.fetch('tiny');
    const data = await ds.load('tiny');
    expect(data.train).toMatchObject({ count: 2000, height: 8, width: 8 });
    expect(data.train.images.length).toBe(2000 * 64);
    expect([...data.train.labels]).toEqual([...tiny.trainLabels]);
    expect(data.test?.count).toBe(100);
    expect(data.split.validation.length).toBe(Math.round(2000 / 12));
    expect(data.split.train.length + data.split.validation.length).toBe(2000);
    expect(new Set(data.transfer).size).toBe(data.transfer.length); // each array owns its buffer
    expect(data.transfer.length).toBe(6);
    expect(data.train.images.byteLength).toBe(data.train.images.buffer.byteLength);
    expect(data.classes).toHaveLength(10);
  });
});
