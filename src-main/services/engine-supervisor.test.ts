import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineStatus } from '../../common/api';
import type { EngineHello, EngineRequest } from '../../common/engine-protocol';
import type { EngineExit, EngineLauncher, EngineProcess } from './engine-process';
import { EngineSupervisor } from './engine-supervisor';

/** A process that does what the test tells it to: say hello, crash, hang. */
class FakeProcess implements EngineProcess {
  readonly sent: EngineRequest[] = [];
  killed = false;
  #message: ((m: unknown) => void)[] = [];
  #exit: ((e: EngineExit) => void)[] = [];
  constructor(readonly pid: number) {}
  send(message: EngineRequest) {
    this.sent.push(message);
  }
  onMessage(l: (m: unknown) => void) {
    this.#message.push(l);
  }
  onExit(l: (e: EngineExit) => void) {
    this.#exit.push(l);
  }
  killedHard = false;
  kill(hard = false) {
    this.killed = true;
    this.killedHard = hard;
    this.exit({ code: null, signal: hard ? 'SIGKILL' : 'SIGTERM' });
  }
  sayHello() {
    const hello: EngineHello = { engineVersion: '0', pid: this.pid, runtime: 'fake', backends: [], backendInUse: 'cpu' };
    for (const l of this.#message) l({ type: 'hello', hello });
  }
  emit(message: unknown) {
    for (const l of this.#message) l(message);
  }
  exit(e: EngineExit = { code: null, signal: 'SIGKILL' }) {
    for (const l of this.#exit.splice(0)) l(e);
  }
}

class FakeLauncher implements EngineLauncher<FakeProcess> {
  readonly launched: FakeProcess[] = [];
  launch() {
    const p = new FakeProcess(1000 + this.launched.length);
    this.launched.push(p);
    return p;
  }
  get last() {
    return this.launched.at(-1)!;
  }
}

describe('EngineSupervisor', () => {
  let launcher: FakeLauncher;
  let states: EngineStatus[];
  beforeEach(() => {
    vi.useFakeTimers();
    launcher = new FakeLauncher();
    states = [];
  });
  afterEach(() => vi.useRealTimers());

  const make = (options = {}) => {
    const s = new EngineSupervisor(launcher, { backoffInitialMs: 250, backoffMaxMs: 10_000, maxCrashes: 5, crashWindowMs: 60_000, ...options });
    s.onStatus((status) => states.push(status));
    return s;
  };

  it('is starting until the engine says hello, then ready with the pid from the hello', () => {
    const s = make();
    s.start();
    expect(s.status.state).toBe('starting');
    launcher.last.sayHello();
    expect(s.status).toMatchObject({ state: 'ready', pid: 1000, restarts: 0, reason: null });
    expect(s.status.hello?.backendInUse).toBe('cpu');
  });

  it('restarts a crashed engine with doubling backoff, capped', () => {
    const s = make({ maxCrashes: 100 });
    s.start();
    launcher.last.sayHello();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      launcher.last.exit();
      expect(s.status.state).toBe('restarting');
      expect(s.status.pid).toBeNull();
      const before = launcher.launched.length;
      const delay = Number(/restarting in (\d+) ms/.exec(s.status.reason!)?.[1]);
      delays.push(delay);
      vi.advanceTimersByTime(delay - 1);
      expect(launcher.launched.length).toBe(before);
      vi.advanceTimersByTime(1);
      expect(launcher.launched.length).toBe(before + 1);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    launcher.last.sayHello();
    expect(s.status).toMatchObject({ state: 'ready', pid: launcher.last.pid, restarts: 8 });
  });

  it('says why it restarts', () => {
    const s = make();
    s.start();
    launcher.last.sayHello();
    launcher.last.exit({ code: 3, signal: null });
    expect(s.status.reason).toBe('the engine host exited with code 3; restarting in 250 ms');
    // The same reason as codes, for the header to say in the learner's language; gone once the engine is back.
    expect(s.status.reasonText).toEqual([
      { code: 'engine.exited', params: { code: 3 } },
      { code: 'engine.restartingIn', params: { ms: 250 } },
    ]);
    vi.runOnlyPendingTimers();
    launcher.last.sayHello();
    expect(s.status).toMatchObject({ state: 'ready', reason: null });
    expect(s.status.reasonText).toBeUndefined();
  });

  it('gives up with a reason after too many crashes in the window', () => {
    const s = make({ maxCrashes: 3, crashWindowMs: 60_000 });
    s.start();
    for (let i = 0; i < 2; i++) {
      launcher.last.exit();
      vi.runOnlyPendingTimers();
    }
    launcher.last.exit();
    expect(s.status.state).toBe('failed');
    expect(s.status.reason).toMatch(/killed by SIGKILL.*crashed 3 times within 60 s/);
    vi.advanceTimersByTime(120_000);
    expect(launcher.launched).toHaveLength(3);
  });

  it('forgets crashes older than the window', () => {
    const s = make({ maxCrashes: 2, crashWindowMs: 1_000, backoffInitialMs: 10 });
    s.start();
    launcher.last.exit();
    vi.advanceTimersByTime(2_000);
    launcher.last.exit();
    expect(s.status.state).toBe('restarting');
  });

  it('resets the backoff after the engine was stable', () => {
    const s = make({ stableAfterMs: 5_000, maxCrashes: 100 });
    s.start();
    launcher.last.exit();
    vi.runOnlyPendingTimers();
    launcher.last.exit();
    expect(s.status.reason).toMatch(/in 500 ms/);
    vi.runOnlyPendingTimers();
    launcher.last.sayHello();
    vi.advanceTimersByTime(5_000);
    launcher.last.exit();
    expect(s.status.reason).toMatch(/in 250 ms/);
  });

  it('kills an engine that never says hello and counts it as a crash', () => {
    const s = make({ helloTimeoutMs: 1_000 });
    s.start();
    vi.advanceTimersByTime(1_000);
    expect(launcher.launched[0]!.killed).toBe(true);
    expect(s.status.state).toBe('restarting');
    expect(s.status.reason).toMatch(/did not say hello within 1000 ms/);
  });

  it('counts a launcher that throws as a crash', () => {
    const s = new EngineSupervisor({ launch: () => { throw new Error('no such file'); } }, { maxCrashes: 1 });
    s.start();
    expect(s.status).toMatchObject({ state: 'failed' });
    expect(s.status.reason).toMatch(/could not start the engine host: no such file/);
  });

  it('emits every status change, stamping since only when the state changes', () => {
    const s = make();
    s.start();
    launcher.last.sayHello();
    launcher.last.exit();
    vi.runOnlyPendingTimers();
    launcher.last.sayHello();
    expect(states.map((x) => x.state)).toEqual(['starting', 'starting', 'ready', 'restarting', 'restarting', 'restarting', 'ready']);
  });

  it('passes other control messages to message listeners', () => {
    const s = make();
    const got: unknown[] = [];
    s.onMessage((m) => got.push(m));
    s.start();
    launcher.last.emit({ type: 'pong', id: 1, pid: 1000 });
    expect(got).toEqual([{ type: 'pong', id: 1, pid: 1000 }]);
  });

  // #17.2: a blocked engine kept 'ready' for 11 minutes while nothing got through.
  it('pings a ready engine, and one that answers stays ready, its pongs kept from listeners', () => {
    const s = make({ heartbeatMs: 1000, unresponsiveAfterMs: 5000 });
    const got: unknown[] = [];
    s.onMessage((m) => got.push(m));
    s.start();
    const engine = launcher.last;
    engine.sayHello();
    for (let second = 0; second < 60; second++) {
      vi.advanceTimersByTime(1000);
      const ping = engine.sent.at(-1) as { type: string; id: number };
      engine.emit({ type: 'pong', id: ping.id, pid: engine.pid });
    }
    expect(engine.sent.length).toBeGreaterThanOrEqual(59);
    expect(new Set(engine.sent.map((m) => (m as { id: number }).id)).size).toBe(engine.sent.length);
    expect(engine.sent.every((m) => m.type === 'ping' && m.id < 0)).toBe(true);
    expect(s.status).toMatchObject({ state: 'ready', pid: 1000, restarts: 0 });
    expect(engine.killed).toBe(false);
    expect(got).toEqual([]);
  });

  it('reports an engine silent past the limit as unresponsive, kills it and restarts it like a crash', () => {
    const s = make({ heartbeatMs: 1000, unresponsiveAfterMs: 5000 });
    s.start();
    const engine = launcher.last;
    engine.sayHello();
    vi.advanceTimersByTime(4000);
    expect(engine.killed).toBe(false);
    vi.advanceTimersByTime(2000);
    expect(engine.killedHard).toBe(true);
    expect(states.some((x) => x.state === 'ready' && /stopped answering for \d+ s \(unresponsive/.test(x.reason ?? ''))).toBe(true);
    expect(s.status).toMatchObject({ state: 'restarting', reason: expect.stringMatching(/^the engine host stopped answering for 5 s \(unresponsive.*; restarting in 250 ms$/) });
    vi.advanceTimersByTime(250);
    launcher.last.sayHello();
    expect(s.status).toMatchObject({ state: 'ready', pid: 1001, restarts: 1, reason: null });
  });

  it('stops without restarting', async () => {
    const s = make();
    s.start();
    launcher.last.sayHello();
    await s.stop();
    expect(launcher.last.killed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(launcher.launched).toHaveLength(1);
    expect(s.process).toBeNull();
  });
});
