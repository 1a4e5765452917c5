import { describe, expect, it } from 'vitest';
import { threadCpuClock } from './thread-cpu';

const linux = process.platform === 'linux';
// Each platform runs one of the two cases below; the other says in its name, and here, why it is skipped.
const notLinux = `skipped: this is ${process.platform}, which has no per-thread clock`;
const isLinux = 'skipped: this is Linux, which has one';
console.log(`threadCpuClock: ${linux ? `the case for a platform without a per-thread clock is ${isLinux}` : `the case against Linux's per-thread clock is ${notLinux}`}`);

describe('threadCpuClock', () => {
  it.skipIf(!linux)(`counts this thread's time on the CPU, not time asleep${linux ? '' : ` (${notLinux})`}`, () => {
    const clock = threadCpuClock();
    expect(clock).not.toBeNull();
    const start = clock!();
    // Asleep for 300 ms: a futex wait takes no CPU (the reading lags by at most a tick, 4 ms, plus the wake-up).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    const slept = clock!() - start;
    expect(slept).toBeGreaterThanOrEqual(0);
    expect(slept).toBeLessThan(100);
    // Busy: the clock moves with the work, however loaded the machine (capped so a broken clock fails, not hangs).
    const busyFrom = clock!();
    const until = Date.now() + 20_000;
    let x = 0;
    while (clock!() - busyFrom < 30 && Date.now() < until) for (let i = 0; i < 1e6; i++) x += i;
    expect(x).toBeGreaterThan(0);
    expect(clock!() - busyFrom).toBeGreaterThanOrEqual(30);
  });

  it.skipIf(linux)(`is null where there is no per-thread clock (not Linux), so callers fall back to wall time${linux ? ` (${isLinux})` : ''}`, () => {
    expect(threadCpuClock()).toBeNull();
  });
});
