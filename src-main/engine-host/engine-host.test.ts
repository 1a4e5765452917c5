import { describe, expect, it } from 'vitest';
import type { EngineEvent, EngineHello } from '../../common/engine-protocol';
import { engineText, englishText } from '../../common/engine-text';
import { probeBackend } from './backend-probe';
import { EngineHost, type EnginePeer } from './engine-host';

const hello: EngineHello = { engineVersion: '1', pid: 99, runtime: 'node x', backends: [], backendInUse: 'cpu' };

function peer(): EnginePeer & { got: EngineEvent[] } {
  const got: EngineEvent[] = [];
  return { id: 'p', got, send: (e) => got.push(e) };
}

describe('EngineHost', () => {
  it('answers hello and ping', () => {
    const host = new EngineHost(hello);
    const p = peer();
    host.handle(p, { type: 'hello' });
    host.handle(p, { type: 'ping', id: 3 });
    expect(p.got).toEqual([{ type: 'hello', hello }, { type: 'pong', id: 3, pid: 99 }]);
  });

  it.each([null, 42, 'ping', [], {}, { type: 'ping' }, { type: 'ping', id: '1' }, { type: 'train' }, { type: 7 }])(
    'answers the bad request %j with an error event',
    (bad) => {
      const host = new EngineHost(hello);
      const p = peer();
      host.handle(p, bad);
      expect(p.got).toHaveLength(1);
      expect(p.got[0]?.type).toBe('error');
    },
  );

  it('holds renderers, not main, to the wire limits before training sees a message', async () => {
    const seen: unknown[] = [];
    const host = new EngineHost(hello, () => ({ connect: () => undefined, handle: async (_p, r) => void seen.push(r) }));
    let spec: unknown = 1;
    for (let i = 0; i < 100; i++) spec = { a: spec };
    const p = peer();
    host.handle(p, { type: 'run-start', spec });
    expect(p.got).toEqual([{ type: 'error', requestType: 'run-start', message: expect.stringMatching(/nested more than/) }]);
    expect(seen).toEqual([]);
    host.handle({ id: 'main', send: () => undefined }, { type: 'run-start', spec });
    expect(seen).toHaveLength(1);
  });

  it('answers a training request whose handler rejects, instead of leaving the rejection unhandled', async () => {
    const host = new EngineHost(hello, () => ({ connect: () => undefined, handle: async () => Promise.reject(new Error('boom')) }));
    const p = peer();
    host.handle(p, { type: 'runs-list' });
    await new Promise((r) => setTimeout(r, 0));
    expect(p.got).toEqual([{ type: 'error', message: 'boom', requestType: 'runs-list' }]);
  });

  // Answering with the whole of a 4 MB type would send it back once per frame (the fuzz test's RSS doubled).
  it('answers an oversized type or a flood of extra fields briefly', () => {
    const host = new EngineHost(hello);
    const p = peer();
    host.handle(p, { type: 'x'.repeat(4_000_000) });
    host.handle(p, { type: 'runs-list', ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])) });
    expect(p.got).toHaveLength(2);
    for (const event of p.got) expect(JSON.stringify(event).length).toBeLessThan(400);
    expect(p.got[1]).toMatchObject({ type: 'error', message: 'runs-list: unexpected fields k0, k1, k2, k3, k4 and 9995 more' });
  });

  it('survives a peer whose send throws', () => {
    const host = new EngineHost(hello);
    expect(() => host.handle({ id: 'gone', send: () => { throw new Error('closed'); } }, { type: 'hello' })).not.toThrow();
  });

  it('greets a newly connected peer', () => {
    const host = new EngineHost(hello);
    const p = peer();
    host.connect(p);
    expect(p.got).toEqual([{ type: 'hello', hello }]);
  });
});

describe('backend probe (in this Node process)', () => {
  it('runs a real kernel on cpu and webasm', async () => {
    for (const name of ['cpu', 'webasm'] as const) {
      const probe = await probeBackend(name, 'node 20');
      expect(probe).toMatchObject({ name, available: true });
      expect(probe.detail).toMatch(/^ok \(\d+ ms\)$/);
      // The same line as a code with its figure, for the header to word in the learner's language.
      expect(probe.detailText).toEqual({ code: 'backend.ok.ms', params: { ms: expect.any(Number) } });
      expect(englishText(probe.detailText!)).toBe(probe.detail);
    }
  });

  it('explains why WebGL and WebGPU are missing in Node', async () => {
    expect(await probeBackend('webgl2', 'node 20')).toEqual({
      name: 'webgl2', available: false, detail: 'unavailable (no WebGL in Node)', detailText: engineText('backend.unavailable.noWebgl.node', {}),
    });
    expect(await probeBackend('webgpu', 'node 20')).toMatchObject({
      detail: 'unavailable (no navigator.gpu in Node; the engine runs WebGPU through Dawn: see gpujs-webgpu)',
      detailText: engineText('backend.unavailable.noNavigatorGpu.node', {}),
    });
    // Electron's utility process is not Node to a learner: "this process".
    expect(await probeBackend('webgl2', 'electron 45.5.0 (utility)')).toMatchObject({
      detail: 'unavailable (no WebGL in this process)', detailText: engineText('backend.unavailable.noWebgl.here', {}),
    });
  });
});
