import { describe, expect, it } from 'vitest';
import { batchDelta } from './chart-messages';

const p = (step: number) => ({ step, x: step / 10, loss: 1, accuracy: 0.5 });

describe('batchDelta', () => {
  it('sends everything first, then only the new tail of the same series', () => {
    const a = [p(1), p(2)];
    expect(batchDelta(null, a)).toEqual({ from: 0, batches: a });
    const b = a.concat([p(3)]);
    expect(batchDelta({ array: a, length: 2 }, b)).toEqual({ from: 2, batches: [p(3)] });
  });

  it('starts over when the series was replaced (a new run) or shrank', () => {
    const a = [p(1), p(2)];
    expect(batchDelta({ array: a, length: 2 }, [p(1)])).toEqual({ from: 0, batches: [p(1)] });
    expect(batchDelta({ array: a, length: 2 }, [p(1), p(2), p(3)]).from).toBe(0); // same values, other objects
    expect(batchDelta({ array: [], length: 0 }, [p(5)])).toEqual({ from: 0, batches: [p(5)] });
  });
});
