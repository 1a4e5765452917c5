import { describe, expect, it } from 'vitest';
import { argmax, nextRequestId, ownAccuracy, Throttle, topK } from './predict-logic';

describe('topK and argmax', () => {
  it('ranks the classes', () => {
    const p = [0.1, 0.5, 0.05, 0.3, 0.05, 0, 0, 0, 0, 0];
    expect(topK(p, 3)).toEqual([{ digit: 1, p: 0.5 }, { digit: 3, p: 0.3 }, { digit: 0, p: 0.1 }]);
    expect(topK([0.5, 0.5], 1)[0].digit).toBe(0);
    expect(argmax(p)).toBe(1);
  });

  it('hands out distinct request ids', () => {
    expect(nextRequestId()).not.toBe(nextRequestId());
  });
});

describe('Throttle', () => {
  function setup() {
    let time = 0;
    const timers: { at: number; cb: () => void }[] = [];
    let runs = 0;
    const throttle = new Throttle(() => runs++, 100, () => time, (cb, ms) => {
      const t = { at: time + ms, cb };
      timers.push(t);
      return t;
    }, (t) => timers.splice(timers.indexOf(t as never), 1));
    const advance = (ms: number) => {
      time += ms;
      for (const t of timers.filter((x) => x.at <= time)) {
        timers.splice(timers.indexOf(t), 1);
        t.cb();
      }
    };
    return { throttle, advance, runs: () => runs, timers };
  }

  it('runs at once, then at most once per interval, with a trailing call', () => {
    const { throttle, advance, runs } = setup();
    throttle.request();
    expect(runs()).toBe(1);
    for (let i = 0; i < 5; i++) {
      advance(10);
      throttle.request();
    }
    expect(runs()).toBe(1);
    advance(60);
    expect(runs()).toBe(2);
  });

  it('flushes immediately on now() and drops the pending call', () => {
    const { throttle, advance, runs, timers } = setup();
    throttle.request();
    advance(10);
    throttle.request();
    throttle.now();
    expect(runs()).toBe(2);
    expect(timers).toHaveLength(0);
  });
});

describe('ownAccuracy', () => {
  it('counts right answers overall and per digit', () => {
    const ex = (label: number, predicted: number) => ({ pixels: [], label, predicted, confidence: 1 });
    const { accuracy, perDigit } = ownAccuracy([ex(1, 1), ex(1, 7), ex(0, 0), ex(0, 0)]);
    expect(accuracy).toBe(0.75);
    expect(perDigit[1]).toEqual([1, 2]);
    expect(perDigit[0]).toEqual([2, 2]);
    expect(ownAccuracy([]).accuracy).toBeNull();
  });
});
