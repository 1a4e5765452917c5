/**
 * The drawing pad's strokes as vectors: one stroke per pen-down…pen-up, in pad coordinates (CSS pixels). The
 * recorder follows one pointer at a time (mouse, pen or a finger), so a second finger landing mid-stroke neither
 * starts a stroke nor bends the current one. Pure: the component feeds it pointer events' numbers.
 *
 * ```ts
 * const pad = new StrokeRecorder();
 * pad.down(1, 10, 10); pad.move(1, 10, 60); pad.up(1);   // pad.strokes = [[{x:10,y:10}, {x:10,y:60}]]
 * pad.undo();                                            // pad.strokes = []
 * ```
 */

export interface Point {
  x: number;
  y: number;
}

export type Stroke = readonly Point[];

/** Points closer than this to the previous one (in pad pixels) add nothing but work. */
const MIN_STEP = 0.75;

export class StrokeRecorder {
  #done: Stroke[] = [];
  #current: Point[] | null = null;
  #pointer: number | null = null;
  /** What `strokes` handed out last, until the points change. */
  #snapshot: Stroke[] | null = null;

  /**
   * Every stroke, the one being drawn last. A new array after each change, so it can go into $state.raw; the same
   * array while the points stay as they are. Pen-up adds no point, so it hands out the same array: the pad's
   * input is not prepared again nor the pad and its steps repainted, a frame that the pen-up's prediction would
   * queue behind on its way to the screen (#15.2's 30 ms).
   */
  get strokes(): Stroke[] {
    return (this.#snapshot ??= this.#current ? [...this.#done, this.#current.slice()] : this.#done.slice());
  }

  get drawing(): boolean {
    return this.#current !== null;
  }

  get empty(): boolean {
    return this.#done.length === 0 && this.#current === null;
  }

  /** Pen down. Ignored while another pointer is drawing. Returns whether a stroke started. */
  down(pointerId: number, x: number, y: number): boolean {
    if (this.#pointer !== null || !Number.isFinite(x) || !Number.isFinite(y)) return false;
    this.#pointer = pointerId;
    this.#current = [{ x, y }];
    this.#snapshot = null;
    return true;
  }

  /** Pen moved (pass each coalesced event in turn). Returns whether the stroke changed. */
  move(pointerId: number, x: number, y: number): boolean {
    if (pointerId !== this.#pointer || !this.#current || !Number.isFinite(x) || !Number.isFinite(y)) return false;
    const last = this.#current[this.#current.length - 1];
    if (Math.hypot(x - last.x, y - last.y) < MIN_STEP) return false;
    this.#current.push({ x, y });
    this.#snapshot = null;
    return true;
  }

  /** Pen up (or the pointer was cancelled / left): the stroke is kept. Returns whether a stroke ended. */
  up(pointerId: number): boolean {
    if (pointerId !== this.#pointer || !this.#current) return false;
    // The snapshot stays: the points are the same, the stroke only moves from drawn-now to done.
    this.#done.push(this.#current);
    this.#current = null;
    this.#pointer = null;
    return true;
  }

  /** Removes the last stroke (or the one being drawn). */
  undo(): void {
    if (this.#current) {
      this.#current = null;
      this.#pointer = null;
    } else {
      this.#done.pop();
    }
    this.#snapshot = null;
  }

  clear(): void {
    this.#done = [];
    this.#current = null;
    this.#pointer = null;
    this.#snapshot = null;
  }

  /** Replaces everything (tests, and synthetic drawings). */
  load(strokes: readonly Stroke[]): void {
    this.clear();
    this.#done = strokes.map((s) => s.map((p) => ({ x: p.x, y: p.y })));
    this.#snapshot = null;
  }
}
