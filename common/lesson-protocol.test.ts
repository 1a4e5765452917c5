import { describe, expect, it } from 'vitest';
import { checkEngineRequest } from './engine-protocol';

describe('lesson requests on the engine protocol', () => {
  it('accepts a step with or without maxBatches, and a stop', () => {
    expect(checkEngineRequest({ type: 'lesson-run', requestId: 1, step: 'from-scratch' })).toBeNull();
    expect(checkEngineRequest({ type: 'lesson-run', requestId: 2, step: 'cnn', maxBatches: 20 })).toBeNull();
    expect(checkEngineRequest({ type: 'lesson-stop', requestId: 2 })).toBeNull();
  });

  it('refuses unknown steps, bad numbers and extra fields, naming the problem', () => {
    expect(checkEngineRequest({ type: 'lesson-run', requestId: 1, step: 'gan' })).toMatch(/step must be one of data, from-scratch/);
    expect(checkEngineRequest({ type: 'lesson-run', requestId: 1, step: 'cnn', maxBatches: 0 })).toMatch(/maxBatches must be an integer ≥ 1/);
    expect(checkEngineRequest({ type: 'lesson-run', requestId: -1, step: 'cnn' })).toMatch(/requestId/);
    expect(checkEngineRequest({ type: 'lesson-run', requestId: 1, step: 'cnn', lr: 9 })).toMatch(/unexpected field lr/);
    expect(checkEngineRequest({ type: 'lesson-stop', requestId: 1, step: 'cnn' })).toMatch(/unexpected field step/);
  });
});
