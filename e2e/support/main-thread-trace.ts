/**
 * The renderer main thread's longest task from a Chromium trace, both in wall time and in CPU time (the trace's
 * `tdur`, the thread's own running time). On a loaded machine a task can take 50 ms of wall time while the page ran
 * for 4 ms of it, waiting the rest for a core; CPU time is the page's own share.
 */
interface TraceEvent {
  name?: string;
  ph?: string;
  pid?: number;
  tid?: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface LongestTask {
  wallMs: number;
  cpuMs: number;
  /** The largest CPU time of any task, which need not be the longest by wall time. */
  maxCpuMs: number;
  tasks: number;
}

export function longestMainThreadTask(trace: Buffer): LongestTask {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mains = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && mains.has(`${e.pid}:${e.tid}`));
  let longest: TraceEvent | null = null;
  let maxCpu = 0;
  for (const task of tasks) {
    if (!longest || (task.dur ?? 0) > (longest.dur ?? 0)) longest = task;
    maxCpu = Math.max(maxCpu, task.tdur ?? 0);
  }
  return { wallMs: (longest?.dur ?? 0) / 1000, cpuMs: (longest?.tdur ?? 0) / 1000, maxCpuMs: maxCpu / 1000, tasks: tasks.length };
}
