import { describe, expect, it } from 'vitest';
import { OneInFlight } from './one-in-flight';

/**
 * A pad whose drawing is numbered, one more each move, and a fake predictor that answers only when told: the slow
 * engine of a loaded machine, without a clock. The answer to a request is the drawing it carried.
 */
function slowPad() {
  let drawing = 0;
  let empty = true;
  let nextId = 0;
  const requests: { id: number; drawing: number }[] = [];
  const unanswered: { id: number; drawing: number }[] = [];
  const shown: number[] = [];
  let mostOut = 0;
  const line = new OneInFlight(() => {
    if (empty) return null;
    const request = { id: ++nextId, drawing };
    requests.push(request);
    unanswered.push(request);
    mostOut = Math.max(mostOut, unanswered.length);
    return request.id;
  });
  return {
    line,
    requests,
    shown,
    mostOut: () => mostOut,
    move() {
      drawing++;
      empty = false;
      line.ask();
    },
    clear() {
      empty = true;
      line.drop();
    },
    /** The predictor answers its oldest request. */
    answerOne() {
      const request = unanswered.shift()!;
      line.answered(request.id, () => shown.push(request.drawing));
    },
    answerAll() {
      while (unanswered.length) this.answerOne();
    },
  };
}

describe('OneInFlight', () => {
  it('N moves while the predictor is slow: two requests, in order, and the final drawing is answered', () => {
    const pad = slowPad();
    const MOVES = 40;
    for (let i = 0; i < MOVES; i++) pad.move();
    pad.line.ask(); // pen-up
    expect(pad.requests.map((r) => r.drawing)).toEqual([1]);
    pad.answerAll();
    expect(pad.requests.map((r) => r.drawing)).toEqual([1, MOVES]);
    expect(pad.mostOut()).toBe(1);
    expect(pad.shown).toEqual([1, MOVES]);
  });

  it('answered now and then while drawing: still one out at a time, answers shown oldest first, the last one final', () => {
    const pad = slowPad();
    for (let i = 1; i <= 30; i++) {
      pad.move();
      if (i % 7 === 0) pad.answerOne();
    }
    pad.line.ask(); // pen-up
    pad.answerAll();
    expect(pad.mostOut()).toBe(1);
    // Each answer sends the drawing as it is by then; the moves between answers coalesce.
    expect(pad.requests.map((r) => r.drawing)).toEqual([1, 7, 14, 21, 28, 30]);
    expect(pad.shown).toEqual([1, 7, 14, 21, 28, 30]);
  });

  it('an answer that is not the one out is ignored', () => {
    const pad = slowPad();
    pad.move();
    expect(pad.line.answered(99, () => pad.shown.push(-1))).toBe(false);
    expect(pad.shown).toEqual([]);
    pad.answerAll();
    expect(pad.shown).toEqual([1]);
  });

  it('after a Clear the answer out is dropped, and the next drawing goes once it is back', () => {
    const pad = slowPad();
    pad.move();
    pad.move();
    pad.clear();
    pad.move(); // a new drawing while the cleared one's request is still out: it waits, no second request
    expect(pad.requests.map((r) => r.drawing)).toEqual([1]);
    pad.answerAll();
    expect(pad.requests.map((r) => r.drawing)).toEqual([1, 3]);
    expect(pad.shown).toEqual([3]);
  });

  it('a Clear with nothing drawn after it forgets the kept ask', () => {
    const pad = slowPad();
    pad.move();
    pad.move();
    pad.clear();
    pad.answerAll();
    expect(pad.requests).toHaveLength(1);
    expect(pad.shown).toEqual([]);
  });

  it('a request lost with its engine is asked again; a later answer to it is ignored', () => {
    const pad = slowPad();
    pad.move();
    pad.move();
    pad.line.lost();
    expect(pad.requests.map((r) => r.drawing)).toEqual([1, 2]);
    pad.answerAll(); // a late answer to the lost request (a new engine never sends one), then the new request's
    expect(pad.shown).toEqual([2]);
    expect(pad.requests).toHaveLength(2);
  });

  it('nothing out and nothing kept: lost() asks nothing', () => {
    const pad = slowPad();
    pad.line.lost();
    expect(pad.requests).toHaveLength(0);
  });
});
