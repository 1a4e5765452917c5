import { describe, expect, it } from 'vitest';
import { MIN_SPAN_MS, secondsLeft, SpeedMeter } from './speed';

describe('SpeedMeter', () => {
  it('shows the steady wall-clock rate whatever the reports carry, once a second of history exists', () => {
    const meter = new SpeedMeter(20_000);
    // 1,000 images a second, in reports of uneven size and spacing (as a busy machine sends them).
    let t = 0;
    let images = 0;
    meter.add(t, 64);
    expect(meter.rate).toBeNull();
    const gaps = [50, 50, 400, 50, 20, 900, 50, 50, 130, 300];
    for (let i = 0; i < 100; i++) {
      const gap = gaps[i % gaps.length];
      t += gap;
      images += gap; // the images trained in that gap at 1,000/s
      meter.add(t, gap);
      if (t >= MIN_SPAN_MS) expect(meter.rate).toBeCloseTo(1000, 6);
      else expect(meter.rate).toBeNull();
    }
    expect(images).toBe(t);
  });

  it('follows a real change of rate within its window, and starts over after a reset', () => {
    const meter = new SpeedMeter(10_000);
    for (let t = 0; t <= 30_000; t += 100) meter.add(t, 100); // 1,000/s
    for (let t = 30_100; t <= 60_000; t += 100) meter.add(t, 50); // then 500/s
    expect(meter.rate).toBeCloseTo(500, 6);
    meter.reset();
    meter.add(70_000, 50);
    expect(meter.rate).toBeNull();
    meter.add(71_000, 2000);
    expect(meter.rate).toBe(2000);
  });
});

describe('secondsLeft', () => {
  it('counts the rest of this epoch and every later one, at the rate', () => {
    expect(secondsLeft({ epoch: 2, epochs: 3, doneInEpoch: 1000, trainImages: 5000, rate: 500 })).toBe(18);
    expect(secondsLeft({ epoch: 3, epochs: 3, doneInEpoch: 5000, trainImages: 5000, rate: 500 })).toBe(0);
    expect(secondsLeft({ epoch: 1, epochs: 3, doneInEpoch: 0, trainImages: 5000, rate: null })).toBeNull();
  });
});
