/**
 * The engine host's lower priority, in a real child process: every thread it has when it lowers itself, and a
 * worker thread started afterwards (as the wasm backend's are), runs at the engine's nice level.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_NICE, engineNice, lowerEnginePriority } from './priority';

const ROOT = resolve(import.meta.dirname, '../..');

describe('engineNice', () => {
  it('is nice 15 unless LAYERLAB_ENGINE_NICE says otherwise, and refuses what is not a nice level', () => {
    expect(engineNice({})).toBe(ENGINE_NICE);
    expect(ENGINE_NICE).toBe(15);
    expect(engineNice({ LAYERLAB_ENGINE_NICE: '0' })).toBe(0);
    expect(engineNice({ LAYERLAB_ENGINE_NICE: '15' })).toBe(15);
    expect(() => engineNice({ LAYERLAB_ENGINE_NICE: 'low' })).toThrow(/integer from -20 to 19, not 'low'/);
    expect(() => engineNice({ LAYERLAB_ENGINE_NICE: '25' })).toThrow(/not '25'/);
  });

  it('a bad LAYERLAB_ENGINE_NICE leaves the priority alone and says why, rather than stopping the engine', () => {
    const saved = process.env.LAYERLAB_ENGINE_NICE;
    const warnings: string[] = [];
    process.env.LAYERLAB_ENGINE_NICE = 'low';
    try {
      expect(lowerEnginePriority(undefined, (line) => warnings.push(line))).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.LAYERLAB_ENGINE_NICE;
      else process.env.LAYERLAB_ENGINE_NICE = saved;
    }
    expect(warnings).toEqual([`engine host: its priority is left as it was: LAYERLAB_ENGINE_NICE must be an integer from -20 to 19, not 'low'`]);
  });

  it('0 leaves the priority alone, as does a process already lower', () => {
    expect(lowerEnginePriority(0)).toBe(getPriority());
    expect(lowerEnginePriority(getPriority())).toBe(getPriority());
  });
});

describe.skipIf(process.platform !== 'linux')('lowerEnginePriority (Linux: /proc lists each thread and its nice)', () => {
  it('lowers every thread of the process, and a worker started afterwards inherits it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-priority-'));
    try {
      const script = join(dir, 'child.mts');
      writeFileSync(script, `
        import { readdirSync, readFileSync } from 'node:fs';
        import { Worker } from 'node:worker_threads';
        import { lowerEnginePriority } from ${JSON.stringify(join(ROOT, 'src-main/engine-host/priority.ts'))};
        const niceOf = (tid: string) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
        const before = readdirSync('/proc/self/task');
        const set = lowerEnginePriority();
        const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
        await new Promise((r) => worker.once('online', r));
        const after = readdirSync('/proc/self/task');
        const threads = Object.fromEntries(after.map((tid) => [tid, niceOf(tid)]));
        console.log(JSON.stringify({ set, before: before.length, after: after.length, threads }));
        process.exit(0);
      `);
      const child = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], { encoding: 'utf8', env: { ...process.env, LAYERLAB_ENGINE_NICE: '' } });
      expect(child.stderr).toBe('');
      const result = JSON.parse(child.stdout) as { set: number; before: number; after: number; threads: Record<string, number> };
      const base = getPriority();
      const expected = Math.max(base, ENGINE_NICE);
      expect(result.set).toBe(expected);
      expect(result.after).toBeGreaterThan(result.before);
      expect(Object.values(result.threads).every((nice) => nice === expected)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
