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
  ts?: number;
  dur?: number;
  tdur?: number;
  id?: string;
  args?: { name?: string; data?: ProfileData };
}

/** What V8's sampling profiler writes into the trace (`disabled-by-default-v8.cpu_profiler`). */
interface ProfileData {
  startTime?: number;
  cpuProfile?: {
    nodes?: { id: number; parent?: number; callFrame: { functionName: string; url?: string; lineNumber?: number } }[];
    samples?: number[];
  };
  timeDeltas?: number[];
}

/** The trace categories for longestMainThreadTask; with `profile`, also the stack samples hotFunctions reads. */
export function traceCategories(profile = false): string[] {
  return ['devtools.timeline', 'disabled-by-default-devtools.timeline', ...(profile ? ['disabled-by-default-v8.cpu_profiler'] : [])];
}

export interface LongestTask {
  wallMs: number;
  cpuMs: number;
  /** The largest CPU time of any task, which need not be the longest by wall time. */
  maxCpuMs: number;
  tasks: number;
}

function traceEvents(trace: Buffer): TraceEvent[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
}

function mainThreads(events: TraceEvent[]): Set<string> {
  return new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
}

function mainThreadTasks(events: TraceEvent[]): TraceEvent[] {
  const mains = mainThreads(events);
  return events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && mains.has(`${e.pid}:${e.tid}`));
}

export function longestMainThreadTask(trace: Buffer): LongestTask {
  const tasks = mainThreadTasks(traceEvents(trace));
  let longest: TraceEvent | null = null;
  let maxCpu = 0;
  for (const task of tasks) {
    if (!longest || (task.dur ?? 0) > (longest.dur ?? 0)) longest = task;
    maxCpu = Math.max(maxCpu, task.tdur ?? 0);
  }
  return { wallMs: (longest?.dur ?? 0) / 1000, cpuMs: (longest?.tdur ?? 0) / 1000, maxCpuMs: maxCpu / 1000, tasks: tasks.length };
}

/** A function seen in the stack samples of the page's costliest tasks, and how many milliseconds it was seen. */
export interface HotFunction {
  name: string;
  /** On top of the stack (running its own code). */
  selfMs: number;
  /** Anywhere on the stack (itself or what it called). */
  totalMs: number;
}

/**
 * Where the main thread's `top` costliest tasks (by CPU time) spent it, from the V8 stack samples of a trace
 * recorded with traceCategories(true): the functions by time on the stack, costliest first. Samples are ~0.1–1 ms
 * apart, so a function under a millisecond may be missed; this finds where tens of milliseconds go.
 */
export function hotFunctions(trace: Buffer, top = 3, limit = 12): { tasks: { wallMs: number; cpuMs: number }[]; functions: HotFunction[] } {
  const events = traceEvents(trace);
  const mains = mainThreads(events);
  // The task the profiler started in has no samples before its start, and starting it shows as a long call.
  const started = Math.max(0, ...events.filter((e) => e.name === 'Profile' && mains.has(`${e.pid}:${e.tid}`)).map((e) => e.args?.data?.startTime ?? e.ts ?? 0));
  const costliest = mainThreadTasks(events)
    .filter((t) => (t.ts ?? 0) > started)
    .sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0))
    .slice(0, top);
  // A profile starts with a 'Profile' event and goes on in 'ProfileChunk's sharing its id; node ids and time
  // deltas continue across chunks.
  const profiles = new Map<string, { main: boolean; time: number; parents: Map<number, number>; frames: Map<number, string>; samples: { time: number; node: number }[] }>();
  for (const e of events) {
    if (e.name === 'Profile' && e.id) {
      profiles.set(e.id, { main: mains.has(`${e.pid}:${e.tid}`), time: e.args?.data?.startTime ?? e.ts ?? 0, parents: new Map(), frames: new Map(), samples: [] });
    } else if (e.name === 'ProfileChunk' && e.id) {
      const profile = profiles.get(e.id);
      const data = e.args?.data;
      if (!profile || !data) continue;
      for (const node of data.cpuProfile?.nodes ?? []) {
        const { functionName, url = '', lineNumber } = node.callFrame;
        profile.frames.set(node.id, `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}${url ? `:${(lineNumber ?? 0) + 1}` : ''}`.trim());
        if (node.parent !== undefined) profile.parents.set(node.id, node.parent);
      }
      const samples = data.cpuProfile?.samples ?? [];
      const deltas = data.timeDeltas ?? [];
      for (let i = 0; i < samples.length; i++) {
        profile.time += deltas[i] ?? 0;
        profile.samples.push({ time: profile.time, node: samples[i] });
      }
    }
  }
  const stats = new Map<string, HotFunction>();
  for (const profile of profiles.values()) {
    // The renderer's profile is the one whose thread is CrRendererMain; older traces name no thread, so keep all.
    if (!profile.main && [...profiles.values()].some((p) => p.main)) continue;
    const samples = profile.samples;
    for (let i = 0; i < samples.length; i++) {
      const { time, node } = samples[i];
      const task = costliest.find((t) => time >= (t.ts ?? 0) && time <= (t.ts ?? 0) + (t.dur ?? 0));
      if (!task) continue;
      // A sample stands for the time up to the next one, but not past its task's end (the thread then idles).
      const ms = (Math.min(samples[i + 1]?.time ?? time, (task.ts ?? 0) + (task.dur ?? 0)) - time) / 1000;
      const seen = new Set<string>();
      for (let id: number | undefined = node, depth = 0; id !== undefined; id = profile.parents.get(id), depth++) {
        const name = profile.frames.get(id) ?? '?';
        if (seen.has(name)) continue;
        seen.add(name);
        const entry = stats.get(name) ?? { name, selfMs: 0, totalMs: 0 };
        entry.totalMs += ms;
        if (depth === 0) entry.selfMs += ms;
        stats.set(name, entry);
      }
    }
  }
  const functions = [...stats.values()]
    .filter((f) => !['(root)', '(program)', '(idle)'].includes(f.name))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, limit);
  return { tasks: costliest.map((t) => ({ wallMs: (t.dur ?? 0) / 1000, cpuMs: (t.tdur ?? 0) / 1000 })), functions };
}
