/**
 * The engine host trains at a lower CPU priority than the UI (#15.4). Training keeps every core busy (the wasm
 * backend runs one worker thread per core beyond the host's own); on a machine with few cores the renderer then
 * waits for a core mid-frame and the page stutters. At nice 10 (Windows: below normal) the scheduler hands a core
 * to the renderer as soon as it has work, and gives it back to training the moment it is idle, so a quiet
 * machine trains as fast as before: keeping all the threads costs nothing where nothing else runs, whereas
 * leaving a core free would halve training on two cores. What it does cost is measured by `npm run bench:ui --
 * --engine-nice 0` against the default.
 *
 * On Linux a nice value belongs to a thread, not a process: every thread that exists now is lowered (the V8 and
 * libuv threads Node started), and threads made later (the wasm workers, Dawn's) inherit it from their creator.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** nice 10, which os.constants.priority names PRIORITY_BELOW_NORMAL (Windows' BELOW_NORMAL_PRIORITY_CLASS). */
export const ENGINE_NICE = 10;

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
