/**
 * The engine host trains at a lower CPU priority than the UI (#15.4). Training keeps every core busy (the
 * wasm backend runs one worker thread per core beyond the host's own); on a machine with few cores the renderer
 * then waits for a core mid-frame and the page stutters. At nice 15 Linux's scheduler weighs the engine's threads at a
 * thirtieth of a normal thread's, so the renderer gets a core soon after it has work, and training takes the cores
 * back the moment the page is idle: a quiet machine trains as fast as before, whereas leaving a core free would
 * halve training on two cores.
 *
 * Why 15 (was 5): `npm run bench:ui -- --trace --engine-nice N` on this 2-core machine while LeNet-5 trained, quiet
 * otherwise (load 1.4-2.3), runs alternated: at nice 5 the page's longest task was 99 and 138 ms wall (1 and 4 tasks
 * of 50 ms or more), at 10 59 ms, at 15 34 ms (none) and 53 ms; the CPU in those tasks was 3-9 ms, the rest waiting
 * for a core that the engine's two threads held. Training ran at 8,000-8,200 images/s at every level: nothing else
 * wanted the cores for long. What a low level costs is training under other busy programs: with four spinning
 * processes it already fell from 613 images/s (nice 0) to 83-405 (nice 5) and 31-48 (nice 10), so lower is slower
 * there; a learner watching the page matters more than a run racing their other programs.
 * On Windows libuv maps 0-9 to NORMAL (so 5 lowered nothing there), 10-18 to BELOW_NORMAL, which runs when
 * normal threads (the UI) have nothing to do, and 19 to IDLE, which any other program would starve.
 *
 * On Linux a nice value belongs to a thread, not a process: every thread that exists now is lowered (the V8 and
 * libuv threads Node started), and threads made later (the wasm workers, Dawn's) inherit it from their creator.
 * Windows maps the level to a process priority class (libuv's uv_os_setpriority).
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** A thirtieth of a normal thread's share of a contended core (Linux CFS weights: nice 0 = 1024, nice 15 = 36). */
export const ENGINE_NICE = 15;

/** LAYERLAB_ENGINE_NICE=N overrides the level (0 keeps the parent's; for measuring what the default costs). */
export function engineNice(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LAYERLAB_ENGINE_NICE;
  if (raw === undefined || raw === '') return ENGINE_NICE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < -20 || value > 19) throw new Error(`LAYERLAB_ENGINE_NICE must be an integer from -20 to 19, not '${raw}'`);
  return value;
}

/** The ids of this process's threads where the OS lists them (Linux), else just the process. */
function ownThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [0];
  }
}

/**
 * Lowers this process (every thread of it) to `nice`; returns the level it runs at, or null with a warning where
 * the OS refused. A process started lower already (`nice -n 15 npm run web`) stays there: raising it back would
 * need privileges, and is not what whoever started it asked for.
 */
export function lowerEnginePriority(level?: number, warn: (line: string) => void = console.warn): number | null {
  try {
    const nice = level ?? engineNice();
    const current = getPriority();
    if (nice === 0 || current >= nice) return current;
    for (const tid of ownThreads()) {
      try {
        setPriority(tid, nice);
      } catch (error) {
        // A thread may end between the listing and the call; only the process's own failure matters.
        if (tid === 0 || tid === process.pid) throw error;
      }
    }
    return nice;
  } catch (error) {
    warn(`engine host: its priority is left as it was: ${(error as Error).message}`);
    return null;
  }
}
