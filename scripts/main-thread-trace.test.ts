/**
 * The trace readers behind `npm run bench:ui -- --trace/--profile` and the ui-smooth guard (e2e/support), on a
 * small synthetic Chromium trace: a renderer main thread with three tasks, V8 stack samples across two profile
 * chunks, and a worker thread whose tasks and samples must not count.
 */
import { describe, expect, it } from 'vitest';
import { hotFunctions, longestMainThreadTask, traceCategories } from '../e2e/support/main-thread-trace';

const PID = 7, MAIN = 1, WORKER = 2;
const frame = (functionName: string, url = 'http://127.0.0.1/assets/index.js', lineNumber = 9) => ({ functionName, url, lineNumber });

function trace(): Buffer {
  const task = (tid: number, ts: number, dur: number, tdur: number) => ({ name: 'ThreadControllerImpl::RunTask', ph: 'X', pid: PID, tid, ts, dur, tdur });
  const events = [
    { name: 'thread_name', ph: 'M', pid: PID, tid: MAIN, args: { name: 'CrRendererMain' } },
    { name: 'thread_name', ph: 'M', pid: PID, tid: WORKER, args: { name: 'DedicatedWorker thread' } },
    task(MAIN, 500, 5_000, 5_000), // the profiler starts inside this one: left out of the profile
    task(MAIN, 10_000, 60_000, 30_000), // longest by wall time
    task(MAIN, 100_000, 40_000, 38_000), // most CPU
    task(MAIN, 200_000, 2_000, 2_000),
    task(WORKER, 10_000, 90_000, 90_000),
    { name: 'Profile', ph: 'P', id: '0x1', pid: PID, tid: MAIN, ts: 1_000, args: { data: { startTime: 1_000 } } },
    {
      name: 'ProfileChunk', ph: 'P', id: '0x1', pid: PID, tid: MAIN, ts: 1_000,
      args: {
        data: {
          cpuProfile: {
            nodes: [
              { id: 1, callFrame: frame('(root)', '') },
              { id: 2, parent: 1, callFrame: frame('onmessage') },
              { id: 3, parent: 2, callFrame: frame('Chart') },
              { id: 4, parent: 2, callFrame: frame('layout') },
            ],
            samples: [2, 3, 3],
          },
          // Samples at 1 ms (before the tasks), 101 ms and 111 ms: in the costliest task.
          timeDeltas: [0, 100_000, 10_000],
        },
      },
    },
    {
      name: 'ProfileChunk', ph: 'P', id: '0x1', pid: PID, tid: MAIN, ts: 150_000,
      args: { data: { cpuProfile: { samples: [4, 2, 1] }, timeDeltas: [10_000, 10_000, 80_000] } },
    },
    { name: 'Profile', ph: 'P', id: '0x2', pid: PID, tid: WORKER, ts: 1_000, args: { data: { startTime: 1_000 } } },
    {
      name: 'ProfileChunk', ph: 'P', id: '0x2', pid: PID, tid: WORKER, ts: 1_000,
      args: { data: { cpuProfile: { nodes: [{ id: 1, callFrame: frame('workerWork') }], samples: [1, 1] }, timeDeltas: [100_000, 10_000] } },
    },
  ];
  return Buffer.from(JSON.stringify({ traceEvents: events }));
}

describe('main-thread trace', () => {
  it('finds the longest task by wall time, its CPU time, and the most CPU any task took, on the main thread only', () => {
    expect(longestMainThreadTask(trace())).toEqual({ wallMs: 60, cpuMs: 30, maxCpuMs: 38, tasks: 4 });
  });

  it('adds the stack samples only with a profile', () => {
    expect(traceCategories()).not.toContain('disabled-by-default-v8.cpu_profiler');
    expect(traceCategories(true)).toContain('disabled-by-default-v8.cpu_profiler');
  });

  it('names the functions the costliest task spent its time in, each sample lasting until the next', () => {
    const hot = hotFunctions(trace(), 1);
    expect(hot.tasks).toEqual([{ wallMs: 40, cpuMs: 38 }]);
    // Samples at 101 (Chart, 10 ms), 111 (Chart, 10 ms, up to the next chunk's first at 121), 121 (layout, 10 ms),
    // 131 (onmessage, 9 ms: the task ends at 140, the next sample is at 211, after the task).
    const by = Object.fromEntries(hot.functions.map((f) => [f.name.split(' ')[0], [f.totalMs, f.selfMs]]));
    expect(by).toEqual({ onmessage: [39, 9], Chart: [20, 20], layout: [10, 10] });
    expect(hot.functions[0].name).toBe('onmessage index.js:10');
  });
});
