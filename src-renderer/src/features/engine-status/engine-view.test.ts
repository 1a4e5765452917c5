import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../../common/api';
import type { EngineHello } from '../../../../common/engine-protocol';
import { backendLine, describeEngine, isSameReadyEngine, isStale } from './engine-view';

const helloFromMain: EngineHello = {
  engineVersion: '0.1.0',
  pid: 100,
  runtime: 'node 20',
  backends: [{ name: 'cpu', available: true, detail: 'ok (1 ms)' }],
  backendInUse: 'cpu',
};
const direct: EngineHello = {
  ...helloFromMain,
  backends: [
    { name: 'webasm', available: true, detail: 'ok (3 ms)' },
    { name: 'webgl2', available: false, detail: 'unavailable (no WebGL in Node)' },
  ],
  backendInUse: 'webasm',
};
const ready: EngineStatus = { state: 'ready', pid: 100, reason: null, restarts: 0, hello: helloFromMain, since: 10 };

describe('describeEngine', () => {
  it('shows nothing known before the first status', () => {
    expect(describeEngine(null, null)).toEqual({
      state: null, reason: null, pid: null, backendInUse: null, backends: [], restarts: 0,
    });
  });

  it("uses main's hello until the engine answers directly", () => {
    const view = describeEngine(ready, null);
    expect(view).toMatchObject({ state: 'ready', pid: 100, backendInUse: 'cpu' });
  });

  it("prefers the engine's own hello while it is ready", () => {
    const view = describeEngine(ready, { ...direct, pid: 101 });
    expect(view).toMatchObject({ pid: 101, backendInUse: 'webasm', backends: direct.backends });
  });

  it('ignores a direct hello once the engine is no longer ready', () => {
    const restarting: EngineStatus = { ...ready, state: 'restarting', pid: null, reason: 'exit 1', restarts: 1, hello: null };
    expect(describeEngine(restarting, direct)).toEqual({
      state: 'restarting', reason: 'exit 1', pid: null, backendInUse: null, backends: [], restarts: 1,
    });
  });
});

describe('isStale and isSameReadyEngine', () => {
  it('reject an older status and accept a same-time or newer one', () => {
    expect(isStale(null, ready)).toBe(false);
    expect(isStale(ready, { ...ready, since: 9 })).toBe(true);
    expect(isStale(ready, { ...ready, since: 10 })).toBe(false);
  });

  it('tell a repeated ready from a new engine', () => {
    expect(isSameReadyEngine(ready, { ...ready, since: 11 })).toBe(true);
    expect(isSameReadyEngine(ready, { ...ready, pid: 200 })).toBe(false);
    expect(isSameReadyEngine({ ...ready, state: 'starting' }, ready)).toBe(false);
    expect(isSameReadyEngine(null, ready)).toBe(false);
  });
});

describe('backendLine', () => {
  it('reads the way the DOM contract says', () => {
    expect(direct.backends.map(backendLine)).toEqual(['webasm: ok (3 ms)', 'webgl2: unavailable (no WebGL in Node)']);
  });
});
