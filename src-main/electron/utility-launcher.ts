/**
 * Starts the engine host as an Electron utility process (a Node process Chromium manages: killed with the app,
 * never an orphan). Main's control channel is the utility process's own message channel; each renderer gets a
 * MessagePortMain, posted with RENDERER_PORT_MESSAGE.
 */
import { utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import type { EngineRequest } from '../../common/engine-protocol';
import { RENDERER_PORT_MESSAGE } from '../../common/engine-host-wire';
import type { EngineExit, EngineLauncher, EngineProcess } from '../services/engine-process';

export class UtilityEngineProcess implements EngineProcess {
  readonly #child: UtilityProcess;
  #exited = false;

  constructor(child: UtilityProcess) {
    this.#child = child;
    child.once('exit', () => (this.#exited = true));
  }

  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  send(message: EngineRequest): void {
    if (!this.#exited) this.#child.postMessage(message);
  }

  /** Give the engine host one end of a renderer's channel; the other end goes to the window. */
  connectRenderer(port: MessagePortMain): void {
    if (this.#exited) port.close();
    else this.#child.postMessage({ type: RENDERER_PORT_MESSAGE }, [port]);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#child.on('message', listener);
  }

  onExit(listener: (exit: EngineExit) => void): void {
    this.#child.once('exit', (code) => listener({ code, signal: null }));
  }

  kill(hard = false): void {
    if (this.#exited) return;
    // utilityProcess.kill() takes no signal: a hung host is ended by its pid.
    if (hard && this.#child.pid !== undefined) process.kill(this.#child.pid, 'SIGKILL');
    else this.#child.kill();
  }
}

export class UtilityLauncher implements EngineLauncher<UtilityEngineProcess> {
  readonly #enginePath: string;

  constructor(enginePath: string) {
    this.#enginePath = enginePath;
  }

  launch(): UtilityEngineProcess {
    return new UtilityEngineProcess(
      utilityProcess.fork(this.#enginePath, [], { serviceName: 'LayerLab engine', stdio: 'inherit' }),
    );
  }
}
