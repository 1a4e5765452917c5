/** The IPC registration with electron mocked: one handler per API method, and untrusted frames are refused. */
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../common/api';
import { apiChannel } from '../../common/ipc-channels';
import type { AppServices } from '../services/app-services';
import type { EngineProcess } from '../services/engine-process';

const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, handler) },
}));

describe('registerApiIpc', () => {
  it('registers every API method and checks the sender frame', async () => {
    const { registerApiIpc } = await import('./ipc');
    const dispatch = vi.fn(async (method: unknown, args: unknown) => ({ ok: true as const, value: [method, args] }));
    registerApiIpc({ dispatch } as unknown as AppServices<EngineProcess>, null);
    expect([...handlers.keys()].sort()).toEqual(API_METHODS.map(apiChannel).sort());

    const handler = handlers.get(apiChannel('getAppInfo'))!;
    expect(await handler({ senderFrame: { url: 'app://renderer/index.html' } }, 1)).toEqual({ ok: true, value: ['getAppInfo', [1]] });
    for (const frame of [{ url: 'https://evil.example/' }, { url: 'file:///x.html' }, null]) {
      expect(await handler({ senderFrame: frame })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(dispatch).toHaveBeenCalledTimes(1);
  });
});
