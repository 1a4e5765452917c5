import { describe, expect, it } from 'vitest';
import type { ApiHandlers, EngineStatus } from '../../common/api';
import { createApiHandlers } from './api-handlers';
import { createDispatcher } from './dispatcher';

const status: EngineStatus = { state: 'ready', pid: 12, reason: null, restarts: 0, hello: null, since: 0 };
const dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir: '/tmp/x', engineStatus: () => status }));

describe('dispatcher', () => {
  it('calls the handler and wraps its value', async () => {
    expect(await dispatch('getEngineStatus', [])).toEqual({ ok: true, value: status });
    const info = await dispatch('getAppInfo', []);
    expect(info).toMatchObject({ ok: true, value: { name: 'LayerLab', host: 'web', dataDir: '/tmp/x', platform: process.platform } });
  });

  it.each([
    ['nope'],
    ['constructor'],
    ['__proto__'],
    ['toString'],
    [42],
    [null],
    [undefined],
  ])('refuses the unknown method %s', async (method) => {
    const result = await dispatch(method, []);
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('names an unknown method briefly, however long it is', async () => {
    const result = await dispatch('m'.repeat(5_000_000), []);
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(JSON.stringify(result).length).toBeLessThan(200);
  });

  it('refuses arguments that are not an array', async () => {
    expect(await dispatch('getAppInfo', 'x')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await dispatch('getAppInfo', { length: 0 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('refuses arguments that fail API_ARG_CHECKS', async () => {
    expect(await dispatch('getAppInfo', [1])).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'getAppInfo takes no arguments' },
    });
  });

  // Electron's ipcMain hands the dispatcher structured-clone values nobody has measured: a deep or cyclic project
  // must be refused before checkProject or JSON.stringify recurses over it.
  it('refuses arguments beyond the wire limits, deep or cyclic, before any check or handler sees them', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(await dispatch('saveProject', ['deep', deep])).toMatchObject({ ok: false, error: { code: 'too-deep' } });
    const cyclic: Record<string, unknown> = { format: 'layerlab-project' };
    cyclic.spec = cyclic;
    expect(await dispatch('autosaveProject', [cyclic])).toMatchObject({ ok: false, error: { code: 'too-deep' } });
    expect(await dispatch('loadProject', ['x'.repeat(40 * 1024 * 1024)])).toMatchObject({ ok: false, error: { code: 'too-large' } });
  });

  it('turns a throwing handler into an internal error envelope', async () => {
    const handlers: ApiHandlers = {
      ...createApiHandlers({ host: 'web', dataDir: '/tmp/x', engineStatus: () => status }),
      getAppInfo: async () => {
        throw new Error('disk on fire');
      },
    };
    expect(await createDispatcher(handlers)('getAppInfo', [])).toEqual({
      ok: false,
      error: { code: 'internal', message: 'disk on fire' },
    });
  });
});
