/** The `run-examples` request's checks (the galleries behind the confusion matrix). */
import { describe, expect, it } from 'vitest';
import { checkEngineRequest } from './engine-protocol';
import { RUN_EXAMPLES_MAX } from './training-protocol';

const base = { type: 'run-examples', requestId: 3, runId: '20261126-191502-k3f9', split: 'test' };

describe('checkEngineRequest: run-examples', () => {
  it.each<Record<string, unknown>>([
    base,
    { ...base, split: 'validation', trueLabel: 1, predictedLabel: 7, offset: 48, limit: RUN_EXAMPLES_MAX },
    { ...base, misclassifiedOnly: true, offset: 0, limit: 1 },
  ])('accepts %j', (request) => {
    expect(checkEngineRequest(request)).toBeNull();
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ ...base, requestId: undefined }, /requestId must be an integer/],
    [{ ...base, runId: '../x' }, /runId must be a run id/],
    [{ ...base, split: 'train' }, /split must be 'validation' or 'test'/],
    [{ ...base, trueLabel: -1 }, /trueLabel must be a non-negative integer/],
    [{ ...base, predictedLabel: 1.5 }, /predictedLabel must be a non-negative integer/],
    [{ ...base, offset: '0' }, /offset must be a non-negative integer/],
    [{ ...base, misclassifiedOnly: 1 }, /misclassifiedOnly must be a boolean/],
    [{ ...base, limit: 0 }, /limit must be an integer from 1 to 100/],
    [{ ...base, limit: RUN_EXAMPLES_MAX + 1 }, /limit must be an integer from 1 to 100/],
    [{ ...base, pixels: true }, /unexpected field pixels/],
  ])('refuses %j', (request, message) => {
    expect(checkEngineRequest(request)).toMatch(message);
  });
});
