/**
 * Per-batch reports at most every 50 ms (20 a second), without losing a batch: each report carries every batch
 * since the previous one (`window`) and the epoch's running sums, so a chart can draw the latest loss while an
 * epoch's train loss recomputed from the windows equals the one the engine reports, exactly.
 *
 * Batches are pushed as they finish; a timer sends the pending window once the interval allows. `drain()`
 * resolves when nothing is pending (the run manager awaits it before an epoch's event, so that event always comes
 * after its batches).
 */
import type { BatchReport } from '../../../common/training-protocol';

export const MIN_BATCH_INTERVAL_MS = 50;

export interface FinishedBatch {
  step: number;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  size: number;
  correct: number;
  seconds: number;
  lr: number;
  epochSoFar: BatchReport['epochSoFar'];
}

export class BatchThrottle {
  #pending: FinishedBatch[] = [];
  #lastSent = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #drained: (() => void)[] = [];

  constructor(
    private readonly runId: string,
    private readonly send: (report: BatchReport) => void,
    private readonly intervalMs = MIN_BATCH_INTERVAL_MS,
    /** Epoch ms: the same clock stamps each report's `time`, so the spacing the throttle keeps is the one seen. */
    private readonly now: () => number = () => Date.now(),
  ) {}

  push(batch: FinishedBatch): void {
    this.#pending.push(batch);
    this.#schedule();
  }

  /** Resolves once every pushed batch has been sent. */
  drain(): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Stops the timer; pending batches are dropped (the run is gone). */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = [];
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastSent + this.intervalMs - this.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, wait);
  }

  #flush(): void {
    const batches = this.#pending;
    if (batches.length === 0) return;
    // Timers may fire a millisecond early by the wall clock; never send closer than the interval.
    if (this.now() - this.#lastSent < this.intervalMs) return this.#schedule();
    this.#pending = [];
    const time = (this.#lastSent = this.now());
    const last = batches[batches.length - 1];
    const samples = batches.reduce((a, b) => a + b.size, 0);
    const seconds = batches.reduce((a, b) => a + b.seconds, 0);
    this.send({
      runId: this.runId,
      time,
      step: last.step,
      epoch: last.epoch,
      batch: last.batch,
      batches: last.batches,
      loss: last.loss,
      accuracy: last.size ? last.correct / last.size : 0,
      lr: last.lr,
      samplesPerSec: seconds > 0 ? samples / seconds : 0,
      window: { loss: batches.map((b) => b.loss), size: batches.map((b) => b.size), correct: batches.map((b) => b.correct) },
      epochSoFar: last.epochSoFar,
    });
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}
