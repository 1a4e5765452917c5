/**
 * How the supervisor sees one engine host process, whatever started it: Electron's utilityProcess (src-main/electron)
 * or Node's child_process (the browser host). A launcher starts one; the supervisor only talks through this
 * interface, so it runs (and is tested) under plain Node.
 */
import type { EngineRequest } from '../../common/engine-protocol';

export interface EngineExit {
  code: number | null;
  signal: string | null;
}

export interface EngineProcess {
  /** The OS process id, null until the process has spawned (and after it failed to). */
  readonly pid: number | null;
  /** Send on main's control channel. Dropped silently once the process has exited. */
  send(message: EngineRequest): void;
  /** Messages from the engine host on main's control channel, unvalidated. */
  onMessage(listener: (message: unknown) => void): void;
  /** Called exactly once, when the process has gone (crashed, killed or failed to spawn). */
  onExit(listener: (exit: EngineExit) => void): void;
  /**
   * Ask the process to end (SIGTERM or equivalent: the engine host takes it as its parent ending), or with `hard`
   * end it at once (SIGKILL: for a host that stopped answering, which could not act on the polite kind).
   */
  kill(hard?: boolean): void;
}

export interface EngineLauncher<P extends EngineProcess = EngineProcess> {
  launch(): P;
}

/** `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(exit: EngineExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}
