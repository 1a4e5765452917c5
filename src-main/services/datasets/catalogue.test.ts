import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, fileUrl, parseMirrorsEnv, resolveMirrors } from './catalogue';
import { DatasetService } from './service';
import { SHARED_DATA, startMirror } from './test-helpers';

describe('catalogue', () => {
  it.skipIf(!existsSync(SHARED_DATA))('pins the sizes and SHA-256 sums of the shared copies', () => {
    for (const entry of Object.values(CATALOGUE)) {
      const sums = readFileSync(join(SHARED_DATA, entry.name, 'SHA256SUMS'), 'utf8');
      for (const f of entry.files) {
        expect(sums).toContain(`${f.sha256}  ${f.name}`);
        expect(statSync(join(SHARED_DATA, entry.name, f.name)).size).toBe(f.size);
      }
    }
  });

  it('parses LAYERLAB_MIRRORS', () => {
    expect(parseMirrorsEnv(undefined)).toEqual({});
    expect(parseMirrorsEnv('mnist=http://127.0.0.1:9999/mnist/,fashion-mnist=http://h/f/')).toEqual({
      mnist: ['http://127.0.0.1:9999/mnist/'], 'fashion-mnist': ['http://h/f/'],
    });
    expect(parseMirrorsEnv(' mnist=http://a/|http://b/ ; mnist=https://c/ ')).toEqual({ mnist: ['http://a/', 'http://b/', 'https://c/'] });
    expect(() => parseMirrorsEnv('http://a/')).toThrow('expected name=url, got "http://a/"');
    expect(() => parseMirrorsEnv('mnist=file:///x')).toThrow('must be http or https');
  });

  it('reads mirror names that are prototype keys as names, and never resolves a dataset through them', () => {
    const env = parseMirrorsEnv('constructor=http://a/,__proto__=http://b/,toString=http://c/');
    expect(Object.entries(env)).toEqual([['constructor', ['http://a/']], ['__proto__', ['http://b/']], ['toString', ['http://c/']]]);
    const entry = { ...CATALOGUE.mnist!, name: 'constructor' };
    expect(resolveMirrors(entry, { env: {}, settings: {} })).toEqual(CATALOGUE.mnist!.mirrors);
  });

  it('resolves mirrors: call > env > settings > defaults', () => {
    const mnist = CATALOGUE.mnist;
    expect(resolveMirrors(mnist)).toEqual(['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/']);
    expect(resolveMirrors(mnist, { settings: { mnist: ['http://s/'] } })).toEqual(['http://s/']);
    expect(resolveMirrors(mnist, { settings: { mnist: ['http://s/'] }, env: { mnist: ['http://e/'] } })).toEqual(['http://e/']);
    expect(resolveMirrors(mnist, { call: ['http://c/'], env: { mnist: ['http://e/'] } })).toEqual(['http://c/']);
    expect(resolveMirrors(mnist, { env: { 'fashion-mnist': ['http://e/'] } })[0]).toContain('ossci');
    expect(fileUrl('http://h/x', 'f.gz')).toBe('http://h/x/f.gz');
  });
});

describe('real MNIST over loopback', () => {
  it.skipIf(!existsSync(SHARED_DATA))('fetches the pinned files, verifies them and loads 55,000/5,000 + 10,000', async () => {
    const files = Object.fromEntries(CATALOGUE.mnist.files.map((f) => [f.name, new Uint8Array(readFileSync(join(SHARED_DATA, 'mnist', f.name)))]));
    const mirror = await startMirror(files);
    const cache = mkdtempSync(join(tmpdir(), 'layerlab-mnist-'));
    try {
      const ds = new DatasetService({ cacheDir: cache, env: { LAYERLAB_MIRRORS: `mnist=${mirror.url('mnist')}` } });
      expect((await ds.fetch('mnist')).state).toBe('ready');
      const data = await ds.load('mnist');
      expect(data.train).toMatchObject({ count: 60000, height: 28, width: 28 });
      expect(data.test).toMatchObject({ count: 10000, height: 28, width: 28 });
      expect(data.split.train.length).toBe(55000);
      expect(data.split.validation.length).toBe(5000);
      const perClass = new Array(10).fill(0);
      for (const i of data.split.validation) perClass[data.train.labels[i]]++;
      expect(perClass[1]).toBe(562); // 6,742 ones × 5,000 / 60,000 = 561.8
      expect(perClass.reduce((a, b) => a + b)).toBe(5000);
      expect([...data.train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
      expect(data.classes[7]).toBe('7');
    } finally {
      await mirror.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
