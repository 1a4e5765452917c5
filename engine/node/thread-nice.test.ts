/**
 * Worker threads that lower themselves as they start (./thread-nice.ts), through Node's adapters as the engine host
 * uses them: the wasm backend's workers and the gpu.js worker, in a child process whose thread levels /proc lists.
 * The main thread that made them keeps its own level (a per-thread level, not the process's), and a worker told no
 * level stays at its maker's, which is what the engine's workers did before they lowered themselves.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lowerThisThread } from './thread-nice';

const ROOT = resolve(import.meta.dirname, '../..');

/** Why the thread levels cannot be read here, or null where they can (Linux). */
const noPerThreadLevels = existsSync('/proc/thread-self') && existsSync('/proc/self/task')
  ? null
  : 'no /proc/thread-self here: a nice level is not per thread on this OS, so workers keep the process\'s level';
if (noPerThreadLevels) console.log(`thread-nice.test.ts: per-thread checks skipped: ${noPerThreadLevels}`);

describe('lowerThisThread', () => {
  it('does nothing when told no level', () => {
    expect(lowerThisThread(undefined)).toBeNull();
    expect(lowerThisThread(null)).toBeNull();
  });
});

describe.skipIf(noPerThreadLevels !== null)('worker threads told a level (Linux: /proc lists each thread and its nice)', () => {
  it('the wasm workers and the gpu.js worker start at it; the main thread, and a worker told no level, stay at the main thread\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-thread-nice-'));
    try {
      const script = join(dir, 'child.mts');
      writeFileSync(script, `
        import { readdirSync, readFileSync } from 'node:fs';
        import { createNodeWasmBackend } from ${JSON.stringify(join(ROOT, 'engine/node/wasm-threads.ts'))};
        import { startGpujsWorker } from ${JSON.stringify(join(ROOT, 'engine/node/gpujs-worker.ts'))};
        const niceOf = (tid: string) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
        const levels = () => Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid, niceOf(tid)]));
        /** The levels of the threads that appeared while 'start' ran (and its workers came up). */
        const freshLevels = async (start: () => Promise<unknown>) => {
          const before = levels();
          await start();
          return Object.entries(levels()).filter(([tid]) => !(tid in before)).map(([, nice]) => nice);
        };
        const ready = async (backend: { readyThreads(): number }, workers: number) => {
          for (let i = 0; i < 800 && backend.readyThreads() < workers; i++) await new Promise((r) => setTimeout(r, 25));
          if (backend.readyThreads() < workers) throw new Error('the wasm workers did not start');
        };
        const backends: { dispose(): void }[] = [];
        const told = await freshLevels(async () => {
          const backend = createNodeWasmBackend(2, { nice: 15 });
          backends.push(backend);
          await ready(backend, 2);
        });
        const untold = await freshLevels(async () => {
          const backend = createNodeWasmBackend(1);
          backends.push(backend);
          await ready(backend, 1);
        });
        let gpujs: Awaited<ReturnType<typeof startGpujsWorker>> | null = null;
        const gpujsLevels = await freshLevels(async () => (gpujs = await startGpujsWorker({ mode: 'webasm', nice: 15 })));
        const main = levels()[String(process.pid)];
        console.log(JSON.stringify({ told, untold, gpujs: gpujsLevels, main }));
        backends.forEach((b) => b.dispose());
        gpujs!.runner.destroy();
        process.exit(0);
      `);
      const child = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], { encoding: 'utf8' });
      expect(child.stderr).toBe('');
      const result = JSON.parse(child.stdout) as { told: number[]; untold: number[]; gpujs: number[]; main: number };
      const base = getPriority(); // the child's main thread starts at this process's level, and stays there
      const lowered = Math.max(base, 15);
      expect(result.main).toBe(base);
      expect(result.told).toEqual([lowered, lowered]);
      expect(result.untold).toEqual([base]);
      expect(result.gpujs.length).toBeGreaterThan(0);
      expect(result.gpujs.every((nice) => nice === lowered)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
