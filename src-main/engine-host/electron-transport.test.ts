/**
 * The engine host entry as Electron runs it (a utility process talking on `process.parentPort`), with parentPort
 * and the renderer's MessagePortMain faked: main is greeted, each renderer port is greeted and answered on its
 * own port, and bad messages get error events.
 */
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_PORT_MESSAGE } from '../../common/engine-host-wire';
import type { EngineEvent } from '../../common/engine-protocol';

class FakePort extends EventEmitter {
  readonly posted: EngineEvent[] = [];
  started = false;
  postMessage(message: EngineEvent) {
    this.posted.push(message);
    this.emit('posted');
  }
  start() {
    this.started = true;
  }
  /** Waits until `count` messages have been posted. */
  async received(count: number): Promise<EngineEvent[]> {
    while (this.posted.length < count) await new Promise((r) => this.once('posted', r));
    return this.posted;
  }
}

const parentPort = new FakePort();
const processWithPort = process as unknown as { parentPort?: FakePort };

beforeAll(async () => {
  processWithPort.parentPort = parentPort;
  await import('./index');
});
afterAll(() => {
  delete processWithPort.parentPort;
});

describe('engine host over Electron parentPort', () => {
  it('greets main with its own pid and probed backends', async () => {
    const [hello] = await parentPort.received(1);
    expect(hello).toMatchObject({ type: 'hello', hello: { pid: process.pid } });
    if (hello?.type === 'hello') expect(hello.hello.backends.some((b) => b.name === 'webasm')).toBe(true);
  });

  it('answers main on the control channel, and errors on bad messages', async () => {
    const before = parentPort.posted.length;
    parentPort.emit('message', { data: { type: 'ping', id: 5 }, ports: [] });
    parentPort.emit('message', { data: { type: 'bogus' }, ports: [] });
    const posted = await parentPort.received(before + 2);
    expect(posted[before]).toEqual({ type: 'pong', id: 5, pid: process.pid });
    expect(posted[before + 1]).toMatchObject({ type: 'error', requestType: 'bogus' });
  });

  it('greets and answers a renderer on its own port', async () => {
    const renderer = new FakePort();
    const mainBefore = parentPort.posted.length;
    parentPort.emit('message', { data: { type: RENDERER_PORT_MESSAGE }, ports: [renderer] });
    expect(renderer.started).toBe(true);
    expect((await renderer.received(1))[0]).toMatchObject({ type: 'hello', hello: { pid: process.pid } });
    renderer.emit('message', { data: { type: 'ping', id: 9 }, ports: [] });
    renderer.emit('message', { data: 'garbage', ports: [] });
    const posted = await renderer.received(3);
    expect(posted[1]).toEqual({ type: 'pong', id: 9, pid: process.pid });
    expect(posted[2]).toMatchObject({ type: 'error' });
    expect(parentPort.posted.length).toBe(mainBefore);
  });

  // Issue #17.1: the page's MessagePort is the Electron twin of the browser host's socket, and gets the same limits.
  it('refuses a renderer message nested 5,000 deep before training sees it, and answers the next one', async () => {
    const renderer = new FakePort();
    parentPort.emit('message', { data: { type: RENDERER_PORT_MESSAGE }, ports: [renderer] });
    await renderer.received(1);
    let spec: unknown = 1;
    for (let i = 0; i < 5000; i++) spec = { a: spec };
    renderer.emit('message', { data: { type: 'run-start', spec }, ports: [] });
    renderer.emit('message', { data: { type: 'ping', id: 11 }, ports: [] });
    const posted = await renderer.received(3);
    expect(posted[1]).toMatchObject({ type: 'error', requestType: 'run-start', message: expect.stringMatching(/nested more than \d+ levels/) });
    expect(posted[2]).toEqual({ type: 'pong', id: 11, pid: process.pid });
  });
});
