import { describe, expect, it } from 'vitest';
import { afterNextPaint, type FrameClock } from './after-paint';

/** A clock whose frames and tasks run only when the test says, in the order they were queued. */
function manualClock() {
  const frames = new Map<number, () => void>();
  const tasks = new Map<number, () => void>();
  let next = 1;
  const clock: FrameClock = {
    frame: (cb) => (frames.set(next, cb), next++),
    cancelFrame: (h) => void frames.delete(h),
    task: (cb) => (tasks.set(next, cb), next++) as unknown as ReturnType<typeof setTimeout>,
    cancelTask: (h) => void tasks.delete(h as unknown as number),
  };
  const runAll = (queue: Map<number, () => void>) => {
    const due = [...queue.values()];
    queue.clear();
    for (const cb of due) cb();
  };
  return { clock, frames, tasks, paint: () => runAll(frames), runTasks: () => runAll(tasks) };
}

describe('afterNextPaint', () => {
  it('runs the work in a task after the next frame, not in the frame itself', () => {
    const c = manualClock();
    const done: string[] = [];
    afterNextPaint(() => done.push('work'), c.clock);
    c.runTasks();
    expect(done).toEqual([]);
    c.paint();
    expect(done).toEqual([]);
    expect(c.tasks.size).toBe(1);
    c.runTasks();
    expect(done).toEqual(['work']);
    c.paint();
    c.runTasks();
    expect(done).toEqual(['work']);
  });

  it('cancelled before the frame or before its task, it never runs', () => {
    const c = manualClock();
    let runs = 0;
    afterNextPaint(() => runs++, c.clock)();
    expect(c.frames.size).toBe(0);
    const cancel = afterNextPaint(() => runs++, c.clock);
    c.paint();
    cancel();
    expect(c.tasks.size).toBe(0);
    c.runTasks();
    expect(runs).toBe(0);
  });
});
