/**
 * A worker thread's first act: lower its own CPU priority to the level its spawner names (the engine host's
 * threads run below the UI's; src-main/engine-host/priority.ts says why and which level). A new thread starts at
 * the level of the thread that made it, which for the engine's workers is the main thread's (a higher one), and
 * the host only lowers the threads it can list when it starts work; a worker that lowers itself at once never
 * computes at the wrong level in between. Threads it makes later (Dawn's, SwiftShader's) start at its level.
 *
 * Only where a nice level belongs to one thread, as on Linux: there /proc/thread-self names the calling thread's id,
 * and setpriority on that id lowers this thread alone. Elsewhere this does nothing, on purpose, and says nothing:
 * macOS and Windows have no per-thread nice (there os.setPriority changes the whole process, on Windows its priority
 * class, which would drag the main thread down with the worker), and without /proc/thread-self there is no id to
 * name this thread by, so the worker keeps the process's level.
 *
 * The function is self-contained (no imports, no outer names) because the workers' bootstraps embed its source
 * text (`(${lowerThisThread})(15)`), as threadCpuClock is embedded; `process.getBuiltinModule` reaches node:fs and
 * node:os from there, and from the host's bundle alike.
 */
export function lowerThisThread(nice: number | null | undefined): number | null {
  if (typeof nice !== 'number') return null;
  type Fs = { readlinkSync(path: string): string };
  type Os = { getPriority(pid: number): number; setPriority(pid: number, priority: number): void };
  const node = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const fs = node?.getBuiltinModule?.('node:fs') as Fs | undefined;
  const os = node?.getBuiltinModule?.('node:os') as Os | undefined;
  if (!fs || !os) return null;
  let tid: number;
  try {
    tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()); // "<pid>/task/<tid>"
  } catch {
    return null; // not Linux, or /proc is not mounted: the level stays the process's
  }
  if (!Number.isInteger(tid) || tid <= 0) return null;
  try {
    // Never raised: a thread started lower already (the whole process under `nice -n 19`) stays there.
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    return os.getPriority(tid);
  } catch {
    return null; // the OS refused: the thread computes at its inherited level, as it did before
  }
}
