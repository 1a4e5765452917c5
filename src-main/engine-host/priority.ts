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
 * On Linux a nice value belongs to a thread, not a process, and the engine's main thread is not only a trainer: it
 * receives every request and answers it (a prediction, a look inside). At 15 it waited for a core behind whatever
 * else ran, even with no run computing: at load 9-10, pen-up → prediction on screen (e2e/predict-pad.spec.ts) took a
 * median 38 ms for the MLP and LeNet-5 alike, of which the engine computed 0.3-1 ms and sat up to 31 ms on the run
 * queue (/proc schedstat). So the main thread goes to 10 and every other thread to 15: in the same hour the medians
 * were 16 and 24 ms (run queue under 1 ms), and at load 12-15 23-32 ms against the MLP's 28-63 ms at 15 (below load 6
 * both ways stay under 16 ms). The wasm workers, which share the conv nets' batches, and V8's GC helpers keep a
 * thirtieth of the UI's share; the main thread, which trains too (all of a single-threaded backend's batch), gets a
 * ninth. The page did not notice (bench:ui --trace at load 4.5-8, alternated with all threads at 15): LeNet-5's
 * longest task 52 and 49 ms against 57 and 80 ms, the MLP's 124 and 110 ms against 124 and 131 ms.
 * Threads made later start at the level of the thread that made them (the main thread's, 10, for the backends'
 * workers), so nothing made after a lowering may keep that level: the engine's worker threads lower themselves to
 * `workerNice()` as they start (engine/node/thread-nice.ts; Dawn's threads then start at theirs), and the host lowers
 * whatever else appeared since (libuv's pool, V8's helpers) once the backends are up and whenever a run's batches or
 * a lesson step start or resume (index.ts).
 * Elsewhere the level is the process's: Windows maps it to a process priority class (libuv's uv_os_setpriority), and
 * macOS has no per-thread nice either; there the workers lower nothing themselves and get what the process's level
 * gives them.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** A thirtieth of a normal thread's share of a contended core (Linux CFS weights: nice 0 = 1024, nice 15 = 36). */
export const ENGINE_NICE = 15;

/** The main thread's level on Linux (weight 110, a ninth of a normal thread's). */
export const ENGINE_MAIN_NICE = 10;

/** A nice level from the environment variable `name`, else `fallback`. */
function niceFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < -20 || value > 19) throw new Error(`${name} must be an integer from -20 to 19, not '${raw}'`);
  return value;
}

/** LAYERLAB_ENGINE_NICE=N overrides the level (0 keeps the parent's; for measuring what the default costs). */
export function engineNice(env: NodeJS.ProcessEnv = process.env): number {
  return niceFrom(env, 'LAYERLAB_ENGINE_NICE', ENGINE_NICE);
}

/** LAYERLAB_ENGINE_MAIN_NICE=N overrides the main thread's level (never above the engine's level). */
export function engineMainNice(env: NodeJS.ProcessEnv = process.env): number {
  return Math.min(niceFrom(env, 'LAYERLAB_ENGINE_MAIN_NICE', ENGINE_MAIN_NICE), engineNice(env));
}

/**
 * The level the engine's worker threads set themselves to as they start, or undefined (left as made) where
 * LAYERLAB_ENGINE_NICE is not a level: lowerEnginePriority says so.
 */
export function workerNice(env: NodeJS.ProcessEnv = process.env): number | undefined {
  try {
    return engineNice(env);
  } catch {
    return undefined;
  }
}

/** The ids of this process's threads where the OS lists them (Linux), else null. */
function ownThreads(): number[] | null {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return null;
  }
}

/**
 * The level each thread is lowered to, as [thread id, nice]: where the OS lists threads (Linux, a level per
 * thread) the main thread (its id is the process id) gets `main` and every other thread `nice`; elsewhere the
 * process (id 0) gets `nice`, as the level is the process's there. A thread already at or below a level is left.
 */
export function threadLevels(threads: readonly number[] | null, pid: number, levels: { nice: number; main: number }, current: (tid: number) => number): [number, number][] {
  const wanted: [number, number][] = threads === null ? [[0, levels.nice]] : threads.map((tid) => [tid, tid === pid ? levels.main : levels.nice]);
  return wanted.filter(([tid, level]) => level !== 0 && current(tid) < level);
}

/** A thread's nice level; a thread that ended counts as lowered already. */
function levelOf(tid: number): number {
  try {
    return getPriority(tid);
  } catch {
    return 19;
  }
}

/**
 * Lowers the engine's threads (threadLevels); returns the main thread's level afterwards, or null with a warning
 * where the OS refused. A process started lower already (`nice -n 15 npm run web`) stays there: raising it back
 * would need privileges, and is not what whoever started it asked for. Call it again once new threads may exist: a
 * thread starts at the level of the thread that made it. Each call reads every thread's level, so it lowers exactly
 * the threads made since (and any that a call before missed), and costs a directory listing and a call per thread.
 */
export function lowerEnginePriority(warn: (line: string) => void = console.warn): number | null {
  try {
    const levels = { nice: engineNice(), main: engineMainNice() };
    for (const [tid, level] of threadLevels(ownThreads(), process.pid, levels, levelOf)) {
      try {
        setPriority(tid, level);
      } catch (error) {
        // A thread may end between the listing and the call; only the main thread's or the process's failure matters.
        if (tid === 0 || tid === process.pid) throw error;
      }
    }
    return getPriority();
  } catch (error) {
    warn(`engine host: its priority is left as it was: ${(error as Error).message}`);
    return null;
  }
}
