/**
 * The engine host's lower priority, in a real child process: every thread it has when it lowers itself, and a
 * worker thread started afterwards (as the wasm backend's are), runs at the engine's nice level.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_MAIN_NICE, ENGINE_NICE, engineMainNice, engineNice, lowerEnginePriority, threadLevels } from './priority';

const ROOT = resolve(import.meta.dirname, '../..');

describe('engineNice, engineMainNice', () => {
  it('are nice 15 and 10 unless LAYERLAB_ENGINE_NICE / LAYERLAB_ENGINE_MAIN_NICE say otherwise, and refuse what is not a nice level', () => {
    expect(engineNice({})).toBe(ENGINE_NICE);
    expect(ENGINE_NICE).toBe(15);
    expect(engineMainNice({})).toBe(ENGINE_MAIN_NICE);
    expect(ENGINE_MAIN_NICE).toBe(10);
    expect(engineNice({ LAYERLAB_ENGINE_NICE: '0' })).toBe(0);
    expect(engineNice({ LAYERLAB_ENGINE_NICE: '15' })).toBe(15);
    expect(engineMainNice({ LAYERLAB_ENGINE_MAIN_NICE: '15' })).toBe(15);
    expect(() => engineNice({ LAYERLAB_ENGINE_NICE: 'low' })).toThrow(/LAYERLAB_ENGINE_NICE must be an integer from -20 to 19, not 'low'/);
    expect(() => engineNice({ LAYERLAB_ENGINE_NICE: '25' })).toThrow(/not '25'/);
    expect(() => engineMainNice({ LAYERLAB_ENGINE_MAIN_NICE: '1.5' })).toThrow(/LAYERLAB_ENGINE_MAIN_NICE must be an integer from -20 to 19, not '1.5'/);
  });

  it('never puts the main thread below the other threads: a lower engine level lowers it with them', () => {
    expect(engineMainNice({ LAYERLAB_ENGINE_NICE: '5' })).toBe(5);
    expect(engineMainNice({ LAYERLAB_ENGINE_NICE: '0' })).toBe(0);
    expect(engineMainNice({ LAYERLAB_ENGINE_NICE: '12', LAYERLAB_ENGINE_MAIN_NICE: '19' })).toBe(12);
  });
});

describe('threadLevels', () => {
  const levels = { nice: 15, main: 10 };
  const atZero = () => 0;

  it('gives the main thread (id = pid) its own level and every other listed thread the engine level', () => {
    expect(threadLevels([100, 101, 102], 100, levels, atZero)).toEqual([[100, 10], [101, 15], [102, 15]]);
  });

  it('lowers the process as one where threads are not listed (the level is the process\'s there)', () => {
    expect(threadLevels(null, 100, levels, atZero)).toEqual([[0, 15]]);
  });

  it('leaves a thread already at or below its level, and a level of 0 (keep the parent\'s)', () => {
    const current = (tid: number) => ({ 100: 10, 101: 15, 102: 19, 103: 3 })[tid] ?? 0;
    expect(threadLevels([100, 101, 102, 103], 100, levels, current)).toEqual([[103, 15]]);
    expect(threadLevels([100, 101], 100, { nice: 0, main: 0 }, atZero)).toEqual([]);
  });
});

describe('lowerEnginePriority', () => {
  it('a bad LAYERLAB_ENGINE_NICE leaves the priority alone and says why, rather than stopping the engine', () => {
    const saved = process.env.LAYERLAB_ENGINE_NICE;
    const warnings: string[] = [];
    process.env.LAYERLAB_ENGINE_NICE = 'low';
    try {
      expect(lowerEnginePriority((line) => warnings.push(line))).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.LAYERLAB_ENGINE_NICE;
      else process.env.LAYERLAB_ENGINE_NICE = saved;
    }
    expect(warnings).toEqual([`engine host: its priority is left as it was: LAYERLAB_ENGINE_NICE must be an integer from -20 to 19, not 'low'`]);
  });
});

describe.skipIf(process.platform !== 'linux')('lowerEnginePriority (Linux: /proc lists each thread and its nice)', () => {
  it('lowers every thread but the main one to 15 and the main one to 10; a worker started afterwards is lowered by the next call', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-priority-'));
    try {
      const script = join(dir, 'child.mts');
      writeFileSync(script, `
        import { readdirSync, readFileSync } from 'node:fs';
        import { Worker } from 'node:worker_threads';
        import { lowerEnginePriority } from ${JSON.stringify(join(ROOT, 'src-main/engine-host/priority.ts'))};
        const niceOf = (tid: string) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
        const levels = () => Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid, niceOf(tid)]));
        const first = lowerEnginePriority();
        const before = levels();
        const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
        await new Promise((r) => worker.once('online', r));
        const started = levels();
        const second = lowerEnginePriority();
        const after = levels();
        console.log(JSON.stringify({ pid: process.pid, first, second, before, started, after }));
        process.exit(0);
      `);
      const env = { ...process.env, LAYERLAB_ENGINE_NICE: '', LAYERLAB_ENGINE_MAIN_NICE: '' };
      const child = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], { encoding: 'utf8', env });
      expect(child.stderr).toBe('');
      type Levels = Record<string, number>;
      const result = JSON.parse(child.stdout) as { pid: number; first: number; second: number; before: Levels; started: Levels; after: Levels };
      const base = getPriority();
      const main = Math.max(base, ENGINE_MAIN_NICE);
      const others = Math.max(base, ENGINE_NICE);
      const pid = String(result.pid);
      const othersIn = (levels: Levels) => Object.entries(levels).filter(([tid]) => tid !== pid).map(([, nice]) => nice);
      expect([result.first, result.second]).toEqual([main, main]);
      expect(result.before[pid]).toBe(main);
      expect(othersIn(result.before).every((nice) => nice === others)).toBe(true);
      // The worker's threads were made by the main thread, so they start at its level, until lowered.
      const fresh = Object.keys(result.started).filter((tid) => !(tid in result.before));
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh.every((tid) => result.started[tid] === main)).toBe(true);
      expect(result.after[pid]).toBe(main);
      expect(othersIn(result.after).every((nice) => nice === others)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
