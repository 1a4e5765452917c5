/**
 * Keeps one engine host running. It launches the host, waits for its `hello`, and restarts it with exponential
 * backoff when it dies. Too many crashes in a short window mean something is broken for good, so it stops trying and
 * reports `failed` with the reason. Every state change goes to the status listeners (main forwards them to the
 * renderer as the `engineStatus` event).
 *
 *   starting ──hello──▶ ready ──exit / unresponsive──▶ restarting ──hello──▶ ready
 *       │                                                  │
 *       └──exit / no hello──▶ restarting                   └── N crashes in window ──▶ failed
 *
 * A ready host is pinged on main's control channel every `heartbeatMs`. One whose event loop is blocked (a model
 * too big for the machine blocked it for 11 minutes, with getEngineStatus still saying `ready`) answers nothing;
 * after `unresponsiveAfterMs` without a word it is reported unresponsive, killed, and restarted like a crash.
 */
import type { EngineStatus } from '../../common/api';
import type { EngineHello } from '../../common/engine-protocol';
import { engineText, englishTexts, type EngineText } from '../../common/engine-text';
import type { EngineExit, EngineLauncher, EngineProcess } from './engine-process';

/** A status reason in parts: the English for logs and older readers, and the codes for the learner's language. */
const reasonOf = (texts: EngineText[]) => ({ reason: englishTexts(texts, '; '), reasonText: texts });

export interface SupervisorOptions {
  /** First restart delay; doubles per consecutive crash. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** `maxCrashes` crashes within `crashWindowMs` → failed. */
  maxCrashes: number;
  crashWindowMs: number;
  /** A host that does not say hello in time is killed and counts as a crash. */
  helloTimeoutMs: number;
  /** A host that stayed ready this long resets the backoff. */
  stableAfterMs: number;
  /** How long stop() waits for the process to exit after asking nicely. */
  stopTimeoutMs: number;
  /** How often a ready host is pinged. */
  heartbeatMs: number;
  /** A ready host silent this long (no pong, no message at all) is unresponsive: killed and restarted. */
  unresponsiveAfterMs: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  backoffInitialMs: 250,
  backoffMaxMs: 10_000,
  maxCrashes: 5,
  crashWindowMs: 60_000,
  helloTimeoutMs: 20_000,
  stableAfterMs: 30_000,
  stopTimeoutMs: 3_000,
  heartbeatMs: 5_000,
  // Far longer than any batch of a model that fits the machine, so a slow step is never mistaken for a hang.
  unresponsiveAfterMs: 45_000,
};

/** Heartbeat pings count down from here, so they never collide with a renderer's or a test's ping ids. */
const HEARTBEAT_ID_BASE = -1;

type StatusListener = (status: EngineStatus) => void;

export class EngineSupervisor<P extends EngineProcess = EngineProcess> {
  readonly #launcher: EngineLauncher<P>;
  readonly #options: SupervisorOptions;
  readonly #listeners: StatusListener[] = [];
  readonly #messageListeners: ((message: unknown, process: P) => void)[] = [];
  #status: EngineStatus = { state: 'starting', pid: null, reason: null, restarts: 0, hello: null, since: Date.now() };
  #process: P | null = null;
  #crashTimes: number[] = [];
  #consecutiveCrashes = 0;
  #readySince: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #helloTimedOut = false;
  #exited: Promise<void> = Promise.resolve();
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #lastHeard = 0;
  #nextPing = HEARTBEAT_ID_BASE;
  /** Why the current process was killed by the heartbeat, if it was. */
  #unresponsive: EngineText | null = null;

  constructor(launcher: EngineLauncher<P>, options: Partial<SupervisorOptions> = {}) {
    this.#launcher = launcher;
    this.#options = { ...DEFAULT_SUPERVISOR_OPTIONS, ...options };
  }

  get status(): EngineStatus {
    return this.#status;
  }

  /** The running engine host, null between processes. */
  get process(): P | null {
    return this.#process;
  }

  onStatus(listener: StatusListener): () => void {
    this.#listeners.push(listener);
    return () => this.#listeners.splice(this.#listeners.indexOf(listener) >>> 0, 1);
  }

  /** Messages on main's control channel other than `hello` (pongs, errors). */
  onMessage(listener: (message: unknown, process: P) => void): () => void {
    this.#messageListeners.push(listener);
    return () => this.#messageListeners.splice(this.#messageListeners.indexOf(listener) >>> 0, 1);
  }

  start(): void {
    if (this.#process || this.#stopped) return;
    this.#setStatus({ state: 'starting', pid: null, reason: null, hello: null });
    this.#launch();
  }

  /** Ends the engine host and stops supervising; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    this.#stopHeartbeat();
    const proc = this.#process;
    if (proc) {
      proc.kill();
      const timeout = new Promise<'timeout'>((resolve) => {
        const t = setTimeout(() => resolve('timeout'), this.#options.stopTimeoutMs);
        t.unref?.();
      });
      if ((await Promise.race([this.#exited, timeout])) === 'timeout' && proc.pid) {
        try {
          process.kill(proc.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await this.#exited;
      }
    }
  }

  #launch(): void {
    let proc: P;
    try {
      proc = this.#launcher.launch();
    } catch (error) {
      this.#crashed(engineText('engine.cannotStart', { message: error instanceof Error ? error.message : String(error) }));
      return;
    }
    this.#process = proc;
    let resolveExited!: () => void;
    this.#exited = new Promise((resolve) => (resolveExited = resolve));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#helloTimedOut = true;
      proc.kill();
    }, this.#options.helloTimeoutMs);
    this.#helloTimedOut = false;
    this.#unresponsive = null;
    proc.onMessage((message) => this.#onMessage(proc, message));
    proc.onExit((exit) => {
      resolveExited();
      this.#onExit(proc, exit);
    });
    if (proc.pid !== null) this.#setStatus({ pid: proc.pid });
  }

  #onMessage(proc: P, message: unknown): void {
    if (proc !== this.#process) return;
    this.#lastHeard = Date.now();
    if (isHelloEvent(message)) {
      this.#clearTimer();
      this.#readySince = Date.now();
      this.#setStatus({ state: 'ready', pid: message.hello.pid, reason: null, hello: message.hello });
      this.#startHeartbeat(proc);
      return;
    }
    if (isHeartbeatPong(message)) return;
    for (const listener of [...this.#messageListeners]) listener(message, proc);
  }

  #startHeartbeat(proc: P): void {
    this.#stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      if (proc !== this.#process || this.#unresponsive) return this.#stopHeartbeat();
      const silentMs = Date.now() - this.#lastHeard;
      if (silentMs < this.#options.unresponsiveAfterMs) {
        proc.send({ type: 'ping', id: this.#nextPing-- });
        return;
      }
      this.#unresponsive = engineText('engine.unresponsive', { seconds: Math.round(silentMs / 1000) });
      this.#stopHeartbeat();
      this.#setStatus(reasonOf([this.#unresponsive]));
      // Hard, not the polite kill: a blocked process could not act on SIGTERM, and one that unblocked just then
      // would take it for its parent ending (engine-host/index.ts) and not count the hang against its run.
      proc.kill(true);
    }, this.#options.heartbeatMs);
    this.#heartbeat.unref?.();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #onExit(proc: P, exit: EngineExit): void {
    if (proc !== this.#process) return;
    this.#process = null;
    this.#clearTimer();
    this.#stopHeartbeat();
    if (this.#stopped) return;
    const stable = this.#readySince !== null && Date.now() - this.#readySince >= this.#options.stableAfterMs;
    this.#readySince = null;
    if (stable) this.#consecutiveCrashes = 0;
    const why = this.#unresponsive
      ?? (this.#helloTimedOut
        ? engineText('engine.noHello', { ms: this.#options.helloTimeoutMs })
        : exit.signal ? engineText('engine.killed', { signal: exit.signal }) : engineText('engine.exited', { code: exit.code ?? 'unknown' }));
    this.#crashed(why);
  }

  #crashed(why: EngineText): void {
    const now = Date.now();
    this.#crashTimes = [...this.#crashTimes.filter((t) => now - t < this.#options.crashWindowMs), now];
    if (this.#crashTimes.length >= this.#options.maxCrashes) {
      const seconds = Math.round(this.#options.crashWindowMs / 1000);
      this.#setStatus({
        state: 'failed',
        pid: null,
        hello: null,
        ...reasonOf([why, engineText('engine.gaveUp', { count: this.#crashTimes.length, seconds })]),
      });
      return;
    }
    const delay = Math.min(
      this.#options.backoffInitialMs * 2 ** this.#consecutiveCrashes,
      this.#options.backoffMaxMs,
    );
    this.#consecutiveCrashes++;
    this.#setStatus({
      state: 'restarting',
      pid: null,
      hello: null,
      ...reasonOf([why, engineText('engine.restartingIn', { ms: delay })]),
    });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      this.#setStatus({ restarts: this.#status.restarts + 1 });
      this.#launch();
    }, delay);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #setStatus(change: Partial<Omit<EngineStatus, 'since'>>): void {
    const next = { ...this.#status, ...change };
    // A reason given without its codes (cleared, or plain text) replaces the codes too.
    if ('reason' in change && !('reasonText' in change)) delete next.reasonText;
    const stateChanged = next.state !== this.#status.state;
    this.#status = { ...next, since: stateChanged ? Date.now() : this.#status.since };
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#status);
      } catch (error) {
        console.error('engine status listener failed:', error);
      }
    }
  }
}

/** A pong to one of the heartbeat's pings (negative ids): the supervisor's own business. */
function isHeartbeatPong(message: unknown): boolean {
  const { type, id } = (message ?? {}) as { type?: unknown; id?: unknown };
  return type === 'pong' && typeof id === 'number' && id <= HEARTBEAT_ID_BASE;
}

function isHelloEvent(message: unknown): message is { type: 'hello'; hello: EngineHello } {
  if (typeof message !== 'object' || message === null) return false;
  const { type, hello } = message as { type?: unknown; hello?: unknown };
  return type === 'hello' && typeof hello === 'object' && hello !== null
    && typeof (hello as { pid?: unknown }).pid === 'number';
}
