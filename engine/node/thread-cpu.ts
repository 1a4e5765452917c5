/**
 * The calling thread's CPU time in ms, for host-cost figures that a loaded machine does not inflate: wall time less
 * waits also counts the time a thread sat runnable while other processes (or SwiftShader's own threads) had the
 * cores, and on this project's 2-core machines that was most of it.
 *
 * Linux keeps each thread's time on the CPU, in nanoseconds, as the first field of /proc/thread-self/schedstat (the
 * file opened stays the opening thread's). The kernel brings that sum up to date when the thread blocks or at a
 * scheduler tick, so a reading can lag by up to a tick (4 ms): take it across many steps, never around one call.
 * Elsewhere Node 20 has no per-thread clock (process.threadCpuUsage came in 23.9), and this returns null.
 */
export function threadCpuClock(): (() => number) | null {
  type Fs = {
    openSync(path: string, flags: string): number;
    readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  };
  const fs = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.('node:fs') as Fs | undefined;
  if (!fs) return null;
  let fd: number;
  try {
    fd = fs.openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return null; // not Linux, or /proc is not mounted
  }
  const bytes = new Uint8Array(64);
  return () => {
    const length = fs.readSync(fd, bytes, 0, bytes.length, 0);
    let ns = 0;
    for (let i = 0; i < length && bytes[i] !== 0x20; i++) ns = ns * 10 + (bytes[i] - 0x30);
    return ns / 1e6;
  };
}
