import { describe, expect, it } from 'vitest';
import { napWhileWaiting } from '../backend/gpujs/device-wait';
import { threadCpuClock } from './thread-cpu';

/**
 * A stand-in for dawn.node: a callback delivered from a setImmediate loop that spins until the "device" (a timer
 * here) is done, as wgpuInstanceProcessEvents' loop does while a map is pending.
 */
function dawnLikeMap(ms: number): Promise<string> {
  const doneAt = performance.now() + ms;
  return new Promise((resolve) => {
    const processEvents = (): void => {
      if (performance.now() >= doneAt) resolve('mapped');
      else setImmediate(processEvents);
    };
    setImmediate(processEvents);
  });
}

const clock = threadCpuClock();
if (clock === null) console.log(`skipped: napWhileWaiting's CPU-time case: no per-thread CPU clock on ${process.platform} (thread-cpu.ts)`);

describe('napWhileWaiting (the gpu.js thread waiting for the device)', () => {
  it('gives back what the device answers, and its failures', async () => {
    const wait = napWhileWaiting();
    await expect(wait(dawnLikeMap(30))).resolves.toBe('mapped');
    await expect(wait(Promise.reject(new Error('device lost')))).rejects.toThrow('device lost');
    await expect(wait(Promise.resolve(7))).resolves.toBe(7);
  });

  it.skipIf(clock === null)('leaves the core free during a long wait, and sees the answer soon after it comes', async () => {
    const wait = napWhileWaiting();
    const cpu = clock!;
    const spinFrom = cpu();
    await dawnLikeMap(300);
    const spinning = cpu() - spinFrom;
    const napFrom = cpu();
    const started = performance.now();
    await wait(dawnLikeMap(300));
    const late = performance.now() - started - 300;
    const napping = cpu() - napFrom;
    // Spinning costs whatever share of a core the machine gives this thread; napping, a small part of that.
    expect(napping).toBeLessThan(Math.max(0.25 * spinning, 15));
    expect(late).toBeLessThan(250); // at most a 1 ms nap past the answer, plus whatever a loaded machine adds
  });
});
