/**
 * Collects items that arrive faster than the screen can show them and hands them over at most once per animation
 * frame, as one batch. The chart and the curve state take their new arrays from `onFlush`, so a burst of twenty
 * `run-batch` messages costs one chart update, not twenty.
 */
export type FrameScheduler = (callback: () => void) => unknown;

export class FrameBuffer<T> {
  #pending: T[] = [];
  #scheduled = false;

  constructor(
    private readonly onFlush: (items: T[]) => void,
    private readonly schedule: FrameScheduler = (cb) => requestAnimationFrame(cb),
  ) {}

  get pending(): number {
    return this.#pending.length;
  }

  push(...items: T[]): void {
    this.#pending.push(...items);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Hands over what is pending now (also called by the scheduled frame). */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const items = this.#pending;
    this.#pending = [];
    this.onFlush(items);
  }

  /** Forgets what is pending (a new run). */
  drop(): void {
    this.#pending = [];
  }
}
