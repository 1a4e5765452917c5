/**
 * At most one request in flight, and only the latest wish kept. Asked while a request is out, it just remembers
 * that it was asked; when the answer comes back it asks once more, and `send` reads what is wanted then (the
 * drawing as it is now). So a busy engine never builds a queue of stale drawings, the last ask is always answered,
 * and answers come back in the order asked: an older drawing's answer can never land after a newer one's.
 *
 * ```ts
 * const line = new OneInFlight(() => post(drawingNow()));   // send returns the request id, or null: nothing to ask
 * line.ask(); line.ask(); line.ask();   // one request out, one ask kept
 * line.answered(id, show);              // show(answer), then the kept ask goes with the drawing as it is then
 * ```
 */
export class OneInFlight {
  #out: number | null = null;
  /** The answer to the request out is still wanted (not since dropped by a Clear). */
  #wanted = false;
  #again = false;

  constructor(private readonly send: () => number | null) {}

  ask(): void {
    if (this.#out !== null) {
      this.#again = true;
      return;
    }
    this.#out = this.send();
    this.#wanted = true;
  }

  /**
   * The answer (or the error) to `requestId` came back. If it is the request out, `use` takes it (unless it was
   * dropped meanwhile) and then the kept ask goes. Returns whether it was the request out.
   */
  answered(requestId: number, use: () => void): boolean {
    if (requestId !== this.#out) return false;
    this.#out = null;
    if (this.#wanted) use();
    if (this.#again) {
      this.#again = false;
      this.ask();
    }
    return true;
  }

  /**
   * What was asked is gone (the pad was cleared): the answer out will not be used and the kept ask is forgotten. The
   * request out still holds the line until its answer, so a new drawing waits for it rather than queue behind it.
   */
  drop(): void {
    this.#wanted = false;
    this.#again = false;
  }

  /**
   * The request out will never be answered (the channel was bound to a new engine, which never saw it): forget it,
   * and ask again if its answer or a kept ask was still wanted.
   */
  lost(): void {
    const again = (this.#out !== null && this.#wanted) || this.#again;
    this.#out = null;
    this.#again = false;
    if (again) this.ask();
  }
}
