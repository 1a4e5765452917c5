/**
 * Collects items that arrive faster than the screen can show them and hands them over at most once per animation
 * frame (and, with `minIntervalMs`, at most that often), as one batch. The chart and the curve state take their
 * new arrays from `onFlush`, so a burst of twenty `run-batch` messages costs one update, not twenty.
 */
export type FrameScheduler = (callback: () => void) => unknown;
export type Clock = () => number;

export class FrameBuffer<T> {
  #pending: T[] = [];
  #scheduled = false;
  #lastFlush = -Infinity;

  constructor(
    private readonly onFlush: (items: T[]) => void,
    private readonly schedule: FrameScheduler = (cb) => requestAnimationFrame(cb),
    private readonly minIntervalMs = 0,
    private readonly clock: Clock = () => performance.now(),
    private readonly delay: (cb: () => void, ms: number) => unknown = (cb, ms) => setTimeout(cb, ms),
  ) {}

  get pending(): number {
    return this.#pending.length;
  }

  push(...items: T[]): void {
    this.#pending.push(...items);
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastFlush + this.minIntervalMs - this.clock();
    if (wait > 0) this.delay(() => this.schedule(() => this.flush()), wait);
    else this.schedule(() => this.flush());
  }

  /** Hands over what is pending now (also called by the scheduled frame). */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    this.#lastFlush = this.clock();
    const items = this.#pending;
    this.#pending = [];
    this.onFlush(items);
  }

  /** Forgets what is pending (a new run). */
  drop(): void {
    this.#pending = [];
  }
}
