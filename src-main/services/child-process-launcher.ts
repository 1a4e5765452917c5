/**
 * Starts the engine host with Node's child_process.fork (the browser host's launcher). The IPC channel uses
 * 'advanced' serialization (structured clone), so typed arrays cross without JSON. Frames are tagged by peer
 * (see engine-host/wire.ts): main's control messages, and renderer frames the web server bridges from its sockets.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { EngineEvent, EngineRequest } from '../../common/engine-protocol';
import type { ChildInbound, ChildOutbound } from '../../common/engine-host-wire';
import type { EngineExit, EngineLauncher, EngineProcess } from './engine-process';

export interface ChildProcessLauncherOptions {
  /** The built engine host (out/main/engine-host.js), or the .ts source with execArgv ['--import', 'tsx']. */
  enginePath: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

export class ChildEngineProcess implements EngineProcess {
  readonly #child: ChildProcess;
  readonly #rendererListeners: ((client: string, message: EngineEvent) => void)[] = [];
  #exited = false;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (frame: ChildOutbound) => {
      if (frame?.peer === 'renderer') for (const l of this.#rendererListeners) l(frame.client, frame.message);
    });
    child.once('exit', () => (this.#exited = true));
  }

  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  send(message: EngineRequest): void {
    this.#post({ peer: 'main', message });
  }

  /** A renderer's frame, bridged from its WebSocket; false when it could not be written (see #post). */
  sendFromRenderer(client: string, message: unknown): boolean {
    return this.#post({ peer: 'renderer', client, message });
  }

  rendererClosed(client: string): void {
    this.#post({ peer: 'renderer-closed', client });
  }

  onRendererMessage(listener: (client: string, message: EngineEvent) => void): void {
    this.#rendererListeners.push(listener);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#child.on('message', (frame: ChildOutbound) => {
      if (frame?.peer === 'main') listener(frame.message);
    });
  }

  onExit(listener: (exit: EngineExit) => void): void {
    let called = false;
    const once = (exit: EngineExit) => {
      if (called) return;
      called = true;
      listener(exit);
    };
    this.#child.once('exit', (code, signal) => once({ code, signal }));
    // A failed spawn emits 'error' and may never emit 'exit'.
    this.#child.once('error', () => {
      if (this.#child.pid === undefined) once({ code: null, signal: null });
    });
  }

  kill(hard = false): void {
    if (!this.#exited) this.#child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  }

  /**
   * False when the frame was not written: the process is gone, or serializing it threw (the serializer recurses per
   * level and can throw RangeError; the wire limits should stop such frames earlier, but a throw here must never
   * reach the caller's event loop).
   */
  #post(frame: ChildInbound): boolean {
    if (this.#exited || !this.#child.connected) return false;
    try {
      this.#child.send(frame, (error) => {
        // The process may die between the check and the write; the supervisor hears about it through 'exit'.
        if (error && !this.#exited) console.warn('engine host IPC write failed:', error.message);
      });
      return true;
    } catch (error) {
      console.warn('engine host IPC write failed:', error instanceof Error ? error.message : error);
      return false;
    }
  }
}

export class ChildProcessLauncher implements EngineLauncher<ChildEngineProcess> {
  readonly #options: ChildProcessLauncherOptions;

  constructor(options: ChildProcessLauncherOptions) {
    this.#options = options;
  }

  launch(): ChildEngineProcess {
    const child = fork(this.#options.enginePath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: this.#options.execArgv ?? [],
      env: this.#options.env ?? process.env,
    });
    return new ChildEngineProcess(child);
  }
}
