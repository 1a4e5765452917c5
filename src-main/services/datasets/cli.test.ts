import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseArgs, type CliIO } from './cli';
import { startMirror, tinyDataset, type TestMirror } from './test-helpers';
import { CATALOGUE } from './catalogue';

// The CLI uses the real catalogue; serve "mnist" files from a tiny dataset is impossible (sums are pinned), so
// these tests drive the commands that need no download plus a fetch that fails over to an offline error.
let cache: string;
let mirror: TestMirror;

beforeAll(async () => {
  cache = mkdtempSync(join(tmpdir(), 'layerlab-cli-'));
  mirror = await startMirror({});
});
afterAll(async () => {
  await mirror.close();
  rmSync(cache, { recursive: true, force: true });
});

function io(isTTY = false): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => lines.push(t), err: (t) => errors.push(t), isTTY, env: {} };
}

describe('dataset CLI', () => {
  it('parses options', () => {
    expect(parseArgs(['fetch', 'mnist', '--mirror', 'http://a/', '--mirror=http://b/', '--cache', '/c'])).toEqual({
      command: 'fetch', positional: ['mnist'], mirrors: ['http://a/', 'http://b/'], cache: '/c',
    });
  });

  it('prints usage for bad input', async () => {
    const t = io();
    expect(await main([], t)).toBe(2);
    expect(t.errors[0]).toContain('usage:');
    expect(await main(['fetch'], t)).toBe(2);
    expect(await main(['fetch', 'mnist', '--mirror'], t)).toBe(2);
  });

  it('path, status and delete', async () => {
    const t = io();
    expect(await main(['path', 'mnist', '--cache', cache], t)).toBe(0);
    expect(t.lines[0]).toBe(join(cache, 'mnist'));
    expect(await main(['status', '--cache', cache], t)).toBe(0);
    expect(t.lines.join('\n')).toMatch(/mnist \(canonical\): missing[\s\S]*fashion-mnist \(canonical\): missing/);
    expect(await main(['delete', 'mnist', '--cache', cache], t)).toBe(0);
  });

  it('fetch reports the offline error and its mirrors', async () => {
    const t = io();
    expect(await main(['fetch', 'mnist', '--cache', cache, '--mirror', mirror.url('none')], t)).toBe(1);
    expect(t.errors.join('\n')).toMatch(/use Import[\s\S]*HTTP 404/);
  });

  it('imports files and shows progress-free status lines off a TTY', async () => {
    const tiny = tinyDataset('x', 20, 5, 4);
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-cli-files-'));
    try {
      const { writeFileSync } = await import('node:fs');
      const paths = (['trainImages', 'trainLabels'] as const).map((role) => {
        const p = join(dir, role === 'trainImages' ? 'imgs' : 'labels');
        writeFileSync(p, tiny.raw[role]);
        return p;
      });
      const t = io();
      expect(await main(['import', 'mine', ...paths, '--cache', cache], t)).toBe(0);
      expect(t.lines.join('\n')).toMatch(/mine \(custom\): ready/);
      expect(await main(['verify', 'mine', '--cache', cache], t)).toBe(0);
      expect(t.lines.at(-1)).toBe('mine: all files verified');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(CATALOGUE.mnist.files).toHaveLength(4);
  });
});
