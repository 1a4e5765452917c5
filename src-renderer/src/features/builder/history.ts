/**
 * Undo/redo over immutable snapshots: every commit keeps the previous value as it was, so undo restores the exact
 * graph (ids, params, positions). Capped so a long session does not grow without bound.
 */
export class History<T> {
  #past: T[] = [];
  #future: T[] = [];
  #present: T;

  constructor(initial: T, readonly limit = 200) {
    this.#present = initial;
  }

  get present(): T {
    return this.#present;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** Records a new present; a commit of the same object is ignored (an edit that changed nothing). */
  commit(next: T): void {
    if (next === this.#present) return;
    this.#past.push(this.#present);
    if (this.#past.length > this.limit) this.#past.shift();
    this.#future = [];
    this.#present = next;
  }

  undo(): T {
    const previous = this.#past.pop();
    if (previous !== undefined) {
      this.#future.push(this.#present);
      this.#present = previous;
    }
    return this.#present;
  }

  redo(): T {
    const next = this.#future.pop();
    if (next !== undefined) {
      this.#past.push(this.#present);
      this.#present = next;
    }
    return this.#present;
  }

  /** Starts over from `value` (a loaded project): nothing to undo into. */
  reset(value: T): void {
    this.#past = [];
    this.#future = [];
    this.#present = value;
  }
}
