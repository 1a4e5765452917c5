import { describe, expect, it } from 'vitest';
import { checkEngineRequest } from './engine-protocol';

const image = new Array(784).fill(0);

describe('inside requests (checkEngineRequest)', () => {
  it('accepts well-formed layer-outputs, layer-weights and runs-compare', () => {
    expect(checkEngineRequest({ type: 'layer-outputs', requestId: 1, image, runId: '20261205-004552-n2tl', checkpoint: 'best' })).toBeNull();
    expect(checkEngineRequest({ type: 'layer-weights', requestId: 2, layer: 'features.0', checkpoint: 3 })).toBeNull();
    expect(checkEngineRequest({ type: 'runs-compare', requestId: 3 })).toBeNull();
    expect(checkEngineRequest({ type: 'runs-compare', requestId: 3, runIds: ['a1', 'b2'] })).toBeNull();
  });

  it('refuses what would reach the engine wrong, saying what is expected', () => {
    expect(checkEngineRequest({ type: 'layer-outputs', requestId: 1, image: image.slice(1) })).toMatch(/784 pixel values/);
    expect(checkEngineRequest({ type: 'layer-outputs', requestId: 1, image: [...image.slice(1), 256] })).toMatch(/0 to 255/);
    expect(checkEngineRequest({ type: 'layer-outputs', requestId: -1, image })).toMatch(/requestId/);
    expect(checkEngineRequest({ type: 'layer-outputs', requestId: 1, image, checkpoint: 'first' })).toMatch(/checkpoint/);
    expect(checkEngineRequest({ type: 'layer-weights', requestId: 1, layer: '../x' })).toMatch(/module name/);
    expect(checkEngineRequest({ type: 'layer-weights', requestId: 1, layer: '0', runId: 'Not An Id' })).toMatch(/run id/);
    expect(checkEngineRequest({ type: 'runs-compare', requestId: 1, runIds: new Array(201).fill('a') })).toMatch(/at most 200/);
    expect(checkEngineRequest({ type: 'runs-compare', requestId: 1, extra: true })).toMatch(/unexpected field extra/);
  });
});
