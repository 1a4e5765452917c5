/**
 * The engine host trains at a slightly lower CPU priority than the UI (#15.4). Training keeps every core busy (the
 * wasm backend runs one worker thread per core beyond the host's own); on a machine with few cores the renderer
 * then waits for a core mid-frame and the page stutters. At nice 5 the scheduler weighs the engine's threads at a
 * third of a normal thread's, so the renderer gets a core soon after it has work, and training takes the cores
 * back the moment the page is idle: a quiet machine trains as fast as before, whereas leaving a core free would
 * halve training on two cores.
 *
 * Why 5 and not 10 (Windows' "below normal"): measured with `npm run bench:ui -- --busy --engine-nice N` on two
 * cores with four spinning processes at normal priority, LeNet-5 trained at 613 images/s at nice 0, 83-405 at
 * nice 5 and 31-48 at nice 10, while the page's longest task was 99 ms, 236 ms or none over 50, and 54-77 ms. These
 * are single runs on a shared machine that other work kept at a load average of 12-19, so read them as directions:
 * at 10 any other busy program starves training for no clear gain in smoothness.
 *
 * On Linux a nice value belongs to a thread, not a process: every thread that exists now is lowered (the V8 and
 * libuv threads Node started), and threads made later (the wasm workers, Dawn's) inherit it from their creator.
 * Windows maps the level to a process priority class (libuv's uv_os_setpriority).
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** A third of a normal thread's share of a contended core (Linux CFS weights: nice 0 = 1024, nice 5 = 335). */
export const ENGINE_NICE = 5;

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
