/**
 * The engine host's lower priority, in a real child process: every thread it has when it lowers itself runs at the
 * engine's nice level; the engine's worker threads started afterwards (as the wasm backend's are, in the background)
 * start at it by themselves; and any other thread started afterwards is lowered by the next call, which the host
 * makes whenever work starts or resumes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_MAIN_NICE, ENGINE_NICE, engineMainNice, engineNice, lowerEnginePriority, threadLevels, workerNice } from './priority';

const ROOT = resolve(import.meta.dirname, '../..');

/** Why thread levels cannot be read here, or null where they can (Linux). */
const noThreadList = existsSync('/proc/self/task') ? null : 'no /proc/self/task here: a nice level is the process\'s on this OS';
if (noThreadList) console.log(`priority.test.ts: per-thread checks skipped: ${noThreadList}`);

/** Runs `body` (TypeScript, top-level await allowed) in a child process with niceOf(tid) and levels() defined; its stdout's JSON. */
function inChild<T>(imports: string, body: string): T {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-priority-'));
  try {
    const script = join(dir, 'child.mts');
    writeFileSync(script, `
      import { readdirSync, readFileSync } from 'node:fs';
      ${imports}
      const niceOf = (tid: string) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
      const levels = () => Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid, niceOf(tid)]));
      ${body}
    `);
    const env = { ...process.env, LAYERLAB_ENGINE_NICE: '', LAYERLAB_ENGINE_MAIN_NICE: '' };
    const child = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], { encoding: 'utf8', env });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

describe('workerNice', () => {
  it('is the engine level, or nothing (workers left as made) where the environment\'s level is not one', () => {
    expect(workerNice({})).toBe(ENGINE_NICE);
    expect(workerNice({ LAYERLAB_ENGINE_NICE: '12' })).toBe(12);
    expect(workerNice({ LAYERLAB_ENGINE_NICE: 'low' })).toBeUndefined();
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

describe.skipIf(noThreadList !== null)('lowerEnginePriority (Linux: /proc lists each thread and its nice)', () => {
  type Levels = Record<string, number>;
  const base = getPriority();
  const main = Math.max(base, ENGINE_MAIN_NICE);
  const others = Math.max(base, ENGINE_NICE);
  const othersIn = (levels: Levels, pid: number) => Object.entries(levels).filter(([tid]) => tid !== String(pid)).map(([, nice]) => nice);
  const fresh = (levels: Levels, before: Levels) => Object.keys(levels).filter((tid) => !(tid in before)).map((tid) => levels[tid]);

  it('lowers every thread but the main one to 15 and the main one to 10; any thread started afterwards is lowered by the next call', () => {
    const result = inChild<{ pid: number; first: number; second: number; before: Levels; started: Levels; after: Levels }>(`
      import { Worker } from 'node:worker_threads';
      import { lowerEnginePriority } from ${JSON.stringify(join(ROOT, 'src-main/engine-host/priority.ts'))};
    `, `
      const first = lowerEnginePriority();
      const before = levels();
      // A thread the engine did not make itself (as libuv's pool or V8's helpers are): it lowers nothing.
      const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
      await new Promise((r) => worker.once('online', r));
      const started = levels();
      const second = lowerEnginePriority();
      const after = levels();
      console.log(JSON.stringify({ pid: process.pid, first, second, before, started, after }));
      process.exit(0);
    `);
    expect([result.first, result.second]).toEqual([main, main]);
    expect(result.before[result.pid]).toBe(main);
    expect(othersIn(result.before, result.pid).every((nice) => nice === others)).toBe(true);
    // The worker's thread was made by the main thread, so it starts at its level, until lowered.
    const started = fresh(result.started, result.before);
    expect(started.length).toBeGreaterThan(0);
    expect(started.every((nice) => nice === main)).toBe(true);
    expect(result.after[result.pid]).toBe(main);
    expect(othersIn(result.after, result.pid).every((nice) => nice === others)).toBe(true);
  }, 30_000);

  it('the engine\'s worker threads, started after the levels were applied (as index.ts starts them), start at 15 with no further call', () => {
    const result = inChild<{ pid: number; workers: number; before: Levels; up: Levels }>(`
      import { registerNodeBackends } from ${JSON.stringify(join(ROOT, 'engine/node/index.ts'))};
      import { lowerEnginePriority, workerNice } from ${JSON.stringify(join(ROOT, 'src-main/engine-host/priority.ts'))};
    `, `
      lowerEnginePriority();
      const before = levels();
      // Waits until every wasm worker has started (index.ts does not wait: they come up in the background).
      const engine = await registerNodeBackends({ threads: true, threadsReadyMs: 20_000, threadNice: workerNice() });
      const up = levels();
      const workers = engine.names.includes('wasm+threads') ? Number(engine.details['wasm+threads'].params.threads) - 1 : 0;
      engine.dispose();
      console.log(JSON.stringify({ pid: process.pid, workers, before, up }));
      process.exit(0);
    `);
    expect(result.workers).toBeGreaterThan(0);
    const started = fresh(result.up, result.before);
    expect(started.length).toBeGreaterThanOrEqual(result.workers);
    expect(started).toEqual(started.map(() => others));
    expect(result.up[result.pid]).toBe(main);
  }, 60_000);
});
