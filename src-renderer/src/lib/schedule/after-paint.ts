/**
 * Runs work in a task of its own after the next frame has been painted: what the learner asked for (a tab's
 * table) shows first, and a costly second part (creating a chart) does not lengthen the task that showed it.
 * A task that inserted new elements would also pay for their style and layout when the second part reads a
 * size (#15.4); a task after the paint finds them done.
 */
export interface FrameClock {
  frame(callback: () => void): number;
  cancelFrame(handle: number): void;
  /** A new task; the frame's own rendering happens before it. */
  task(callback: () => void): ReturnType<typeof setTimeout>;
  cancelTask(handle: ReturnType<typeof setTimeout>): void;
}

const BROWSER: FrameClock = {
  frame: (callback) => requestAnimationFrame(callback),
  cancelFrame: (handle) => cancelAnimationFrame(handle),
  task: (callback) => setTimeout(callback, 0),
  cancelTask: (handle) => clearTimeout(handle),
};

/** Calls `work` once, in a task after the next painted frame; the function returned cancels it if not yet run. */
export function afterNextPaint(work: () => void, clock: FrameClock = BROWSER): () => void {
  let task: ReturnType<typeof setTimeout> | null = null;
  let frame: number | null = clock.frame(() => {
    frame = null;
    task = clock.task(() => {
      task = null;
      work();
    });
  });
  return () => {
    if (frame !== null) clock.cancelFrame(frame);
    if (task !== null) clock.cancelTask(task);
    frame = task = null;
  };
}
