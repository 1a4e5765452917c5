import { describe, expect, it } from 'vitest';
import type { LayerLabBridge } from '../../../../common/api';
import { connectHost } from './connect-host';

describe('connectHost', () => {
  it('uses the Electron adapter when the preload left window.layerlab', () => {
    const bridge = { on: () => () => {} } as unknown as LayerLabBridge;
    const win = {
      layerlab: bridge,
      postMessage: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
    } as unknown as Window;
    const host = connectHost(win);
    expect(host.api).toBe(bridge);
    expect(host.connection.current.state).toBe('open');
    host.dispose();
  });
});
